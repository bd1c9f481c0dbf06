"""The raw cache: every fetched page with its response headers, keyed by post id, under
``.cache/raw/`` by default.  Validators (ETag, Last-Modified) come from here.

requests-cache was not used for this: it keys responses by a hash of the request in its
own store, while ``invoke convert`` needs an inspectable store keyed by post id, and we
must never cache a gate or error page over a good article.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kexue.core.fsutil import atomic_write_bytes, atomic_write_text
from kexue.crawl.client import Response

__all__ = ["RawCache"]


class RawCache:
    """``<root>/<key>.html`` (the body as received) and ``<root>/<key>.json`` (URL, status,
    response headers, fetch time, sha256 of the body).  The JSON is written last and holds
    the body's hash, so a half-finished store is seen as absent."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.root / f"{key}.html", self.root / f"{key}.json"

    def load(self, key: str) -> tuple[dict, bytes] | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None
        return meta, body

    def validators(self, key: str) -> dict[str, str]:
        cached = self.load(key)
        if cached is None:
            return {}
        headers = cached[0].get("headers", {})
        out = {}
        if headers.get("etag"):
            out["If-None-Match"] = headers["etag"]
        if headers.get("last-modified"):
            out["If-Modified-Since"] = headers["last-modified"]
        return out

    def store(self, key: str, page: Response) -> bool:
        """Keep ``page``; False (nothing written) when the same body and validators are
        already kept.  ``fetched`` stays the time this body was first seen."""
        body_path, meta_path = self._paths(key)
        sha = hashlib.sha256(page.body).hexdigest()
        fetched = page.fetched
        old = self.load(key)
        if old is not None and old[0].get("sha256") == sha:
            fetched = old[0].get("fetched", fetched)
            validators = ("etag", "last-modified")
            if all(old[0]["headers"].get(v) == page.headers.get(v) for v in validators):
                return False
        atomic_write_bytes(body_path, page.body)
        meta = {
            "url": page.url,
            "status": page.status,
            "fetched": fetched,
            "via": page.via,
            "sha256": sha,
            "size": len(page.body),
            "headers": page.headers,
        }
        atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
        return True

    def post_ids(self) -> list[str]:
        return sorted(
            (p.stem for p in self.root.glob("*.json") if p.stem.isdigit()), key=lambda s: int(s)
        )
