"""The source site, 科学空间: its base URL, its hosts, and its post URLs, in this one place.

Facts the code depends on (from docs/source-site.md): a post lives at
``https://spaces.ac.cn/archives/<id>`` (``<id>`` all digits); ``kexue.fm`` is the same site
under its older name, and both hosts appear with and without ``www.``, in links inside
posts, in the feed and in the earlier mirror.  A crawl may point ``--source`` at another
base URL (a test server on 127.0.0.1); post URLs on that host count as the site's too.

A leaf module: it imports nothing of ours.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

__all__ = [
    "SITE_HOSTS",
    "SOURCE_BASE",
    "canonical_url",
    "find_post_id",
    "is_source_host",
    "on_source",
    "post_id_from_url",
    "post_url",
]

SOURCE_BASE = "https://spaces.ac.cn"
SITE_HOSTS = ("spaces.ac.cn", "kexue.fm", "www.spaces.ac.cn", "www.kexue.fm")
_HOST = urlsplit(SOURCE_BASE).netloc
_ARCHIVE_PATH_RE = re.compile(r"^/archives/(\d+)/?$")
# A post URL anywhere in a text (the earlier mirror's front matter and link lines).
_POST_URL_IN_TEXT_RE = re.compile(r"https?://(?:www\.)?(?:spaces\.ac\.cn|kexue\.fm)/archives/(\d+)")


def _split(url: str):
    """``urlsplit(url)``, or None for a URL Python cannot parse (``http://[x``: a page's
    link is untrusted and must not stop a conversion)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def post_url(post_id: str, source: str = SOURCE_BASE) -> str:
    """The URL of post ``post_id`` on ``source`` (default the real site)."""
    return f"{source.rstrip('/')}/archives/{post_id}"


def is_source_host(netloc: str, source: str = SOURCE_BASE) -> bool:
    """``netloc`` is one of the site's hosts, or the host of ``source``."""
    return netloc in SITE_HOSTS or netloc == urlsplit(source).netloc


def post_id_from_url(url: str, source: str = SOURCE_BASE) -> str | None:
    """The archive id of a post URL on one of the site's hosts (or on ``source``),
    relative URLs taken against ``source``; else None."""
    try:
        parts = urlsplit(urljoin(source.rstrip("/") + "/", url))
    except ValueError:
        return None
    if not is_source_host(parts.netloc, source):
        return None
    m = _ARCHIVE_PATH_RE.match(parts.path)
    return m.group(1) if m else None


def find_post_id(text: str) -> str | None:
    """The id of the first post URL (on either host) written anywhere in ``text``."""
    m = _POST_URL_IN_TEXT_RE.search(text)
    return m.group(1) if m else None


def canonical_url(href: str, source: str = SOURCE_BASE) -> str:
    """``href`` made absolute against the real site, with any of the site's hosts (or the
    host of ``source``) written as ``https://spaces.ac.cn``."""
    try:
        url = urljoin(SOURCE_BASE + "/", href.strip())
    except ValueError:
        return href.strip()
    parts = _split(url)
    if parts is not None and is_source_host(parts.netloc, source):
        url = parts._replace(scheme="https", netloc=_HOST).geturl()
    return url


def on_source(url: str, source: str) -> str:
    """A canonical ``https://spaces.ac.cn/...`` URL moved onto ``source`` (where the crawl
    actually fetches from)."""
    parts = _split(url)
    if parts is None or parts.netloc != _HOST:
        return url
    base = urlsplit(source.rstrip("/"))
    return parts._replace(scheme=base.scheme, netloc=base.netloc).geturl()
