"""Words the earlier mirror's HTML-to-Markdown step turned into tags.

On the source page an ML token written in prose is text, ``&lt;eos&gt;``; html2text
unescaped it to ``<eos>``, which Markdown passes on as a tag and the allowlist
(kexue/site/sanitize.py) then removes, so the reader would lose the word.
:func:`restore_words` escapes every such tag again: a start or end tag, outside code, math
and HTML comments, whose name is not an HTML element at all (``<eos>``, ``<bos>``,
``<parameter name="…">``).  Real elements (``<div>``, ``<iframe>``, ``<font>``) are left
to the allowlist and its check.

Also :func:`repair_links`: link addresses the earlier mirror is known to have damaged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kexue.site.sanitize import prose_only

__all__ = ["HTML_ELEMENTS", "repair_links", "restore_words"]

# Every element name of HTML (WHATWG, with the obsolete ones browsers still parse) and the
# roots of embedded SVG and MathML: a tag with one of these names is markup, not a word.
HTML_ELEMENTS = frozenset(
    """
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
blink blockquote body br button canvas caption center cite code col colgroup data datalist
dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form
frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins
isindex kbd keygen label legend li link listing main map mark marquee math menu menuitem
meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup option
output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script search
section select slot small source spacer span strike strong style sub summary sup svg table
tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp
""".split()
)

# A start tag (name, then attributes) or an end tag; the name as group 1 or 2.
_ANY_TAG_RE = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])(?:[^<>\"']|\"[^\"<>]*\"|'[^'<>]*')*>"
    r"|</([A-Za-z][A-Za-z0-9-]*)\s*>"
)
# html2text's damage to one link: the scheme ``htt…p://`` split around the whole address.
_SPLIT_SCHEME_RE = re.compile(r"\]\(htt(https?://[^\s()]+?)p://\)")


def _word_tags(text: str) -> Iterator[re.Match]:
    for m in _ANY_TAG_RE.finditer(prose_only(text)):
        name = (m.group(1) or m.group(2)).lower()
        if name not in HTML_ELEMENTS:
            yield m


def restore_words(text: str) -> tuple[str, list[tuple[int, str]]]:
    """``text`` with each tag that is not an HTML element escaped as text; returns the
    text and (line, tag as written) of each tag escaped."""
    out, found, pos = [], [], 0
    for m in _word_tags(text):
        tag = text[m.start() : m.end()]
        out += [text[pos : m.start()], tag.replace("<", "&lt;").replace(">", "&gt;")]
        found.append((text.count("\n", 0, m.start()) + 1, tag))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), found


def repair_links(text: str) -> tuple[str, list[tuple[int, str]]]:
    """``text`` with the link addresses known to be damaged repaired; returns the text and
    (line, repaired address) of each."""
    found = []

    def fix(m: re.Match) -> str:
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
        return f"]({m.group(1)})"

    return _SPLIT_SCHEME_RE.sub(fix, text), found
