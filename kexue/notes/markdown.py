"""The notes' Markdown: CommonMark (markdown-it-py), behind the posts' math lifting and
the site's HTML allowlist.

Notes were written for CommonMark/GFM: a list may start right after a paragraph line, and
a nested list is indented by its parent marker's width (2 spaces under ``- ``).  Posts are
rendered by Python-Markdown (their converter's rules), notes by markdown-it-py, which
follows the CommonMark spec and passes its test suite; its plugins (mdit-py-plugins) add
what notes use beyond it: tables and strikethrough (GFM), footnotes, definition lists,
task lists and ``!!! kind "标题"`` boxes.

The steps, each one shared with the posts:

1. the TeX is lifted out before any block parsing (kexue.math.extension.lift_math), so
   Markdown never sees a formula;
2. two repairs of what the notes' authors meant and CommonMark reads otherwise: an HTML
   line that only opens or closes a ``<div>`` gets blank lines around it, so the Markdown
   inside the legacy ``<div class="theorem-box" markdown="1">`` is parsed (what
   Python-Markdown's md_in_html did); a numbered line ``4. …`` right under a lead line
   (one ending in a colon, or a bold phrase) starts a list: CommonMark lets only ``1.``
   interrupt a paragraph, and the notes continue their numbering under bold sub-headings
   (``**阶段2**（1周）\n4. …``);
3. markdown-it-py renders; raw HTML passes through to step 5;
4. the formulas come back as the posts' math elements (kexue.math.extension.restore_math),
   ``!!!`` boxes get the posts' box classes and labels (kexue.reading.boxes);
5. the whole HTML goes through the one allowlist (kexue.site.sanitize).
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as etree  # noqa: N813 (the name Markdown uses)

from markdown_it import MarkdownIt
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kexue.math.extension import lift_math, restore_math
from kexue.math.tex import find_code_ranges
from kexue.reading.boxes import FLAGS, KINDS, BoxTreeprocessor
from kexue.site.sanitize import sanitize_html

#: Content-box kinds (kexue.reading.boxes, the one list); ``!!! <kind>`` in a note also gets
#: the class ``<kind>-box``, the one legacy notes' ``<div class="theorem-box">`` use.
BOX_KINDS = tuple(KINDS)
#: Changes whenever the output of the same text may change (NoteRenderer's cache key).
SETUP = "markdown-it-py commonmark+table+strikethrough+footnote+deflist+tasklists+admon v1"

_DIV_LINE_RE = re.compile(r"^[ \t]{0,3}(?:<div\b[^<>]*>|</div>)[ \t]*$", re.M | re.I)
#: A lead line (ending in a colon, or a bold phrase with an optional remark in brackets)
#: and a numbered line right under it.
_ORDERED_UNDER_LEAD_RE = re.compile(
    r"^(?P<text>[ ]{0,3}(?:[^\s#>|<-][^\n]*[:：]|\*\*[^\n*]+\*\*[:：]?(?:[ \t]*[（(][^\n]*[)）])?)"
    r"[ \t]*)\n(?P<item>[ ]{0,3}\d{1,9}[.)][ \t]+\S)",
    re.M,
)
_ADMON_RE = re.compile(
    r'<div class="admonition ([^"]*)">\s*<p class="admonition-title">(.*?)</p>', re.S
)
_TAG_RE = re.compile(r"<[^>]+>")


def commonmark() -> MarkdownIt:
    """The notes' parser: CommonMark with raw HTML, GFM tables and strikethrough,
    footnotes, definition lists, task lists and admonition boxes."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin).use(admon_plugin)


def open_div_lines(text: str) -> str:
    """Blank lines around each line that only opens or closes a ``<div>`` (outside code),
    so CommonMark parses the Markdown between them instead of keeping it as raw HTML."""
    code = find_code_ranges(text)
    out, pos = [], 0
    for m in _DIV_LINE_RE.finditer(text):
        if any(a <= m.start() < b for a, b in code):
            continue
        out += [text[pos : m.start()], "\n", m.group(0), "\n"]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def open_numbered_lists(text: str) -> str:
    """A blank line between a lead line and a numbered line right under it (outside
    code), so the numbered line starts a list whatever its number."""
    code = find_code_ranges(text)

    def one(m: re.Match) -> str:
        if any(a <= m.start("item") < b for a, b in code):
            return m.group(0)
        return f"{m.group('text')}\n\n{m.group('item')}"

    return _ORDERED_UNDER_LEAD_RE.sub(one, text)


def _box(m: re.Match) -> str:
    """An admonition as the posts' box: classes ``admonition <kind> box`` and a title
    labelled with the kind's Chinese name (kexue.reading.boxes; no collapsing in a note)."""
    classes = [c for c in m.group(1).split() if c not in FLAGS]
    root = etree.Element("div")
    box = etree.SubElement(root, "div", {"class": " ".join(["admonition", *classes])})
    title = etree.SubElement(box, "p", {"class": "admonition-title"})
    title.text = html.unescape(_TAG_RE.sub("", m.group(2))).strip()
    BoxTreeprocessor(None).run(root)
    box.set("class", " ".join([box.get("class"), *(f"{k}-box" for k in classes if k in BOX_KINDS)]))
    out = etree.tostring(box, encoding="unicode", method="html")
    return out[: out.rindex("</div>")]


class NoteMarkdown:
    """Markdown of a note to safe HTML (see the module's steps)."""

    def __init__(self):
        self._md = commonmark()

    def __call__(self, text: str) -> str:
        lifted, spans, equations, _ = lift_math(text)
        out = self._md.render(open_numbered_lists(open_div_lines(lifted)))
        out = restore_math(out, spans, equations)
        out = _ADMON_RE.sub(_box, out)
        return sanitize_html(out)
