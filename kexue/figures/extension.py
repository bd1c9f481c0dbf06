"""A Python-Markdown extension that turns ```` ```figure NAME ```` blocks into figures.

See :mod:`kexue.figures.directive` for the directive.  The preprocessor runs after
normalize_whitespace (30), so the HTML stash placeholders it leaves are not stripped, and
before fenced code (25), so the block never becomes a code listing.  The math extension
(35) runs earlier and leaves the block alone: to :func:`kexue.math.tex.find_math` a fenced block
is code.  A block that does not validate shows an error box and logs a warning; `invoke
check` names the file and line.
"""

from __future__ import annotations

import logging

from markdown import Extension
from markdown.preprocessors import Preprocessor

from kexue.figures.directive import FigureError, find_figure_blocks, render_error, render_figure

log = logging.getLogger(__name__)


class FigurePreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        blocks = find_figure_blocks(lines)
        if not blocks:
            return lines
        out: list[str] = []
        pos = 0
        for block in blocks:
            if isinstance(block, FigureError):
                log.warning("figure directive: %s", block)
                html = render_error(block)
            else:
                html = render_figure(block)
            out.extend(lines[pos : block.start])
            out.extend(["", self.md.htmlStash.store(html), ""])
            pos = block.end
        out.extend(lines[pos:])
        return out


class FigureExtension(Extension):
    """``markdown.Markdown(extensions=[FigureExtension()])``."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.preprocessors.register(FigurePreprocessor(md), "kexue_figures", 28)
        md.registerExtension(self)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return FigureExtension(**kwargs)
