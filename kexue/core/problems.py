"""What every check of `invoke check` speaks: a Problem at ``file:line``, the context a
check reads, and the check protocol.

A leaf module: it imports nothing of ours, so any module can define its checks without
an import cycle.  The registry that runs them is kexue/site/checks.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """A finding at ``file:line``.  ``notice``: reported without blocking publishing
    (something the site already neutralised, or work to do)."""

    file: str
    line: int
    message: str
    notice: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class CheckContext:
    root: Path  # the project folder
    content: Path  # content/
    output: Path  # a built site (output/), for checks that read pages


# Every checker has this shape: ``check_x(ctx) -> Iterator[Problem]``.
Check = Callable[[CheckContext], Iterator[Problem]]
