"""`invoke bench-figures`: the bytes of figure code a page with one figure loads.

Bundles theme/figures/ (as the build does) into a temporary folder and, per figure, sums
the gzip size (level 9) of what a page with only that figure fetches: the loader, the CSS,
the figure's chunk and the chunks it imports (and, as `all`, a page with every figure).
The budget is 150 KB per page.
"""

from __future__ import annotations

import gzip
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kexue.figures.bundle import bundle, files_for_figure

BUDGET_GZIP = 150 * 1024


@dataclass
class FigureWeight:
    figure: str
    files: list[str]
    raw: int  # bytes as served without compression
    gzip: int  # bytes gzip-compressed, file by file

    @property
    def within_budget(self) -> bool:
        return self.gzip <= BUDGET_GZIP


def measure(node_modules: Path) -> list[FigureWeight]:
    with tempfile.TemporaryDirectory(prefix="kexue-bench-figures-") as tmp:
        b = bundle(node_modules, Path(tmp))
        pages = {name: files_for_figure(b, name) for name in sorted(b.figure_chunks)}
        # A page with every figure (the sample post 90005), for comparison.
        pages["all"] = sorted({f for files in pages.values() for f in files})
        weights = []
        for name, files in pages.items():
            data = [(b.folder / f).read_bytes() for f in files]
            raw = sum(len(d) for d in data)
            packed = sum(len(gzip.compress(d, 9, mtime=0)) for d in data)
            weights.append(FigureWeight(name, files, raw, packed))
        return weights
