"""A Python-Markdown extension that keeps TeX away from Markdown.

Before any block parsing, every math span found by :func:`kexue.math.tex.find_math` is replaced
by an opaque placeholder; after Markdown has produced HTML, each placeholder becomes an
element holding the span exactly as written (HTML-escaped, so the browser's text is the
author's bytes):

* inline: ``<span class="math inline">$x_i$</span>``
* display: ``<div class="math display">\\begin{equation}…\\end{equation}</div>``; a
  paragraph that held the display is split around it, so no block sits inside ``<p>``.

Equation numbers are computed at build time (:func:`kexue.math.tex.number_equations`, the AMS
rules MathJax follows).  A display with numbered or tagged rows carries:

* ``id="eq-N"`` (N its first automatic number), and an empty
  ``<span class="eq-anchor" id="eq-M"></span>`` for each further number M and for each
  ``\\label{L}`` (``id="L"``), so ``#eq-3`` and ``#eq:std-att`` deep-link to it;
* ``data-eq-numbers="N M"`` (its automatic numbers), ``data-eq-labels="L1 L2"`` and
  ``data-eq-shown`` (what each numbered row shows, ``|``-separated: ``1|KL``).

MathJax on the page is told to look only inside ``.math`` elements, so a ``$`` in prose
or code is never typeset.  The extension imports Markdown but not Pelican.
"""

from __future__ import annotations

import html
import re

from markdown import Extension
from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from kexue.math.tex import Equation, MathSpan, find_math, number_equations

# Private-use characters: Markdown strips STX/ETX from its input, and never touches these.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER_RE = re.compile(_OPEN + r"kxm(\d+)" + _CLOSE)
_PARAGRAPH_RE = re.compile(r"<p>((?:(?!</p>).)*?" + _OPEN + r"kxm\d+" + _CLOSE + r".*?)</p>", re.S)
_BR_RE = r"(?:\s*<br\s*/?>\s*)"
_IN_TAG_RE = re.compile(r"<[A-Za-z][^<>]*" + _OPEN + r"kxm\d+" + _CLOSE + r"[^<>]*>")


def placeholder(index: int) -> str:
    return f"{_OPEN}kxm{index}{_CLOSE}"


def meta_header_lines(lines: list[str]) -> int:
    """How many leading lines the ``meta`` extension takes as the metadata header (the
    same rules as markdown.extensions.meta): they are not the body, so no math is lifted
    from them.  Pelican converts formatted fields (Summary) again, without ``meta``."""
    i = 0
    if lines and BEGIN_RE.match(lines[0]):
        i = 1
    key = False
    while i < len(lines):
        line = lines[i]
        if not line.strip() or END_RE.match(line):
            return i + 1
        if META_RE.match(line):
            key = True
        elif not (key and META_MORE_RE.match(line)):
            return i
        i += 1
    return i


def body_offset(text: str, md=None) -> int:
    """Offset in ``text`` (a whole Markdown file) where the body starts: after the
    metadata header when ``md`` is None or has the meta extension."""
    lines = text.split("\n")
    if md is not None and "meta" not in md.preprocessors:
        return 0
    head = meta_header_lines(lines)
    return sum(len(line) + 1 for line in lines[:head]) if head < len(lines) else len(text)


class MathPreprocessor(Preprocessor):
    """Lift math spans out of the source before Markdown parses blocks."""

    def __init__(self, md, store: list[MathSpan], equations: list[Equation]):
        super().__init__(md)
        self.store = store
        self.equations = equations

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        self.store.clear()
        self.equations.clear()
        head = body_offset(text, self.md)
        lifted, spans, equations = lift_math(text[head:])
        self.store.extend(spans)
        self.equations.extend(equations)
        return (text[:head] + lifted).split("\n")


def lift_math(text: str) -> tuple[str, list[MathSpan], list[Equation]]:
    """``text`` with each math span replaced by its placeholder, the spans (a placeholder's
    number indexes them) and their numbered equations: what any Markdown parser may see
    (kexue.notes.markdown renders notes with markdown-it-py behind it)."""
    out, store, pos = [], [], 0
    for span in find_math(text):
        out.append(text[pos : span.start])
        out.append(placeholder(len(store)))
        store.append(span)
        pos = span.end
    out.append(text[pos:])
    return "".join(out), store, number_equations(store)


def restore_math(html_text: str, store: list[MathSpan], equations: list[Equation]) -> str:
    """The HTML a Markdown parser made of :func:`lift_math`'s text, each placeholder back as
    its element and paragraphs split around displays (as the extension does)."""
    return MathPostprocessor(None, store, equations).run(html_text)


def render_span(span: MathSpan, equations: list[Equation] = ()) -> str:
    """The HTML element for one math span (the TeX as text, escaped), with the ids and
    data attributes of its numbered rows (also on an inline span that holds a numbered
    environment: MathJax numbers it)."""
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
    if not span.display:
        return f'<span class="math inline"{attrs}>{"".join(anchors)}{body}</span>'
    return f'<div class="math display"{attrs}>{"".join(anchors)}{body}</div>'


class MathPostprocessor(Postprocessor):
    """Put each span back as an element; split paragraphs around display math."""

    def __init__(self, md, store: list[MathSpan], equations: list[Equation]):
        super().__init__(md)
        self.store = store
        self.equations = equations

    def _is_display(self, index: str) -> bool:
        return self.store[int(index)].display

    def _split_paragraph(self, m: re.Match) -> str:
        inner = m.group(1)
        parts = re.split(
            _BR_RE + "?(" + _OPEN + r"kxm\d+" + _CLOSE + ")" + _BR_RE + "?",
            inner,
        )
        if not any(
            _PLACEHOLDER_RE.fullmatch(p) and self._is_display(_PLACEHOLDER_RE.fullmatch(p).group(1))
            for p in parts
        ):
            return m.group(0)
        out = []
        buf = ""
        for part in parts:
            ph = _PLACEHOLDER_RE.fullmatch(part)
            if ph and self._is_display(ph.group(1)):
                if buf.strip():
                    out.append(f"<p>{buf.strip()}</p>")
                buf = ""
                out.append(part)
            else:
                buf += part
        if buf.strip():
            out.append(f"<p>{buf.strip()}</p>")
        return "\n".join(out)

    def restore(self, text: str) -> str:
        """Each placeholder in ``text`` as its element."""
        if _OPEN not in text:
            return text
        by_span: dict[int, list[Equation]] = {}
        for eq in self.equations:
            by_span.setdefault(eq.span, []).append(eq)
        # Inside a tag (an attribute of raw HTML) a formula is its TeX as attribute text:
        # an element there would end the attribute and let the TeX write markup.
        text = _IN_TAG_RE.sub(
            lambda t: _PLACEHOLDER_RE.sub(
                lambda m: html.escape(self.store[int(m.group(1))].source, quote=True), t.group(0)
            ),
            text,
        )
        return _PLACEHOLDER_RE.sub(
            lambda m: render_span(self.store[int(m.group(1))], by_span.get(int(m.group(1)), [])),
            text,
        )

    def run(self, text: str) -> str:
        if not self.store:
            return text
        text = _PARAGRAPH_RE.sub(self._split_paragraph, text)
        # The table of contents (toc extension) is built from the tree, before this runs.
        if isinstance(getattr(self.md, "toc", None), str):
            self.md.toc = self.restore(self.md.toc)
        return self.restore(text)


class RawHtmlMathPostprocessor(Postprocessor):
    """Math written inside a raw HTML block comes back from the HTML stash after the
    main pass: restore it too."""

    def __init__(self, md, main: MathPostprocessor):
        super().__init__(md)
        self.main = main

    def run(self, text: str) -> str:
        return self.main.restore(text) if self.main.store else text


class MathExtension(Extension):
    """``markdown.Markdown(extensions=[MathExtension()])``."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        store: list[MathSpan] = []
        equations: list[Equation] = []
        md.math_spans = store
        md.math_equations = equations
        # First of all, before normalize_whitespace (30) expands tabs, fenced code (25)
        # and raw HTML blocks (20).
        md.preprocessors.register(MathPreprocessor(md, store, equations), "kexue_math", 35)
        # Before raw_html (30), so placeholders in Markdown text never meet the HTML stash;
        # after it (25), those that were inside raw HTML blocks.
        main = MathPostprocessor(md, store, equations)
        md.postprocessors.register(main, "kexue_math", 35)
        md.postprocessors.register(RawHtmlMathPostprocessor(md, main), "kexue_math_raw", 25)
        md.registerExtension(self)

    def reset(self):
        pass


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return MathExtension(**kwargs)
