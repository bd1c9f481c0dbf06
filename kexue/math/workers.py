"""The worker pool of build-time typesetting (kexue.math.prerender): long-lived Node
processes running ``tools/prerender-math.mjs`` (MathJax 4), one JSON request per line, each
worker taking the next page when it is free.

No formula or page can stop a build: each request has a time budget (KEXUE_MATH_TIMEOUT
seconds per formula, at least a minute per page) and each worker a heap budget
(KEXUE_MATH_MEMORY_MB, ``node --max-old-space-size``).  A page whose request runs over, or
whose worker dies, is asked again formula by formula on a fresh worker; a formula that
runs over or kills that one too is left to the browser (an error result naming the
budget, shown by `invoke check` as file:line) and named in a warning.  Without ``node`` or
``@mathjax/src`` nothing is typeset at build time: one line, and every formula is left to
the browser.  What comes back passes the math allowlist (kexue.site.sanitize) before it
is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from kexue.core.errors import ToolError
from kexue.core.paths import ROOT
from kexue.math.fonts import shipped
from kexue.math.formula_cache import Cache
from kexue.math.layout import layout_json
from kexue.math.page import typeset_request
from kexue.site.sanitize import sanitize_math

SCRIPT = ROOT / "tools" / "prerender-math.mjs"
SAFE_SCRIPT = ROOT / "theme" / "static" / "js" / "mathjax-safe.js"
MATHJAX_PACKAGE = ROOT / "node_modules" / "@mathjax" / "src" / "package.json"


def _budget(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


#: What a worker's first answer may take on top of its budget: Node loading MathJax.
STARTUP_SECONDS = 90


def timeout_for(formulas: int) -> float:
    """Seconds a request of ``formulas`` formulas may take."""
    per = _budget("KEXUE_MATH_TIMEOUT", 10)
    return max(per * formulas, min(60, per * 6))


def unavailable() -> str | None:
    """Why formulas cannot be typeset at build time here (no node, no @mathjax/src), or None."""
    if shutil.which("node") is None:
        return "node is not on PATH: formulas are left to MathJax in the browser (install Node)"
    if not MATHJAX_PACKAGE.is_file():
        return (
            f"{MATHJAX_PACKAGE.parent} is missing: formulas are left to MathJax in the browser "
            "(run `npm ci`)"
        )
    return None


class PrerenderError(ToolError):
    pass


class WorkerDiedError(PrerenderError):
    """A worker that stopped or ran over its time budget (it is killed)."""


class Worker:
    """One long-lived ``node tools/prerender-math.mjs``."""

    def __init__(self, font_url: str, config: str):
        node = shutil.which("node")
        if node is None:
            raise PrerenderError("node is not on PATH: it typesets the formulas at build time")
        memory = int(_budget("KEXUE_MATH_MEMORY_MB", 2048))
        self.args = (font_url, config)
        self.proc = subprocess.Popen(
            [node, f"--max-old-space-size={memory}", str(SCRIPT), font_url, config, layout_json()],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.calls = 0
        self.rules: list[str] = []  # the worker's CSS rules by number

    def ask(self, request: dict, timeout: float | None = None) -> dict:
        """The worker's answer to ``request``; WorkerDiedError when it stops or takes longer
        than ``timeout`` seconds (then it is killed)."""
        got: list[str] = []
        if timeout is not None and not self.calls:
            timeout += STARTUP_SECONDS  # the first answer waits for MathJax to load

        def read():
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                got.append(self.proc.stdout.readline())
            except (OSError, ValueError):
                got.append("")

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.kill()
            reader.join(5)
            budget = timeout - (0 if self.calls else STARTUP_SECONDS)
            raise WorkerDiedError(f"over the time budget ({budget:.0f} s)")
        if not got or not got[0]:
            self.kill()
            raise WorkerDiedError(f"the MathJax worker stopped ({self._death()})")
        answer = json.loads(got[0])
        if "error" in answer and "results" not in answer and "css" not in answer:
            raise PrerenderError(f"the MathJax worker failed: {answer['error']}")
        self.calls += 1
        self.rules.extend(answer.get("rules", ()))
        return answer

    def typeset(self, request: dict) -> list[dict]:
        """The results of a page request (its emitted formulas), with their CSS rules,
        their markup through the math allowlist."""
        timeout = timeout_for(len(request["formulas"]))
        results = [r for r in self.ask(request, timeout)["results"] if r is not None]
        for r in results:
            r["css"] = [self.rules[i] for i in r["css"]]
            if r.get("html") and not r.get("error"):
                r["html"], removed = sanitize_math(r["html"])
                if removed:
                    r["filtered"] = [*r.get("filtered", ()), *removed]
        return results

    def _death(self) -> str:
        code = self.proc.poll()
        err = (self.proc.stderr.read() or "").strip().splitlines() if code is not None else []
        heap = any("heap" in line.lower() for line in err)
        if heap:
            return "out of memory: over the heap budget"
        return f"exit {code}: {err[-1][:200]}" if err else f"exit {code}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def version_key(font_url: str, config: str) -> str:
    mathjax = "?"
    if MATHJAX_PACKAGE.is_file():
        mathjax = json.loads(MATHJAX_PACKAGE.read_text(encoding="utf-8"))["version"]
    code = SCRIPT.read_bytes() + SAFE_SCRIPT.read_bytes()  # the worker and its safe filter
    script = hashlib.sha256(code).hexdigest()[:16]
    # the configuration (kexue.math.mathjax_config, with the macros every page defines)
    # changes what a formula means, and the widths displays are broken at (kexue.math.layout)
    return f"mathjax {mathjax}; {script}; {font_url}; {config}; {layout_json()}"


def warn(message: str) -> None:
    print(f"[kexue] warning: {message}", file=sys.stderr, flush=True)


def typeset(
    todo,
    cache: Cache,
    args: tuple[str, str],
    base_file: Path,
    workers: int | None,
    warn: Callable[[str], None] = warn,
) -> tuple[int, int]:
    """Typeset the missing formulas of ``todo`` ((page, missing) pairs) on worker
    processes started with ``args`` (font URL, MathJax configuration), filling in their
    results; write the base stylesheet into ``base_file``; (requests made, formulas
    typeset).  A formula over budget gets an error result (not cached) and a ``warn``
    line."""
    n = workers or min(2, os.cpu_count() or 1)
    n = max(1, min(n, len(todo) or 1))
    pool = [Worker(*args) for _ in range(n)]
    try:
        hello = pool[0].ask({"cmd": "hello"}, timeout_for(1))
        base_file.parent.mkdir(parents=True, exist_ok=True)
        base_file.write_text("\n".join(shipped(hello["css"])) + "\n", encoding="utf-8")
        done = _run(pool, _jobs(todo), cache, warn)
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


def _page_results(pool: list[Worker], slot: int, page, missing, warn) -> dict[str, dict]:
    """The results of ``missing`` (formulas of ``page``) by key, on ``pool[slot]``: the
    page in one request; when that worker dies or runs over, formula by formula on a
    fresh one, a formula that fails again left to the browser."""
    try:
        results = pool[slot].typeset(typeset_request(page, missing))
        return {f.key: r for f, r in zip(missing, results, strict=True)}
    except WorkerDiedError:
        pool[slot] = Worker(*pool[slot].args)
    out = {}
    for f in missing:
        try:
            out[f.key] = pool[slot].typeset(typeset_request(page, [f]))[0]
        except WorkerDiedError as e:
            pool[slot] = Worker(*pool[slot].args)
            where = page.path.as_posix()
            warn(f"{where}: formula {f.source[:80]!r} left to the browser: {e}")
            error = f"not typeset at build time: {e}"
            out[f.key] = {"html": "", "css": [], "tags": [], "error": error, "budget": True}
    return out


def _run(pool: list[Worker], queue: list, cache: Cache, warn) -> dict[str, dict]:
    """Each worker taking the next job of ``queue`` when it is free, every result put in
    ``cache`` as it comes (but those over budget): the results by formula key."""
    done: dict[str, dict] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(slot: int):
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    page, missing = queue.pop(0)
                fresh = _page_results(pool, slot, page, missing, warn)
                cache.put_many({k: r for k, r in fresh.items() if not r.get("budget")})
                with lock:
                    done.update(fresh)
        except BaseException as e:  # reported below, after the other worker stops
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(pool))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return done
