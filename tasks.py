"""Operator tasks: `invoke --list`.  Thin adapters over the kexue package."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "output"
PY = sys.executable


def _say(msg: str) -> None:
    print(f"[kexue] {msg}", flush=True)


def _pelican(c, settings: str, output: Path) -> None:
    result = c.run(f'"{PY}" -m pelican content -s {settings} -o "{output}"', warn=True)
    if result.failed:
        raise Exit(f"pelican failed (exit {result.exited}); see the messages above", code=1)


@task(help={"settings": "pelicanconf.py (default) or publishconf.py", "output": "output folder"})
def build(c, settings="pelicanconf.py", output=str(OUTPUT)):
    """Build the site from content/ into output/."""
    out = Path(output)
    _pelican(c, settings, out)
    pages = sum(1 for _ in out.rglob("*.html"))
    _say(f"built {pages} HTML pages into {out} (serve them with `./run serve`)")


@task(help={"port": "port on 127.0.0.1 (default 8000)", "no_build": "serve without building"})
def serve(c, port=8000, no_build=False):
    """Build, then serve output/ on http://127.0.0.1:PORT/."""
    if not no_build:
        build(c)
    from kexue.serve import serve_forever

    _say(f"serving {OUTPUT} at http://127.0.0.1:{port}/ (Ctrl-C stops)")
    serve_forever(OUTPUT, int(port))


@task
def clean(c):
    """Remove output/ and the build caches."""
    for path in (OUTPUT, ROOT / ".cache" / "pelican"):
        if path.exists():
            shutil.rmtree(path)
            _say(f"removed {path.relative_to(ROOT)}")
    _say("clean")


@task(help={"no_build": "check the existing output/ without building first"})
def check(c, no_build=False):
    """Run every check (content, notes, formulas on built pages); non-zero if any fails."""
    from kexue.checks import CheckContext, run_checks

    if not no_build:
        build(c)
    ctx = CheckContext(root=ROOT, content=ROOT / "content", output=OUTPUT)
    failed = 0
    for name, problems in run_checks(ctx):
        for problem in problems:
            print(problem)
        failed += len(problems)
        _say(f"check {name}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    if failed:
        raise Exit(f"invoke check: {failed} problem(s)", code=1)
    _say("all checks passed")


@task
def lint(c):
    """ruff check and ruff format --check."""
    ok = c.run(f'"{PY}" -m ruff check .', warn=True).ok
    ok = c.run(f'"{PY}" -m ruff format --check .', warn=True).ok and ok
    if not ok:
        raise Exit("lint failed: run `ruff check --fix . && ruff format .`", code=1)
    _say("lint clean")


@task(help={"k": "only tests matching this pytest -k expression", "x": "stop at first failure"})
def test(c, k="", x=False):
    """Lint, then the whole test suite (pytest, browser tests included)."""
    lint(c)
    args = ["-ra"]
    if k:
        args += ["-k", repr(k)]
    if x:
        args.append("-x")
    env = {"PYTHONPATH": str(ROOT)}
    result = c.run(f'"{PY}" -m pytest {" ".join(args)}', warn=True, env=env, pty=False)
    if result.failed:
        raise Exit(f"tests failed (pytest exit {result.exited})", code=1)
    _say("all tests passed")


os.environ.setdefault("PYTHONUTF8", "1")
