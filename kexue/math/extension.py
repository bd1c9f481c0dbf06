"""A Python-Markdown extension that keeps TeX away from Markdown.

Before any block parsing, every math span found by :func:`kexue.math.tex.find_math` is replaced
by an opaque placeholder; after Markdown has produced HTML, each placeholder becomes an
element holding the span exactly as written (HTML-escaped, so the browser's text is the
author's bytes): the math element of :mod:`kexue.math.element` (which writes and reads it), with the
ids and ``data-eq-*`` attributes of the equation numbers computed here at build time
(:func:`kexue.math.tex.number_equations`, the AMS rules MathJax follows).  A paragraph that
held a display is split around it, so no block sits inside ``<p>``.

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

from kexue.core import placeholders
from kexue.math import element
from kexue.math.tex import Equation, MathSpan, find_math, number_equations

# Private-use characters (kexue.core.placeholders): Markdown strips STX/ETX from its
# input, and never touches these.
_KIND = "kxm"
_OPEN = placeholders.OPEN
_ANY = placeholders.pattern(_KIND, group=False)
_PLACEHOLDER_RE = re.compile(placeholders.pattern(_KIND))
_PARAGRAPH_RE = re.compile(r"<p>((?:(?!</p>).)*?" + _ANY + r".*?)</p>", re.S)
_BR_RE = r"(?:\s*<br\s*/?>\s*)"
_IN_TAG_RE = re.compile(r"<[A-Za-z][^<>]*" + _ANY + r"[^<>]*>")


def placeholder(index: int) -> str:
    return placeholders.placeholder(_KIND, index)


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

    def __init__(self, md, store: list[MathSpan], equations: list[Equation], lines=None):
        super().__init__(md)
        self.store = store
        self.equations = equations
        self.lines = lines  # each span's line in the text, when the text is a whole file

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        self.store.clear()
        self.equations.clear()
        head = body_offset(text, self.md)
        lifted, spans, equations, lines = lift_math(text[head:], text.count("\n", 0, head) + 1)
        self.store.extend(spans)
        self.equations.extend(equations)
        if self.lines is not None:
            self.lines.clear()
            self.lines.extend(lines)
        return (text[:head] + lifted).split("\n")


def lift_math(
    text: str, first_line: int = 1
) -> tuple[str, list[MathSpan], list[Equation], list[int]]:
    """``text`` with each math span replaced by its placeholder, the spans (a placeholder's
    number indexes them), their numbered equations and the line each starts on (counted
    from ``first_line``): what any Markdown parser may see (kexue.notes.markdown renders
    notes with markdown-it-py behind it)."""
    out, store, lines = [], [], []
    pos, line = 0, first_line
    for span in find_math(text):
        out.append(text[pos : span.start])
        out.append(placeholder(len(store)))
        store.append(span)
        line += text.count("\n", pos, span.start)
        lines.append(line)
        line += text.count("\n", span.start, span.end)
        pos = span.end
    out.append(text[pos:])
    return "".join(out), store, number_equations(store), lines


def restore_math(html_text: str, store: list[MathSpan], equations: list[Equation]) -> str:
    """The HTML a Markdown parser made of :func:`lift_math`'s text, each placeholder back as
    its element and paragraphs split around displays (as the extension does)."""
    return MathPostprocessor(None, store, equations).run(html_text)


class MathPostprocessor(Postprocessor):
    """Put each span back as an element; split paragraphs around display math."""

    def __init__(self, md, store: list[MathSpan], equations: list[Equation], lines=None):
        super().__init__(md)
        self.store = store
        self.equations = equations
        self.lines = lines

    def _is_display(self, index: str) -> bool:
        return self.store[int(index)].display

    def _split_paragraph(self, m: re.Match) -> str:
        inner = m.group(1)
        parts = re.split(
            _BR_RE + "?(" + _ANY + ")" + _BR_RE + "?",
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
        return _PLACEHOLDER_RE.sub(lambda m: self._element(int(m.group(1)), by_span), text)

    def _element(self, i: int, by_span: dict[int, list[Equation]]) -> str:
        line = self.lines[i] if self.lines else 0
        return element.render(self.store[i], by_span.get(i, []), line)

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
    """``markdown.Markdown(extensions=[MathExtension()])``.  ``source_lines``: the text
    converted is a whole content file (Pelican's reader), so each element carries its line
    (kexue.math.element.LINE_ATTR)."""

    def __init__(self, **kwargs):
        self.config = {"source_lines": [False, "each element carries its line in the text"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        store: list[MathSpan] = []
        equations: list[Equation] = []
        lines: list[int] | None = [] if self.getConfig("source_lines") else None
        md.math_spans = store
        md.math_equations = equations
        # First of all, before normalize_whitespace (30) expands tabs, fenced code (25)
        # and raw HTML blocks (20).
        pre = MathPreprocessor(md, store, equations, lines)
        md.preprocessors.register(pre, "kexue_math", 35)
        # Before raw_html (30), so placeholders in Markdown text never meet the HTML stash;
        # after it (25), those that were inside raw HTML blocks.
        main = MathPostprocessor(md, store, equations, lines)
        md.postprocessors.register(main, "kexue_math", 35)
        md.postprocessors.register(RawHtmlMathPostprocessor(md, main), "kexue_math_raw", 25)
        md.registerExtension(self)

    def reset(self):
        pass


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return MathExtension(**kwargs)
