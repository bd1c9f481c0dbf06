"""The formula cache of build-time typesetting (kexue.math.prerender): typeset formulas by
key, and typeset pages by the digest of the page Pelican wrote, in one SQLite file.

The cache is disposable: a file that is not a database, truncated or damaged, a folder in
its place, or one that cannot be opened is reported in one line, moved aside (``NAME.broken``)
and rebuilt; one that can be read but not written is used read-only; when none of that
works, or the file breaks during the build, the build goes on without it (in memory).
`invoke clean --all` removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import threading
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

_BROKEN = (sqlite3.DatabaseError, OSError, ValueError, KeyError, zlib.error)


def _warn(message: str) -> None:
    print(f"[kexue] warning: {message}", file=sys.stderr, flush=True)


_TABLES = (
    "CREATE TABLE IF NOT EXISTS formula (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS rule (id TEXT PRIMARY KEY, text TEXT)",
    "CREATE TABLE IF NOT EXISTS page"
    " (key TEXT PRIMARY KEY, html BLOB, formulas INTEGER, rejected INTEGER)",
)


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """The cache database at ``path``, its tables there and whole as far as a cheap look
    tells (a file shorter than its pages: truncated)."""
    if readonly:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        db = sqlite3.connect(path, check_same_thread=False, timeout=60)
    try:
        if not readonly:
            # A cache: a commit per page request need not wait for the disk (WAL keeps
            # the file whole if the machine stops; the last few pages' formulas may be lost).
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for table in _TABLES:
                db.execute(table)
            db.commit()
        db.execute("SELECT count(*) FROM rule").fetchone()
        db.execute("SELECT key FROM formula LIMIT 1").fetchall()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        wal = Path(f"{path}-wal")
        if str(path) != ":memory:" and not (wal.is_file() and wal.stat().st_size):
            if Path(path).stat().st_size < pages * size:
                raise sqlite3.DatabaseError("the file is truncated")
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: Path) -> Path | None:
    """Move the cache file (or whatever is in its place) to ``NAME.broken``; None when it
    cannot be moved."""
    aside = path.with_name(path.name + ".broken")
    try:
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside)
        else:
            aside.unlink(missing_ok=True)
        os.replace(path, aside)
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    except OSError:
        return None
    return aside


def open_database(
    path: Path, warn: Callable[[str], None] = _warn
) -> tuple[sqlite3.Connection, bool]:
    """(connection, read-only) for the cache at ``path``: see the module's docstring."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _connect(path), False
    except _BROKEN as e:
        error = e
    if (
        path.exists()
        and not os.access(path.parent, os.W_OK)
        or (path.is_file() and not os.access(path, os.W_OK))
    ):
        try:
            db = _connect(path, readonly=True)
            warn(f"{path}: the formula cache is read-only: used as it is, new formulas not kept")
            return db, True
        except _BROKEN:
            pass
    aside = _move_aside(path) if path.exists() or path.is_symlink() else None
    if aside is not None:
        try:
            db = _connect(path)
            warn(f"{path}: the formula cache was damaged ({error}): moved to {aside.name}, rebuilt")
            return db, False
        except _BROKEN as e:
            error = e
    warn(
        f"{path}: the formula cache cannot be used ({error}): building without it "
        "(`invoke clean --all` removes it)"
    )
    return _connect(Path(":memory:")), False


class Cache:
    """Typeset formulas by key, in one SQLite file (safe across the worker threads).  A
    formula's CSS rules are stored once each (most are shared) and referred to by digest."""

    def __init__(self, path: Path, warn: Callable[[str], None] = _warn):
        self.path = path
        self.warn = warn
        self.db, self.readonly = open_database(path, warn)
        self.lock = threading.Lock()
        self.rules: dict[str, str] | None = None
        self.digests: dict[str, str] = {}  # rule -> id, for the rules met in this run

    def _broken(self, e: BaseException) -> None:
        """The file failed during the build: go on in memory, from empty."""
        self.warn(
            f"{self.path}: the formula cache broke during the build ({e}): going on without it "
            "(`invoke clean --all` removes it)"
        )
        self.db.close()
        self.db, self.readonly = _connect(Path(":memory:")), False
        self.rules = None

    def _load_rules(self) -> dict[str, str]:
        if self.rules is None:
            self.rules = dict(self.db.execute("SELECT id, text FROM rule"))
        return self.rules

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = list(set(keys))
        with self.lock:
            try:
                return self._get_many(keys)
            except _BROKEN as e:
                self._broken(e)
                return {}

    def _get_many(self, keys: list[str]) -> dict[str, dict]:
        out = {}
        rules = self._load_rules()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, v in self.db.execute(
                f"SELECT key, value FROM formula WHERE key IN ({marks})", chunk
            ):
                value = json.loads(v)
                value["css"] = [rules[r] for r in value["css"]]
                out[k] = value
        return out

    def put_many(self, items: dict[str, dict]) -> None:
        if self.readonly:
            return
        with self.lock:
            try:
                self._put_many(items)
            except _BROKEN as e:
                self._broken(e)

    def _put_many(self, items: dict[str, dict]) -> None:
        rules = self._load_rules()
        new_rules = {}
        rows = []
        for k, v in items.items():
            ids = []
            for rule in v["css"]:
                rid = self.digests.get(rule)
                if rid is None:
                    rid = self.digests[rule] = hashlib.sha256(rule.encode()).hexdigest()[:16]
                    if rid not in rules:
                        rules[rid] = new_rules[rid] = rule
                ids.append(rid)
            rows.append((k, json.dumps({**v, "css": ids}, ensure_ascii=False)))
        self.db.executemany("INSERT OR IGNORE INTO rule VALUES (?, ?)", new_rules.items())
        self.db.executemany("INSERT OR REPLACE INTO formula VALUES (?, ?)", rows)
        self.db.commit()

    def get_pages(self, keys: Iterable[str]) -> dict[str, tuple[str, int, int]]:
        """Typeset pages by the digest of the page Pelican wrote: (HTML, formulas, rejected)."""
        keys = list(keys)
        with self.lock:
            try:
                return self._get_pages(keys)
            except _BROKEN as e:
                self._broken(e)
                return {}

    def _get_pages(self, keys: list[str]) -> dict[str, tuple[str, int, int]]:
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, blob, n, r in self.db.execute(
                f"SELECT key, html, formulas, rejected FROM page WHERE key IN ({marks})", chunk
            ):
                out[k] = (zlib.decompress(blob).decode("utf-8"), n, r)
        return out

    def put_pages(self, rows: list[tuple[str, str, int, int]]) -> None:
        if self.readonly:
            return
        with self.lock:
            try:
                self.db.executemany(
                    "INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?)",
                    [(k, zlib.compress(t.encode("utf-8"), 1), n, r) for k, t, n, r in rows],
                )
                self.db.commit()
            except _BROKEN as e:
                self._broken(e)

    def close(self) -> None:
        self.db.close()
