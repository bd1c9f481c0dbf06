"""Listings: which posts there are, from the RSS feed (new posts) or /content.html (every
post), fetched through the raw cache with conditional GET.
"""

from __future__ import annotations

from dataclasses import dataclass

import feedparser
from bs4 import BeautifulSoup

from kexue.core.source import SOURCE_BASE, post_id_from_url
from kexue.crawl.cache import RawCache
from kexue.crawl.client import Client

__all__ = ["Listed", "fetch_listing", "parse_archive", "parse_feed"]


@dataclass
class Listed:
    id: str
    title: str = ""


def parse_feed(body: bytes, source: str = SOURCE_BASE) -> list[Listed]:
    """The posts of the RSS feed (newest first)."""
    out: list[Listed] = []
    for entry in feedparser.parse(body).entries:
        pid = post_id_from_url(entry.get("link", "") or entry.get("id", ""), source)
        if pid and all(p.id != pid for p in out):
            out.append(Listed(pid, entry.get("title", "")))
    return out


def parse_archive(body: bytes, source: str = SOURCE_BASE) -> list[Listed]:
    """Every post linked from /content.html; comment links (#PostComment) skipped."""
    out: dict[str, Listed] = {}
    for a in BeautifulSoup(body, "lxml").find_all("a", href=True):
        href = str(a["href"])
        if "#" in href:
            continue
        pid = post_id_from_url(href, source)
        if pid and pid not in out:
            out[pid] = Listed(pid, a.get_text(strip=True))
    return list(out.values())


def fetch_listing(client: Client, cache: RawCache, key: str, url: str, refresh: bool) -> bytes:
    """The body of the listing at ``url``, revalidated against the cached copy ``key``."""
    page = client.get(url, {} if refresh else cache.validators(key))
    if page.status == 304:
        cached = cache.load(key)
        if cached is not None:
            return cached[1]
        page = client.get(url, {})
    cache.store(key, page)
    return page.body
