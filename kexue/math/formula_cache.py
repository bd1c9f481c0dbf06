"""The formula cache of build-time typesetting (kexue.math.prerender): typeset formulas by
key, and typeset pages by the digest of the page Pelican wrote, in one SQLite file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path


class Cache:
    """Typeset formulas by key, in one SQLite file (safe across the worker threads).  A
    formula's CSS rules are stored once each (most are shared) and referred to by digest."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        # A cache: a commit per page request need not wait for the disk (WAL keeps the
        # file whole if the machine stops; the last few pages' formulas may be lost).
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS formula (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS rule (id TEXT PRIMARY KEY, text TEXT)")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS page"
            " (key TEXT PRIMARY KEY, html BLOB, formulas INTEGER, rejected INTEGER)"
        )
        self.lock = threading.Lock()
        self.rules: dict[str, str] | None = None
        self.digests: dict[str, str] = {}  # rule -> id, for the rules met in this run

    def _load_rules(self) -> dict[str, str]:
        if self.rules is None:
            self.rules = dict(self.db.execute("SELECT id, text FROM rule"))
        return self.rules

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = list(set(keys))
        out = {}
        with self.lock:
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
        with self.lock:
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
        out = {}
        with self.lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for k, blob, n, r in self.db.execute(
                    f"SELECT key, html, formulas, rejected FROM page WHERE key IN ({marks})", chunk
                ):
                    out[k] = (zlib.decompress(blob).decode("utf-8"), n, r)
        return out

    def put_pages(self, rows: list[tuple[str, str, int, int]]) -> None:
        with self.lock:
            self.db.executemany(
                "INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?)",
                [(k, zlib.compress(t.encode("utf-8"), 1), n, r) for k, t, n, r in rows],
            )
            self.db.commit()

    def close(self) -> None:
        self.db.close()
