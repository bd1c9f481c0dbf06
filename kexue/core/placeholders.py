"""Placeholders: private-use characters that Markdown, markdownify and nh3 leave alone, so
a piece of text lifted out (a formula, a character that must stay literal) can stand in
the text while another tool works on it, and be put back.  Every marker is made here.

* ``OPEN + kind + index + CLOSE`` stands for the ``index``-th lifted span of a ``kind``:
  ``kxm`` the math extension's formulas (kexue.math.extension), ``kxc`` the crawl's
  (kexue.crawl.convert); the toc extension may see the math ones in a heading's text
  (kexue.reading.structure drops them from ids).
* ``LITERAL_OPEN + index + LITERAL_CLOSE``: a character the crawl keeps literal.
* ``MASK``: one character standing for another while a scanner reads the text (offsets kept).
"""

from __future__ import annotations

import re

OPEN, CLOSE = "\ue000", "\ue001"
LITERAL_OPEN, LITERAL_CLOSE = "\ue002", "\ue003"
MASK = "\ue004"
#: A leftover marker of any kind (a conversion that did not finish).
LEFTOVER_RE = re.compile(f"[{OPEN}-{LITERAL_CLOSE}]")
#: Any lifted span's placeholder, whatever its kind.
ANY_RE = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")


def placeholder(kind: str, index: int) -> str:
    return f"{OPEN}{kind}{index}{CLOSE}"


def pattern(kind: str, group: bool = True) -> str:
    """The regular expression of ``kind``'s placeholders (the index in a group, or none)."""
    index = r"(\d+)" if group else r"\d+"
    return f"{OPEN}{kind}{index}{CLOSE}"


def literal(index: int) -> str:
    return f"{LITERAL_OPEN}{index}{LITERAL_CLOSE}"
