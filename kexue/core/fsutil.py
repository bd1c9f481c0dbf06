"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The mode a plain ``open()`` gives a new file (0644 under the usual umask); mkstemp's
#: temporary files are 0600, which a web server running as another user cannot read.
FILE_MODE = 0o666 & ~_umask()


#: Why a write failed, and what to do: the one line a build prints instead of a traceback.
_WRITE_FIXES = {
    errno.ENOSPC: "the disk is full: free space (or build into another folder) and build again",
    errno.EDQUOT: "over the disk quota: free space and build again",
    errno.EFBIG: "over the file-size limit (`ulimit -f`): raise it and build again",
    errno.EROFS: "the file system is read-only: build into a writable folder",
    errno.EACCES: "permission denied: make the folder writable, or build into another one",
}


class WriteError(OSError):
    """A file that could not be written; the message names it and the fix."""


def write_error(path: Path, e: OSError) -> OSError:
    """``e`` as a :class:`WriteError` naming ``path`` when its cause has a known fix."""
    fix = _WRITE_FIXES.get(e.errno)
    return WriteError(e.errno, f"cannot write {path}: {fix}") if fix else e


def text_digest(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), as the records of what a run wrote keep it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_record(path: Path) -> dict:
    """A JSON object a run wrote (digests of the files it wrote, …); {} when the file is
    absent or not a whole JSON object, so no file counts as written by us."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; return False (and write nothing) if unchanged."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(path, e) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def atomic_write_text(path: Path, text: str) -> bool:
    """Write UTF-8 ``text`` atomically (newlines as given); False if unchanged."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_temp_files(folder: Path) -> int:
    """Remove temporary files that an interrupted atomic write left in ``folder``."""
    removed = 0
    for tmp in Path(folder).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
