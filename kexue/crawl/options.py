"""What a crawl or a conversion is asked to do: :class:`CrawlOptions`, the only home of the
crawl's defaults.  `invoke crawl` / `invoke convert` and the clients read theirs from the
class (``CrawlOptions.delay`` is the default delay).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kexue.core.paths import ROOT
from kexue.core.source import SOURCE_BASE

__all__ = ["LEDGER", "CrawlOptions"]

MiB = 1 << 20
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
    # Limits, per answer, far above anything the site serves (article pages weigh 59-75 KB,
    # docs/source-site.md; the largest post of the earlier mirror is 97 KiB of Markdown).
    max_body: int = 16 * MiB  # bytes as sent (before Content-Encoding is undone)
    max_decoded: int = 64 * MiB  # bytes after Content-Encoding is undone
    max_redirects: int = 5  # hops; each only to the same host (see image_hosts)
    # Hosts besides the source's that post images may be downloaded from (or redirect to).
    image_hosts: tuple[str, ...] = ()
