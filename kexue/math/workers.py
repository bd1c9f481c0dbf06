"""The worker pool of build-time typesetting (kexue.math.prerender): long-lived Node
processes running ``tools/prerender-math.mjs`` (MathJax 4), one JSON request per line, each
worker taking the next page when it is free."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

from kexue.core.paths import ROOT
from kexue.math.fonts import shipped
from kexue.math.formula_cache import Cache
from kexue.math.layout import layout_json
from kexue.math.page import typeset_request

SCRIPT = ROOT / "tools" / "prerender-math.mjs"


class PrerenderError(RuntimeError):
    pass


class Worker:
    """One long-lived ``node tools/prerender-math.mjs``."""

    def __init__(self, font_url: str, macros: str):
        node = shutil.which("node")
        if node is None:
            raise PrerenderError("node is not on PATH: it typesets the formulas at build time")
        self.proc = subprocess.Popen(
            [node, str(SCRIPT), font_url, macros, layout_json()],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.calls = 0
        self.rules: list[str] = []  # the worker's CSS rules by number

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            raise PrerenderError(f"the MathJax worker ({SCRIPT}) stopped:\n{err}")
        answer = json.loads(line)
        if "error" in answer and "results" not in answer and "css" not in answer:
            raise PrerenderError(f"the MathJax worker failed: {answer['error']}")
        self.calls += 1
        self.rules.extend(answer.get("rules", ()))
        return answer

    def typeset(self, request: dict) -> list[dict]:
        """The results of a page request (its emitted formulas), with their CSS rules."""
        results = [r for r in self.ask(request)["results"] if r is not None]
        for r in results:
            r["css"] = [self.rules[i] for i in r["css"]]
        return results

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def version_key(font_url: str, macros: str) -> str:
    package = ROOT / "node_modules" / "@mathjax" / "src" / "package.json"
    mathjax = "?"
    if package.is_file():
        mathjax = json.loads(package.read_text(encoding="utf-8"))["version"]
    script = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:16]
    # the macros every page defines (data/tex-macros.toml) change what a formula means
    # and the widths displays are broken at (kexue.math.layout)
    return f"mathjax {mathjax}; {script}; {font_url}; {macros}; {layout_json()}"


def typeset(
    todo, cache: Cache, args: tuple[str, str], base_file: Path, workers: int | None
) -> tuple[int, int]:
    """Typeset the missing formulas of ``todo`` ((page, missing) pairs) on worker
    processes started with ``args`` (font URL, macros), filling in their results; write
    the base stylesheet into ``base_file``; (requests made, formulas typeset)."""
    n = workers or min(2, os.cpu_count() or 1)
    n = max(1, min(n, len(todo) or 1))
    pool = [Worker(*args) for _ in range(n)]
    try:
        hello = pool[0].ask({"cmd": "hello"})
        base_file.parent.mkdir(parents=True, exist_ok=True)
        base_file.write_text("\n".join(shipped(hello["css"])) + "\n", encoding="utf-8")
        done = _run(pool, _jobs(todo), cache)
    finally:
        for w in pool:
            w.close()
    for _, missing in todo:
        for f in missing:
            f.result = done[f.key]
    return sum(w.calls for w in pool), len(done)


def _jobs(todo) -> list:
    """The page requests to make: longest pages first; a formula several pages share
    (same key: a summary on list pages) once."""
    assigned: set[str] = set()
    jobs = []
    for page, missing in todo:
        own = [f for f in missing if f.key not in assigned]
        assigned.update(f.key for f in own)
        if own:
            jobs.append((page, own))
    return sorted(jobs, key=lambda t: -len(t[1]))


def _run(pool: list[Worker], queue: list, cache: Cache) -> dict[str, dict]:
    """Each worker taking the next job of ``queue`` when it is free, every result put in
    ``cache`` as it comes: the results by formula key."""
    done: dict[str, dict] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(worker: Worker):
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    page, missing = queue.pop(0)
                results = worker.typeset(typeset_request(page, missing))
                fresh = {f.key: r for f, r in zip(missing, results, strict=True)}
                cache.put_many(fresh)
                with lock:
                    done.update(fresh)
        except BaseException as e:  # reported below, after the other worker stops
            errors.append(e)

    threads = [threading.Thread(target=run, args=(w,)) for w in pool]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return done
