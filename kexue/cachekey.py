"""A fingerprint of the code that turns content into HTML, for Pelican's content cache.

Pelican's reader cache is keyed on content files only: after a change to a Markdown
extension or a plugin it would keep serving stale HTML.  Putting this fingerprint in
CACHE_PATH gives every version of the reading code a cache of its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def reader_fingerprint(root: Path, folders=("kexue", "plugins"), files=("pelicanconf.py",)) -> str:
    digest = hashlib.sha256()
    paths = [p for folder in folders for p in sorted((Path(root) / folder).rglob("*.py"))]
    paths += [Path(root) / f for f in files]
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
