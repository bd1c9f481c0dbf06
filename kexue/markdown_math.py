"""A Python-Markdown extension that keeps TeX away from Markdown.

Before any block parsing, every math span found by :func:`kexue.tex.find_math` is replaced
by an opaque placeholder; after Markdown has produced HTML, each placeholder becomes an
element holding the span exactly as written (HTML-escaped, so the browser's text is the
author's bytes):

* inline: ``<span class="math inline">$x_i$</span>``
* display: ``<div class="math display">\\begin{equation}…\\end{equation}</div>``; a
  paragraph that held the display is split around it, so no block sits inside ``<p>``.

MathJax on the page is told to look only inside ``.math`` elements, so a ``$`` in prose
or code is never typeset.  The extension imports Markdown but not Pelican.
"""

from __future__ import annotations

import html
import re

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from kexue.tex import MathSpan, find_math

# Private-use characters: Markdown strips STX/ETX from its input, and never touches these.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER_RE = re.compile(_OPEN + r"kxm(\d+)" + _CLOSE)
_PARAGRAPH_RE = re.compile(r"<p>((?:(?!</p>).)*?" + _OPEN + r"kxm\d+" + _CLOSE + r".*?)</p>", re.S)
_BR_RE = r"(?:\s*<br\s*/?>\s*)"


def placeholder(index: int) -> str:
    return f"{_OPEN}kxm{index}{_CLOSE}"


class MathPreprocessor(Preprocessor):
    """Lift math spans out of the source before Markdown parses blocks."""

    def __init__(self, md, store: list[MathSpan]):
        super().__init__(md)
        self.store = store

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        self.store.clear()
        out = []
        pos = 0
        for span in find_math(text):
            out.append(text[pos : span.start])
            out.append(placeholder(len(self.store)))
            self.store.append(span)
            pos = span.end
        out.append(text[pos:])
        return "".join(out).split("\n")


def render_span(span: MathSpan, attrs: str = "") -> str:
    """The HTML element for one math span (the TeX as text, escaped)."""
    body = html.escape(span.source, quote=False)
    if span.display:
        return f'<div class="math display"{attrs}>{body}</div>'
    return f'<span class="math inline"{attrs}>{body}</span>'


class MathPostprocessor(Postprocessor):
    """Put each span back as an element; split paragraphs around display math."""

    def __init__(self, md, store: list[MathSpan]):
        super().__init__(md)
        self.store = store

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

    def run(self, text: str) -> str:
        if not self.store:
            return text
        text = _PARAGRAPH_RE.sub(self._split_paragraph, text)
        return _PLACEHOLDER_RE.sub(lambda m: render_span(self.store[int(m.group(1))]), text)


class MathExtension(Extension):
    """``markdown.Markdown(extensions=[MathExtension()])``."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        store: list[MathSpan] = []
        md.math_spans = store
        # First of all, before normalize_whitespace (30) expands tabs, fenced code (25)
        # and raw HTML blocks (20).
        md.preprocessors.register(MathPreprocessor(md, store), "kexue_math", 35)
        # Before raw_html (30), so placeholders never meet the HTML stash.
        md.postprocessors.register(MathPostprocessor(md, store), "kexue_math", 35)
        md.registerExtension(self)

    def reset(self):
        pass


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return MathExtension(**kwargs)
