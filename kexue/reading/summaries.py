"""A post's summary for lists and the meta description: built from text, never markup.

A summary is plain text with formulas: the ``Summary:`` header as written, or, when a
post has none, the text of its first paragraphs (each formula taken whole from its math
element, code left out), cut after about :data:`LIMIT` characters at a formula boundary.
:func:`text_with_math` writes it for the page: the prose HTML-escaped, each formula as the
math element kexue.math.extension writes (without ids), so a title, tag or summary holding
``<img onerror=…>`` or ``&lt;script&gt;`` shows exactly those characters.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser

from kexue.math import element
from kexue.math.tex import find_math

LIMIT = 120  # characters of prose (formulas are never cut)
_SKIPPED = frozenset({"pre", "code", "script", "style", "sup", "figure", "details", "table"})


def text_with_math(text: str) -> str:
    """``text`` as HTML: its TeX spans as math elements (no ids), the rest escaped; a
    summary, a figure caption."""
    out, pos = [], 0
    for span in find_math(text):
        out.append(html.escape(text[pos : span.start], quote=False))
        out.append(element.render(span))
        pos = span.end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def plain_text(text: str) -> str:
    """The summary for a meta description: one line, formulas as their TeX."""
    return " ".join(text.split())


@dataclass
class _Piece:
    text: str
    math: bool = False


class _FirstParagraphs(HTMLParser):
    """Text of the top-level paragraphs of a post's HTML, formulas kept whole."""

    def __init__(self, paragraphs: int = 4):
        super().__init__(convert_charrefs=True)
        self.left = paragraphs
        self.pieces: list[_Piece] = []
        self.depth_p = 0
        self.skip = 0
        self.math: list[str] | None = None
        self.math_depth = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.math is not None:
            self.math_depth += 1
            return
        if element.is_math(classes) and self.depth_p and not self.skip:
            self.math, self.math_depth = [], 1
            return
        if tag in _SKIPPED or "headerlink" in classes:
            self.skip += 1
        elif tag == "p" and self.left > 0:
            self.depth_p += 1

    def handle_endtag(self, tag):
        if self.math is not None:
            self.math_depth -= 1
            if self.math_depth == 0:
                self.pieces.append(_Piece("".join(self.math), math=True))
                self.math = None
            return
        if tag in _SKIPPED and self.skip:
            self.skip -= 1
        elif tag == "p" and self.depth_p:
            self.depth_p -= 1
            self.left -= 1
            self.pieces.append(_Piece(" "))

    def handle_data(self, data):
        if self.math is not None:
            self.math.append(data)
        elif self.depth_p and not self.skip:
            self.pieces.append(_Piece(data))


def text_summary(post_html: str, limit: int = LIMIT) -> str:
    """The summary text of a post without a ``Summary:`` header (from its HTML)."""
    parser = _FirstParagraphs()
    parser.feed(post_html)
    parser.close()
    out = ""
    for piece in parser.pieces:
        if piece.math:
            if len(out) + len(piece.text) > limit * 2:
                return " ".join(out.split()) + "…"
            out += piece.text
            continue
        room = limit - len(out)
        if len(piece.text) > room:
            return " ".join((out + piece.text[: max(room, 0)]).split()) + "…"
        out += piece.text
    return " ".join(out.split())
