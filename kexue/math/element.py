"""The math element: the one HTML form a formula takes in a page, written and read here.

:func:`render` writes it (the Markdown extension, kexue.math.extension, and the summaries);
:func:`find` and :func:`opening_tags` read it back (build-time typesetting, the checks, the
reading aids, the notes, the search index), :func:`page_math` the TeX of every element of a
page in any form; :func:`typeset` and :func:`rejected` write the forms build-time
typesetting leaves.  Nobody else spells the markup.

* inline: ``<span class="math inline">$x_i$</span>``; display: ``<div class="math
  display">…</div>``; the body is the author's TeX, HTML-escaped.
* A display with numbered or tagged rows carries ``id="eq-N"`` (N its first automatic
  number), an empty ``<span class="eq-anchor" id="…"></span>`` for each further number and
  each ``\\label``, ``data-eq-numbers``, ``data-eq-labels`` and ``data-eq-shown`` (what each
  numbered row shows, ``|``-separated).
* ``data-source-line``: the line of the content file the formula starts on, when the
  Markdown that wrote it read a whole content file (a post or a page), so a formula
  rejected at build time is reported ``file:line``.  Typesetting drops it from the
  formulas it typesets (the page bytes stay as before) and keeps it on those it rejects.
* Typeset at build time: the class gains ``mjx-server``, the element ``data-tex`` (the
  author's TeX) and ``data-mjx-tags`` (the numbers MathJax drew); rejected:
  ``data-mjx-error`` (MathJax's message), the TeX left for the browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from kexue.math.tex import Equation, MathSpan

CLASS = "math"
KINDS = ("inline", "display")
#: In the text of a page that holds at least one math element (a quick test, no parse).
MARKER = f'class="{CLASS} '
DISPLAY_OPEN = f'<div class="{CLASS} display"'
LINE_ATTR = "data-source-line"
SERVER_CLASS = "mjx-server"
#: The attributes :func:`render` writes besides ``class`` and ``id`` (the site's HTML
#: allowlist, kexue.site.sanitize, keeps them).
ATTRIBUTES = frozenset({"data-eq-numbers", "data-eq-labels", "data-eq-shown", LINE_ATTR})

#: A math element exactly as :func:`render` writes it.
ELEMENT_RE = re.compile(
    r'<(?P<tag>span|div) class="math (?P<kind>inline|display)"(?P<attrs>[^>]*)>'
    r'(?P<anchors>(?:<span class="eq-anchor" id="[^"]*"></span>)*)(?P<body>[^<]*)</(?P=tag)>'
)
#: The opening tag of any math element: as written, typeset or rejected.
_OPEN_RE = re.compile(r'<(?:span|div) class="math (inline|display)[^"]*"([^>]*)>')
_ATTR_RE = re.compile(r' ([a-z-]+)="([^"]*)"')
_LINE_RE = re.compile(rf' {LINE_ATTR}="\d*"')
_AUTO_ID_RE = re.compile(
    r'(<div class="math display") id="eq-\d+"|<span class="eq-anchor" id="eq-\d+"></span>'
)
#: The class MathJax skips (kexue.math.mathjax_config): a formula typeset at build time.
IGNORE_CLASS = "tex2jax_ignore"
CONTAINER = '<mjx-container class="MathJax"'
CONTAINER_IGNORED = f'<mjx-container class="MathJax {IGNORE_CLASS}"'


def _attributes(raw: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR_RE.findall(raw)}


@dataclass(frozen=True)
class Element:
    """One math element of a page, as :func:`render` wrote it."""

    match: re.Match

    @property
    def start(self) -> int:
        return self.match.start()

    @property
    def display(self) -> bool:
        return self.match.group("kind") == "display"

    @property
    def source(self) -> str:
        """The author's TeX, delimiters included."""
        return html.unescape(self.match.group("body"))

    @property
    def attrs(self) -> dict[str, str]:
        return _attributes(self.match.group("attrs"))

    @property
    def line(self) -> int:
        """The content file's line the formula starts on (0: not known)."""
        return int(self.attrs.get(LINE_ATTR) or 0)

    @property
    def numbered(self) -> bool:
        return "data-eq-shown" in self.match.group("attrs")


def render(span: MathSpan, equations: Sequence[Equation] = (), line: int = 0) -> str:
    """The HTML element for one math span (the TeX as text, escaped), with the ids and
    data attributes of its numbered rows (also on an inline span that holds a numbered
    environment: MathJax numbers it), and ``line`` (its content file's line) if known."""
    body = html.escape(span.source, quote=False)
    attrs = ""
    anchors = []
    if equations:
        numbers = [str(e.number) for e in equations if e.number is not None]
        labels = [e.label for e in equations if e.label]
        ids = [f"eq-{n}" for n in numbers] + labels
        if numbers:
            attrs += f' id="{ids.pop(0)}" data-eq-numbers="{" ".join(numbers)}"'
        if labels:
            attrs += f' data-eq-labels="{html.escape(" ".join(labels))}"'
        attrs += f' data-eq-shown="{html.escape("|".join(e.shown for e in equations))}"'
        anchors = [f'<span class="eq-anchor" id="{html.escape(i)}"></span>' for i in ids]
    if line:
        attrs += f' {LINE_ATTR}="{int(line)}"'
    tag, kind = ("div", "display") if span.display else ("span", "inline")
    return f'<{tag} class="{CLASS} {kind}"{attrs}>{"".join(anchors)}{body}</{tag}>'


def find(text: str) -> Iterator[Element]:
    """The math elements of ``text`` as :func:`render` wrote them, in order."""
    for m in ELEMENT_RE.finditer(text):
        yield Element(m)


def at(text: str, pos: int) -> Element | None:
    """The element :func:`render` wrote that starts at ``pos``, if any."""
    m = ELEMENT_RE.match(text, pos)
    return Element(m) if m else None


def opening_tags(text: str) -> Iterator[tuple[int, bool, dict[str, str]]]:
    """(offset, display, attributes) of the opening tag of every math element of
    ``text``: as written, typeset or rejected."""
    for m in _OPEN_RE.finditer(text):
        yield m.start(), m.group(1) == "display", _attributes(m.group(2))


def has_math(text: str) -> bool:
    return MARKER in text


def is_math(classes: Iterable[str]) -> bool:
    """Whether an element with these classes is a math element."""
    classes = set(classes)
    return CLASS in classes and bool(classes & set(KINDS))


def typeset(
    el: Element,
    markup: str,
    tags: Sequence[str] = (),
    filtered: Sequence[str] = (),
    classes: str = "",
) -> tuple[str, str, str]:
    """``el`` with ``markup`` (MathJax's) in place of its TeX, in three pieces: its opening
    (the author's TeX kept in ``data-tex``, the numbers MathJax drew in ``data-mjx-tags``
    for a numbered display, what MathJax's safe filter removed in ``data-mjx-filtered``
    (with its line kept, for `invoke check`); ``classes`` added to its own; its anchors),
    the markup, its end."""
    m = el.match
    attrs = m.group("attrs") if filtered else _LINE_RE.sub("", m.group("attrs"))
    attrs += f' data-tex="{html.escape(el.source)}"'
    if tags and el.numbered:
        attrs += f' data-mjx-tags="{html.escape("|".join(tags))}"'
    if filtered:
        attrs += f' data-mjx-filtered="{html.escape("|".join(filtered))}"'
    open_tag = (
        f'<{m.group("tag")} class="{CLASS} {m.group("kind")} {SERVER_CLASS}{classes}"{attrs}>'
    )
    # Not MathJax's in the browser, if a page loads it for a rejected formula.
    markup = markup.replace(CONTAINER, CONTAINER_IGNORED, 1)
    return open_tag + m.group("anchors"), markup, f"</{m.group('tag')}>"


def rejected(el: Element, message: str) -> str:
    """``el`` as it was, with MathJax's ``message`` (the browser typesets it)."""
    m = el.match
    attrs = m.group("attrs") + f' data-mjx-error="{html.escape(message)}"'
    open_tag = f'<{m.group("tag")} class="{CLASS} {m.group("kind")}"{attrs}>'
    return open_tag + m.group("anchors") + m.group("body") + f"</{m.group('tag')}>"


def without_auto_ids(text: str) -> str:
    """``text`` without the ids of automatic equation numbers (``eq-N``): a derivation
    note's displays must not repeat the post's."""
    return _AUTO_ID_RE.sub(lambda m: m.group(1) or "", text)


def showing(text: str, shown: str) -> int:
    """Offset of the first element of ``text`` whose numbered rows show ``shown``; -1."""
    for pos, _display, attrs in opening_tags(text):
        if shown in (attrs.get("data-eq-shown") or "").split("|"):
            return pos
    return -1


# ---------- the TeX a page holds, whatever form its elements are in ----------


class _MathText(HTMLParser):
    """Collects the text of each ``.math`` element (inline or display), in order."""

    def __init__(self, skip_classes: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.skip_classes = skip_classes
        self.found: list[tuple[bool, str]] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, opens math, skipped)
        self._skip_depth = 0
        self._buf: list[str] | None = None
        self._display = False
        self._fixed: str | None = None  # data-tex of a formula typeset at build time

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "meta", "link", "input", "wbr", "source"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = bool(classes & self.skip_classes)
        opens = self._buf is None and not self._skip_depth and is_math(classes)
        self._stack.append((tag, opens, skip))
        self._skip_depth += skip
        if opens:
            self._buf = []
            self._display = "display" in classes
            self._fixed = dict(attrs).get("data-tex")

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, opened, skip = self._stack.pop()
            self._skip_depth -= skip
            if opened:
                tex = self._fixed if self._fixed is not None else "".join(self._buf)
                self.found.append((self._display, tex))
                self._buf = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._buf is not None:
            self._buf.append(data)


def page_math(html_text: str, skip_classes: Iterable[str] = ()) -> list[tuple[bool, str]]:
    """(display, TeX) of each math element of a page, in order; the TeX is the element's
    text, so exactly what MathJax reads, or for a formula typeset at build time its
    ``data-tex`` (:func:`typeset`).  Elements inside an element of one of
    ``skip_classes`` (say, derivation-note panels) are left out."""
    parser = _MathText(frozenset(skip_classes))
    parser.feed(html_text)
    parser.close()
    return parser.found
