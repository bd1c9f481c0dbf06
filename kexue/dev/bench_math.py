"""The math part of `invoke bench`: what protecting TeX costs at build time.

On the imported real corpus (the content folder `invoke bench` made), times Pelican
builds: with the math extension on a cold cache, again on the warm cache, and without
the extension (plugin kexue_math left out) on a cold cache; and the time
kexue.tex.find_math plus number_equations take over every post on their own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kexue.markdown_math import body_offset
from kexue.tex import find_math, number_equations

logger = logging.getLogger(__name__)


@dataclass
class Timing:
    what: str
    seconds: float


def _build(root: Path, content: Path, output: Path, cache: Path, **extra) -> float:
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(root / "pelicanconf.py")]
    cmd += ["-o", str(output), "-e", f"CACHE_PATH={json.dumps(str(cache))}"]
    cmd += [f"{k}={json.dumps(v)}" for k, v in extra.items()]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    logger.info("pelican build into %s: %.1f s (exit %d)", output, seconds, result.returncode)
    if result.returncode != 0:
        raise RuntimeError(f"pelican failed on {content}:\n{result.stdout}\n{result.stderr}")
    return seconds


@dataclass
class MathBench:
    posts: int
    timings: list[Timing]

    def summary(self) -> str:
        lines = [f"{self.posts} posts, {os.cpu_count()} CPUs"]
        lines += [f"{t.what}: {t.seconds:.1f} s" for t in self.timings]
        return "\n".join(lines)


def bench_math(root: Path, content: Path) -> MathBench:
    """Time builds of ``content`` (the imported corpus) in temporary folders."""
    # Pelican only here: the kexue package imports without it.
    from pelican.settings import read_settings  # noqa: PLC0415

    # Pelican alone, as before the search index moved into the build (kexue_search).
    settings = read_settings(str(root / "pelicanconf.py"))
    plugins = [p for p in settings["PLUGINS"] if p != "kexue_search"]
    without = [p for p in plugins if p != "kexue_math"]
    posts = sorted((content / "posts").glob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in posts]
    started = time.perf_counter()
    for text in texts:
        number_equations(find_math(text[body_offset(text) :]))
    scan = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="kexue-bench-math-") as tmp:
        tmp = Path(tmp)
        cold = _build(root, content, tmp / "a", tmp / "ca", PLUGINS=plugins)
        warm = _build(root, content, tmp / "a", tmp / "ca", PLUGINS=plugins)
        plain = _build(root, content, tmp / "b", tmp / "cb", PLUGINS=without)
    return MathBench(
        len(posts),
        [
            Timing("build with the math extension, cold cache", cold),
            Timing("build with the math extension, warm cache", warm),
            Timing("build without the math extension (kexue_math left out), cold cache", plain),
            Timing("find_math + number_equations over every post", scan),
        ],
    )
