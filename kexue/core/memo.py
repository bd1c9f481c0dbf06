"""Results derived from one post or note, kept between builds by content hash.

A build derives the same things from every unchanged file again: its topic scores, its
derivation note parsed, its TeX spans and numbering, its search document.  A
:class:`Memo` keeps such results under a cache folder (Pelican's CACHE_PATH), one file
per entry, keyed on a digest of the input and of the code that computes it (the modules
named and every kexue module they import: kexue.core.codegraph), so an unchanged file costs
a lookup and a code change recomputes everything of that kind.

An entry is a pickle (like Pelican's own content cache in the same folder) behind a
SHA-256 of its bytes: a truncated or corrupt entry is detected, reported and
recomputed, never trusted.  Entries are written atomically (kexue.core.fsutil), only when
new, and those the last run did not use are removed, so the folder does not grow.

In a long-running process (``invoke serve``) the memo of a folder is kept in memory
between builds: a rebuild reads no cache file at all.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kexue.core.codegraph import code_fingerprint, forget
from kexue.core.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

FORMAT = b"kexue-derived-1\n"
_MEMOS: dict[tuple[str, str], Memo] = {}


def digest(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed (so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(f"{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


class Memo:
    """``memo(key, compute)``: ``compute()``'s value for ``key``, from the cache when the
    same key (with the same code) was computed before.  ``folder`` None: no files, the
    values live for this process only.

    One file per entry (``<folder>/<kind>/<key>.pickle``): a lookup reads only the entry
    it needs, and saving after an edit writes only the new entries."""

    def __init__(self, kind: str, folder: Path | None, code: tuple[str, ...]):
        """``code``: the modules whose functions compute the values (their imports count)."""
        self.kind = kind
        self.code = code
        self.folder = Path(folder) / kind if folder else None
        self._known: dict[str, Any] = {}  # entries read or computed in this process
        self._used: set[str] = set()  # keys looked up since the last save
        self._new: set[str] = set()  # keys computed since the last save
        self.hits = self.misses = 0

    def _read(self, key: str) -> tuple[bool, Any]:
        if self.folder is None:
            return False, None
        path = self.folder / f"{key}.pickle"
        try:
            data = path.read_bytes()
        except OSError:
            return False, None
        body = data[len(FORMAT) + 64 :]
        if (
            not data.startswith(FORMAT)
            or hashlib.sha256(body).hexdigest().encode() != data[len(FORMAT) : len(FORMAT) + 64]
        ):
            log.warning("%s is corrupt (bad header or checksum): recomputing", path)
            return False, None
        try:
            return True, pickle.loads(body)
        except Exception as e:  # any unpickling failure means: recompute
            log.warning("%s does not load (%s): recomputing", path, e)
            return False, None

    def key(self, *parts: str | bytes) -> str:
        return digest(self.kind, code_fingerprint(*self.code), *parts)

    def __call__(self, key: str, compute: Callable[[], Any]) -> Any:
        self._used.add(key)
        if key in self._known:
            self.hits += 1
            return self._known[key]
        found, value = self._read(key)
        if found:
            self.hits += 1
        else:
            self.misses += 1
            value = compute()
            self._new.add(key)
        self._known[key] = value
        return value

    def save(self) -> int:
        """Write the entries computed since the last save, remove those not looked up
        since (they belong to older versions of a file); return how many were written."""
        used, new = self._used, self._new
        self._used, self._new = set(), set()
        self._known = {k: v for k, v in self._known.items() if k in used}
        if self.folder is None:
            return 0
        for key in new:
            body = pickle.dumps(self._known[key], protocol=pickle.HIGHEST_PROTOCOL)
            blob = FORMAT + hashlib.sha256(body).hexdigest().encode() + body
            atomic_write_bytes(self.folder / f"{key}.pickle", blob)
        if self.folder.is_dir():
            for path in self.folder.glob("*.pickle"):
                if path.stem not in used:
                    path.unlink(missing_ok=True)
        return len(new)


def memo(kind: str, folder: Path | str | None, code: tuple[str, ...]) -> Memo:
    """The memo of ``kind`` in ``folder``, one per process (kept between builds)."""
    given = (kind, str(folder) if folder else "")
    found = _MEMOS.get(given)  # asked for on every post: no path resolved for a hit
    if found is None or found.code != code:
        where = Path(folder).resolve() if folder else None
        found = _MEMOS[given] = Memo(kind, where, code)
    return found


def clear_process_memos() -> None:
    """Forget the in-memory memos (tests; a settings reload)."""
    _MEMOS.clear()
    forget()
