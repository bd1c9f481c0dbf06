"""What a crawl or a conversion is asked to do: :class:`CrawlOptions`, the only home of the
crawl's defaults.  `invoke crawl` / `invoke convert` and the clients read theirs from the
class (``CrawlOptions.delay`` is the default delay).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kexue.paths import ROOT
from kexue.source import SOURCE_BASE

__all__ = ["LEDGER", "CrawlOptions"]

LEDGER = ROOT / "blog_list.txt"  # what `invoke crawl` regenerates unless told otherwise


@dataclass
class CrawlOptions:
    content: Path = ROOT / "content"
    cache: Path = ROOT / ".cache" / "raw"
    source: str = SOURCE_BASE
    delay: float = 3.0  # seconds from the end of one answer to the next request
    ids: list[str] | None = None
    all: bool = False
    limit: int | None = None
    refresh: bool = False
    include_all: bool = False
    via: str = "http"
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    rules: Path | None = None  # None: data/relevance.toml
    ledger: Path | None = None  # None: no ledger is written (`invoke crawl` passes LEDGER)
