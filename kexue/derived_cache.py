"""Results derived from one post or note, kept between builds by content hash.

A build derives the same things from every unchanged file again: its topic scores, its
derivation note parsed, its TeX spans and numbering, its search document.  A
:class:`Memo` keeps such results in one file per kind under a cache folder (Pelican's
CACHE_PATH), keyed on a digest of the input and of the code that computes it (the source
of the modules named, see :func:`code_fingerprint`), so an unchanged file costs a dict
lookup and a code change recomputes everything of that kind.

The file is a pickle (like Pelican's own content cache in the same folder) behind a
SHA-256 of its bytes: a truncated or corrupt file is detected, reported once and
recomputed, never trusted.  It is written atomically (kexue.fsutil), only when something
changed, and holds only the entries the last run used, so it does not grow.

In a long-running process (``invoke serve``) the memo of a folder is kept in memory
between builds: a rebuild reads no cache file at all.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kexue.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

FORMAT = b"kexue-derived-1\n"
_MEMOS: dict[tuple[str, str], Memo] = {}
_FINGERPRINTS: dict[tuple[str, ...], str] = {}


def _module_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise ValueError(f"derived cache: no module {name!r} to fingerprint")
    origin = Path(spec.origin)
    if spec.submodule_search_locations:  # a package: every module in it
        return sorted(origin.parent.rglob("*.py"))
    return [origin]


def code_fingerprint(modules: tuple[str, ...]) -> str:
    """A digest of the source of ``modules`` (a package counts with all its files)."""
    if modules not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for name in modules:
            for path in _module_files(name):
                digest.update(f"{name}:{path.name}\n".encode())
                digest.update(path.read_bytes())
        _FINGERPRINTS[modules] = digest.hexdigest()[:16]
    return _FINGERPRINTS[modules]


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
    same key (with the same code) was computed before.  ``folder`` None: no file, the
    values live for this process only."""

    def __init__(self, kind: str, folder: Path | None, code: tuple[str, ...]):
        self.kind = kind
        self.code = code
        self.path = Path(folder) / f"derived-{kind}.pickle" if folder else None
        self._old: dict[str, Any] = self._load()
        self._used: dict[str, Any] = {}
        self.hits = self.misses = 0

    def _load(self) -> dict[str, Any]:
        if self.path is None or not self.path.is_file():
            return {}
        data = self.path.read_bytes()
        head, _, rest = data.partition(b"\n")
        body = rest[64:]
        if (
            head + b"\n" != FORMAT
            or len(rest) < 64
            or hashlib.sha256(body).hexdigest().encode() != rest[:64]
        ):
            log.warning("%s is corrupt (bad header or checksum): recomputing", self.path)
            return {}
        try:
            values = pickle.loads(body)
        except Exception as e:  # noqa: BLE001 (any unpickling failure means: recompute)
            log.warning("%s does not load (%s): recomputing", self.path, e)
            return {}
        return values if isinstance(values, dict) else {}

    def key(self, *parts: str | bytes) -> str:
        return digest(self.kind, code_fingerprint(self.code), *parts)

    def __call__(self, key: str, compute: Callable[[], Any]) -> Any:
        if key in self._used:
            self.hits += 1
            return self._used[key]
        if key in self._old:
            self.hits += 1
            value = self._old[key]
        else:
            self.misses += 1
            value = compute()
        self._used[key] = value
        return value

    def save(self) -> bool:
        """Write the entries used since the last save (only those); False if unchanged.
        The next run starts from them, in memory."""
        used, self._used = self._used, {}
        changed = used.keys() != self._old.keys()
        self._old = used
        if self.path is None or not changed:
            return False
        body = pickle.dumps(used, protocol=pickle.HIGHEST_PROTOCOL)
        blob = FORMAT + hashlib.sha256(body).hexdigest().encode() + body
        return atomic_write_bytes(self.path, blob)


def memo(kind: str, folder: Path | str | None, code: tuple[str, ...]) -> Memo:
    """The memo of ``kind`` in ``folder``, one per process (kept between builds)."""
    where = str(Path(folder).resolve()) if folder else ""
    found = _MEMOS.get((kind, where))
    if found is None or found.code != code:
        found = _MEMOS[(kind, where)] = Memo(kind, Path(where) if where else None, code)
    return found


def settings_folder(settings) -> Path | None:
    """CACHE_PATH/derived when Pelican's content cache is on, else None (no file)."""
    if settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE"):
        return Path(settings["CACHE_PATH"]) / "derived"
    return None


def clear_process_memos() -> None:
    """Forget the in-memory memos (tests; a settings reload)."""
    _MEMOS.clear()
    _FINGERPRINTS.clear()
