"""A fingerprint of the code that turns content into HTML, for Pelican's content cache.

Pelican's reader cache is keyed on content files only: after a change to a Markdown
extension or a plugin it would keep serving stale HTML.  Putting this fingerprint in
CACHE_PATH gives every version of the reading code a cache of its own.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import tempfile
from pathlib import Path


def reader_fingerprint(root: Path, folders=("kexue", "plugins"), files=("pelicanconf.py",)) -> str:
    digest = hashlib.sha256()
    paths = [p for folder in folders for p in sorted((Path(root) / folder).rglob("*.py"))]
    paths += [Path(root) / f for f in files]
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def remove_damaged_caches(cache_path: Path, gzipped: bool = True) -> list[Path]:
    """Remove Pelican cache files (``*-Readers``, ``*-Writers``…) that do not load, as a
    build killed while writing one leaves it (Pelican would then fail on every later
    build); return them.  The next build reads those files again and rebuilds the cache."""
    removed = []
    for path in sorted(Path(cache_path).glob("*Generator-*")):
        if not path.is_file():
            continue
        try:
            with (gzip.open if gzipped else open)(path, "rb") as f:
                pickle.load(f)
        except Exception:  # any failure to load is damage (EOFError, gzip, pickle)
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def writable_cache_path(cache_path: Path) -> tuple[Path, str | None]:
    """``cache_path`` when a build can write there; else a temporary folder and the one
    line saying why (the build goes on, reading every file: nothing is cached)."""
    path = Path(cache_path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".probe-", delete=True)
        probe.close()
        if os.access(path, os.W_OK):
            return path, None
        why = "permission denied"
    except OSError as e:
        why = e.strerror or str(e)
    temporary = Path(tempfile.mkdtemp(prefix="kexue-pelican-cache-"))
    return temporary, (
        f"{path}: Pelican's cache folder cannot be written ({why}): this build uses "
        f"{temporary} and caches nothing; make the folder writable, or `invoke clean`"
    )
