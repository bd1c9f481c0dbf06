"""Build benchmarks for `invoke bench`: cold, warm and edit-to-reload, against plain Pelican.

On a content folder (the imported corpus) and on an N-times copy of it (every post and
note copied under new ids), each measured in the same run:

- cold: `invoke build` with an empty cache and an empty output folder, against plain
  Pelican (no plugins, its default theme) on the same Markdown: the posts as articles
  and the notes as pages; and the same cold build with the formulas left to MathJax in
  the browser (MATH_PRERENDER = False), the build the issue's target was set against,
  because plain Pelican typesets no formula while the site's build typesets every one;
- warm: `invoke build` again with nothing changed;
- edit: `invoke serve` running, one note edited: from the file write to the new HTML on
  disk, and to the reloaded page showing the edit in headless Chromium.

Times are wall clock and CPU (user+sys of the processes run).  Targets, from issue 18:
cold at most 1.3x plain Pelican; warm at most 2 s; edit-to-reload at most 1.5 s on the
corpus and 3 s on the 4x corpus.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.chromium import launch
from kexue.core.paths import ROOT

TARGETS = {"cold_ratio": 1.3, "warm": 2.0, "edit_reload_1x": 1.5, "edit_reload_4x": 3.0}
CONNECTED = "] Browser Connected: http"  # livereload's log line (tornado format)
_ID_RE = re.compile(r"^(Slug|Post|Source):(.*?)(\d+)[ \t]*$", re.M)


@dataclass
class Timing:
    wall: float
    cpu: float  # user+sys of the child processes

    def __str__(self) -> str:
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU"


@dataclass
class CorpusResult:
    name: str
    posts: int
    notes: int
    cold: Timing
    plain: Timing
    warm: Timing
    cold_client: Timing | None = None  # cold, formulas left to the browser
    edit_disk: float = 0.0
    edit_reload: float = 0.0
    notes_seen: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.cold.cpu / self.plain.cpu if self.plain.cpu else float("inf")

    @property
    def client_ratio(self) -> float:
        if self.cold_client is None or not self.plain.cpu:
            return float("nan")
        return self.cold_client.cpu / self.plain.cpu

    def lines(self) -> list[str]:
        client = []
        if self.cold_client is not None:
            client = [
                f"  cold, math in the browser {self.cold_client}  (MATH_PRERENDER = False)",
                f"  that / plain (CPU)  {self.client_ratio:.2f}x",
            ]
        return [
            f"{self.name}: {self.posts} posts, {self.notes} notes",
            f"  cold invoke build   {self.cold}  (formulas typeset at build time)",
            f"  plain Pelican       {self.plain}  (posts + notes as pages, no plugins)",
            f"  cold / plain (CPU)  {self.ratio:.2f}x  (target <= {TARGETS['cold_ratio']}x)",
            *client,
            f"  warm, no change     {self.warm}  (target <= {TARGETS['warm']} s)",
            f"  edit note -> HTML   {self.edit_disk:.2f} s wall (median of 3 edits)",
            f"  edit note -> reload {self.edit_reload:.2f} s wall (Chromium, DOMContentLoaded)",
        ]


def _run(cmd: list[str], **kw) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        tail = f"{result.stdout[-2000:]}{result.stderr[-3000:]}"
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def multiply(content: Path, target: Path, times: int, step: int = 20000) -> None:
    """``target``: ``content`` with every post and note also copied ``times - 1`` times
    under new ids (id + k * step), topic overrides included."""
    shutil.copytree(content, target)
    overrides_file = target / "overrides" / "topics.json"
    overrides = json.loads(overrides_file.read_text("utf-8")) if overrides_file.is_file() else {}
    for k in range(1, times):
        for sub in ("posts", "derivations"):
            for path in sorted((content / sub).glob("*.md")):
                new = str(int(path.stem) + k * step)
                text = _ID_RE.sub(rf"\g<1>:\g<2>{new}", path.read_text("utf-8"))
                (target / sub / f"{new}.md").write_text(text, encoding="utf-8")
                if sub == "posts" and path.stem in overrides:
                    overrides[new] = overrides[path.stem]
    if overrides_file.is_file():
        overrides_file.write_text(json.dumps(overrides, ensure_ascii=False), encoding="utf-8")


def plain_copy(content: Path, target: Path) -> None:
    """The same Markdown for plain Pelican: empty header fields dropped (kexue_posts does
    that for the site), each note given the title Pelican needs for a page."""
    for sub in ("posts", "derivations"):
        (target / sub).mkdir(parents=True, exist_ok=True)
        for path in sorted((content / sub).glob("*.md")):
            head, sep, body = path.read_text("utf-8").partition("\n\n")
            lines = [ln for ln in head.split("\n") if ln.split(":", 1)[-1].strip()]
            if sub == "derivations":
                lines = [f"Title: note {path.stem}", f"Slug: note-{path.stem}", *lines]
            (target / sub / path.name).write_text("\n".join(lines) + sep + body, "utf-8")


PLAIN_SETTINGS = """
PATH = {content!r}
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["derivations"]
DEFAULT_DATE = (2000, 1, 1)
TIMEZONE = "Asia/Shanghai"
PLUGINS = []
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

SITE_SETTINGS = """
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa
# Pelican reads relative paths from the settings file's folder: give the project's
PLUGIN_PATHS = [{root!r} + "/plugins"]
THEME = {root!r} + "/theme"
CACHE_PATH = {cache!r}
# the formulas typeset at build time too: a cold build typesets every one
MATH_CACHE_PATH = {cache!r} + "/mathjax"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_SHOWN_AT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav && nav.domContentLoadedEventEnd > 0
    ? (performance.timeOrigin + nav.domContentLoadedEventEnd) / 1000 : 0;
}"""


def _edit_once(page, note: Path, page_file: Path) -> tuple[float, float]:
    """Append a marker to ``note``: (seconds to the new HTML on disk, seconds to the
    reloaded page's DOMContentLoaded, by the page's own clock, with the marker in it)."""
    marker = f"BENCH-EDIT-{time.time_ns()}"
    text = note.read_text("utf-8")
    start, written = time.perf_counter(), time.time()
    note.write_text(text.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
    while marker not in page_file.read_text("utf-8", errors="replace"):
        if time.perf_counter() - start > 120:
            raise RuntimeError(f"{page_file} did not change within 120 s")
        time.sleep(0.005)
    disk = time.perf_counter() - start
    page.wait_for_function(
        f"() => document.readyState !== 'loading' && "
        f"document.documentElement.textContent.includes({marker!r})",
        timeout=120000,
        polling=10,
    )
    return disk, page.evaluate(_SHOWN_AT) - written


def edit_note_timing(
    settings: Path, content: Path, output: Path, note_id: str, edits: int = 3
) -> tuple[float, float]:
    """(seconds from the note's write to the new HTML on disk, to the reloaded page
    showing it in Chromium; medians of ``edits`` edits), with `invoke serve` running."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for the browser bench)

    port = _free_port()
    log_path = output.parent / f"serve-{port}.log"
    log = open(log_path, "w", encoding="utf-8")
    cmd = [sys.executable, "-m", "invoke", "serve", "--settings", str(settings)]
    cmd += ["--content", str(content), "--output", str(output), "--port", str(port)]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        page_file = output / "archives" / note_id / "index.html"
        url = f"http://127.0.0.1:{port}/archives/{note_id}/"
        _wait_for_http(url, server, timeout=900)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto(url)
            connected = 1
            _wait(lambda: _count(log_path, CONNECTED) >= connected, 60)
            note = content / "derivations" / f"{note_id}.md"
            original = note.read_text("utf-8")
            disks, reloads = [], []
            try:
                for _ in range(edits):
                    disk, reload = _edit_once(page, note, page_file)
                    disks.append(disk)
                    reloads.append(reload)
                    # the search index is part of the build (plugins/kexue_search); the
                    # reloaded page connects to livereload again before the next edit
                    connected += 1
                    _wait(lambda n=connected: _count(log_path, CONNECTED) >= n, 60)
            finally:
                note.write_text(original, encoding="utf-8")
            browser.close()
        disk, reload = statistics.median(disks), statistics.median(reloads)
        return disk, reload
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _count(path: Path, text: str) -> int:
    return path.read_text("utf-8", errors="replace").count(text)


def _wait(done, timeout: float) -> None:
    start = time.time()
    while not done():
        if time.time() - start > timeout:
            raise RuntimeError(f"gave up waiting after {timeout} s")
        time.sleep(0.05)


def _wait_for_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"invoke serve exited ({proc.returncode}) before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not served within {timeout} s")


def bench_corpus(name: str, content: Path, work: Path) -> CorpusResult:
    """Every measurement on one content folder (``work``: an empty scratch folder)."""
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def build(name: str, prerender: bool) -> tuple[Path, list[str]]:
        settings = work / f"{name}conf.py"
        cache = str(work / f"{name}-cache")
        text = SITE_SETTINGS.format(root=str(ROOT), cache=cache)
        settings.write_text(text + ("" if prerender else "MATH_PRERENDER = False\n"), "utf-8")
        cmd = [sys.executable, "-m", "invoke", "build", "--settings", str(settings)]
        return settings, [*cmd, "--content", str(content), "--output", str(work / name)]

    _, client_build = build("client", False)
    cold_client = _run(client_build, cwd=ROOT, env=env)
    settings, site_build = build("output", True)
    output = work / "output"
    cold = _run(site_build, cwd=ROOT, env=env)
    warm = _run(site_build, cwd=ROOT, env=env)
    plain_content = work / "plain-content"
    plain_copy(content, plain_content)
    plain_settings = work / "plainconf.py"
    plain_settings.write_text(PLAIN_SETTINGS.format(content=str(plain_content)), "utf-8")
    plain = _run(
        [sys.executable, "-m", "pelican", str(plain_content), "-s", str(plain_settings)]
        + ["-o", str(work / "plain-output")],
        cwd=work,
    )
    posts = sorted((content / "posts").glob("*.md"))
    notes = sorted(p.stem for p in (content / "derivations").glob("*.md"))
    noted = [p.stem for p in posts if p.stem in set(notes)]
    result = CorpusResult(name, len(posts), len(notes), cold, plain, warm, cold_client)
    if noted:
        result.edit_disk, result.edit_reload = edit_note_timing(
            settings, content, output, noted[len(noted) // 2]
        )
    return result


def check_targets(results: list[CorpusResult]) -> list[str]:
    """The targets missed (an empty list: all met)."""
    missed = []
    for r in results:
        if r.ratio > TARGETS["cold_ratio"]:
            missed.append(f"{r.name}: cold {r.ratio:.2f}x plain Pelican")
        if r.warm.wall > TARGETS["warm"] and r is results[0]:
            missed.append(f"{r.name}: warm {r.warm.wall:.2f} s")
    limits = [TARGETS["edit_reload_1x"], TARGETS["edit_reload_4x"]]
    for r, limit in zip(results, limits, strict=False):
        if r.edit_reload > limit:
            missed.append(f"{r.name}: edit-to-reload {r.edit_reload:.2f} s")
    return missed


def growth(results: list[CorpusResult]) -> str:
    if len(results) < 2:
        return ""
    a, b = results[0], results[-1]
    per_a, per_b = a.cold.cpu / a.posts, b.cold.cpu / b.posts
    return (
        f"growth: cold CPU per post {per_a * 1000:.0f} ms ({a.name}) vs {per_b * 1000:.0f} ms "
        f"({b.name}); {b.posts / a.posts:.1f}x the posts cost {b.cold.cpu / a.cold.cpu:.1f}x"
    )
