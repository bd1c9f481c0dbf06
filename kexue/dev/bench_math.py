"""The math part of `invoke bench`: what math costs at build time, and how soon readers
see it.

On the imported real corpus (the content folder `invoke bench` made), times Pelican
builds, cold and warm: with formulas typeset at build time (kexue.math.prerender, the
default), with them left to MathJax 3 in the browser (MATH_PRERENDER=False: the build
before pre-rendering), and without the math extension at all (plugin kexue_math left
out); and the time kexue.math.tex.find_math plus number_equations take over every post.

Then, in headless Chromium, the heaviest built post (the most formulas, its notes' included;
see `heaviest_post`) in three versions, each loaded in a fresh context five times,
alternating: typeset at build time; MathJax 3 in the browser (our client configuration);
and the source site's MathJax 2.7.9 configuration (npm ``mathjax2``, a devDependency,
copied into the temporary output; the whole body processed, as on the source site).
"Math ready" is when the formulas are typeset and their fonts loaded (pre-rendered: the
first contentful paint or the last math font, whichever is later); also the first
contentful paint, the page's HTML size and all bytes it loads.  Medians, with the
fastest and slowest load.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.chromium import launch
from kexue.math import element
from kexue.math.extension import body_offset
from kexue.math.page import CLIENT_RE as _CLIENT_RE
from kexue.math.tex import find_math, number_equations
from kexue.site.serve import ServedSite

logger = logging.getLogger(__name__)


@dataclass
class Timing:
    what: str
    seconds: float
    cpu: float | None = None  # CPU seconds of the build and its children (Node included)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(root: Path, content: Path, output: Path, cache: Path, **extra) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one Pelican build: on a shared machine the CPU
    time says more than the wall time."""
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(root / "pelicanconf.py")]
    cmd += ["-o", str(output), "-e", f"CACHE_PATH={json.dumps(str(cache))}"]
    cmd += [f"{k}={json.dumps(v)}" for k, v in extra.items()]
    cpu = _cpu()
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    logger.info("pelican build into %s: %.1f s (exit %d)", output, seconds, result.returncode)
    if result.returncode != 0:
        raise RuntimeError(f"pelican failed on {content}:\n{result.stdout}\n{result.stderr}")
    return seconds, _cpu() - cpu


@dataclass
class PageLoad:
    what: str
    ready_ms: list[float]
    paint_ms: list[float]
    loaded_bytes: int
    html_bytes: int
    html_gzip_bytes: int


def _spread(ms: list[float]) -> str:
    """Median of the loads in seconds, with the fastest and the slowest."""
    return f"{statistics.median(ms) / 1000:.2f} s ({min(ms) / 1000:.2f}-{max(ms) / 1000:.2f})"


@dataclass
class MathBench:
    posts: int
    timings: list[Timing]
    loads: list[PageLoad] = field(default_factory=list)
    page: str = ""
    formulas: int = 0  # on the page measured

    def summary(self) -> str:
        lines = [f"{self.posts} posts, {os.cpu_count()} CPUs"]
        for t in self.timings:
            cpu = f" ({t.cpu:.1f} s CPU)" if t.cpu is not None else ""
            lines.append(f"{t.what}: {t.seconds:.1f} s{cpu}")
        by = {t.what: t for t in self.timings}
        pairs = [
            ("cold", COLD_PRE, COLD_CLIENT),
            ("warm", WARM_PRE, WARM_CLIENT),
            ("cold Pelican cache, formulas cached", CODE_PRE, COLD_CLIENT),
        ]
        for name, pre, client in pairs:
            if pre in by and client in by:
                a, b = by[pre], by[client]
                lines.append(
                    f"{name} build, pre-rendered / client: {a.seconds / b.seconds:.2f}x wall, "
                    f"{a.cpu / b.cpu:.2f}x CPU"
                )
        if self.loads:
            lines.append(
                f"the heaviest post, {self.page} ({self.formulas} formulas), in headless "
                f"Chromium: median of {len(self.loads[0].ready_ms)} loads (fastest-slowest)"
            )
        for load in self.loads:
            lines.append(
                f"  {load.what}: math ready {_spread(load.ready_ms)}, first contentful paint "
                f"{_spread(load.paint_ms)}; HTML {load.html_bytes / 1024:.0f} KiB "
                f"({load.html_gzip_bytes / 1024:.0f} KiB gzipped), loads "
                f"{load.loaded_bytes / 1024:.0f} KiB in all"
            )
        if len(self.loads) == 3:
            pre, mj2 = (statistics.median(x.ready_ms) for x in (self.loads[0], self.loads[2]))
            lines.append(f"  pre-rendered math is ready {mj2 / pre:.0f}x sooner than MathJax 2.7.9")
        return "\n".join(lines)


COLD_PRE = "build, formulas typeset at build time, cold caches (no formula cached)"
WARM_PRE = "build, formulas typeset at build time, warm cache"
CODE_PRE = (
    "build, formulas typeset at build time, cold Pelican cache but formulas cached "
    "(after a change to the reading code)"
)
COLD_CLIENT = "build, formulas left to the browser (MATH_PRERENDER=False), cold cache"
WARM_CLIENT = "build, formulas left to the browser (MATH_PRERENDER=False), warm cache"

#: The source site's MathJax 2.7.9 configuration (shared/docs/source-site.md).
MATHJAX2_HEAD = (
    '<script type="text/x-mathjax-config">MathJax.Hub.Config({'
    "tex2jax: {inlineMath: [['$','$'], ['\\\\(','\\\\)']]},"
    'TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true},'
    ' extensions: ["AMSmath.js", "AMSsymbols.js", "extpfeil.js"]}});</script>'
    '<script src="/vendor/mathjax2/MathJax.js?config=TeX-AMS-MML_HTMLorMML"></script>'
)

#: Installed before the page's scripts: records when MathJax (2 or 3) has typeset.
READY_HOOK_JS = r"""
(() => {
  const done = () => { window.__kexueMathReady = performance.now(); };
  window.MathJax = window.MathJax || {
    AuthorInit() { MathJax.Hub.Register.StartupHook("End", done); },
  };
  const poll = () => {
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) return mj.startup.promise.then(done);
    setTimeout(poll, 5);
  };
  poll();
})();
"""

#: After math is ready: when (ms since navigation) and how many bytes came in.
MEASURE_JS = r"""
async (prerendered) => {
  await document.fonts.ready;
  const res = performance.getEntriesByType("resource");
  const fonts = res.filter((r) => /\.(woff2?|otf)(\?|$)/.test(r.name)).map((r) => r.responseEnd);
  let paint;  // the first contentful paint can be reported a little after "load"
  for (let i = 0; i < 500 && !paint; i++) {
    paint = performance.getEntriesByName("first-contentful-paint")[0];
    if (!paint) await new Promise((r) => setTimeout(r, 10));
  }
  const fcp = paint ? paint.startTime : 0;
  const ready = prerendered ? fcp : window.__kexueMathReady;
  const nav = performance.getEntriesByType("navigation")[0];
  const bytes = res.reduce((n, r) => n + r.decodedBodySize, nav.decodedBodySize);
  return {ready: Math.max(ready, ...fonts), paint: fcp, bytes};
}
"""


def _mathjax2_page(client_html: str) -> str:
    """Our client page, with the source site's MathJax 2.7.9 configuration instead."""
    page = _CLIENT_RE.sub("", client_html).replace("</head>", MATHJAX2_HEAD + "</head>", 1)
    return page.replace('<body class="tex2jax_ignore ', '<body class="', 1)


def formula_count(html: str) -> int:
    """The formulas of a built page (kexue.math.extension's wrappers, inline and display)."""
    return sum(1 for _ in element.opening_tags(html))


def heaviest_post(out: Path) -> tuple[str, int]:
    """The built post with the most formulas (its notes' included; the larger page on a
    tie), as ("archives/<id>", formulas).  Drafts are not built, so never chosen."""
    best = (-1, -1, "")
    for path in (out / "archives").glob("*/index.html"):
        html = path.read_text(encoding="utf-8")
        best = max(best, (formula_count(html), len(html), f"archives/{path.parent.name}"))
    if not best[2]:
        raise FileNotFoundError(f"no built post under {out / 'archives'}")
    return best[2], best[0]


def measure_page_loads(
    pre_out: Path, client_out: Path, page: str, node_modules: Path, runs: int = 5
) -> list[PageLoad]:
    """Load ``page`` pre-rendered (from ``pre_out``), with MathJax 3 and with MathJax
    2.7.9 (both from ``client_out``) in headless Chromium, ``runs`` times each.  The
    MathJax 2.7.9 copy sits beside the page (``<page>-mathjax2/``), at the same depth, so
    its relative links reach the same styles and scripts."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for the browser bench)

    shutil.copytree(
        node_modules / "mathjax2", client_out / "vendor" / "mathjax2", dirs_exist_ok=True
    )
    client_html = (client_out / page / "index.html").read_text(encoding="utf-8")
    mj2 = client_out / f"{page}-mathjax2" / "index.html"
    mj2.parent.mkdir(exist_ok=True)
    mj2.write_text(_mathjax2_page(client_html), encoding="utf-8")
    versions = [
        ("typeset at build time (MathJax 4)", pre_out, f"{page}/", True),
        ("MathJax 3 in the browser (today's client)", client_out, f"{page}/", False),
        ("source site's MathJax 2.7.9 configuration", client_out, f"{page}-mathjax2/", False),
    ]
    results = {v[0]: ([], [], 0) for v in versions}
    with ServedSite(pre_out) as pre, ServedSite(client_out) as client, sync_playwright() as p:
        browser = launch(p)
        try:
            for _ in range(runs):
                for what, root, path, prerendered in versions:
                    site = pre if root == pre_out else client
                    context = browser.new_context()
                    tab = context.new_page()
                    if not prerendered:
                        tab.add_init_script(READY_HOOK_JS)
                    tab.goto(f"{site.url}/{path}", wait_until="load", timeout=300_000)
                    if not prerendered:
                        tab.wait_for_function("window.__kexueMathReady", timeout=300_000)
                    got = tab.evaluate(MEASURE_JS, prerendered)
                    ready, paint, _ = results[what]
                    ready.append(got["ready"])
                    paint.append(got["paint"])
                    results[what] = (ready, paint, got["bytes"])
                    context.close()
        finally:
            browser.close()
    loads = []
    for what, root, path, _ in versions:
        html = (root / path / "index.html").read_bytes()
        ready, paint, loaded = results[what]
        loads.append(PageLoad(what, ready, paint, loaded, len(html), len(gzip.compress(html))))
    return loads


def bench_math(root: Path, content: Path, page: str = "") -> MathBench:
    """Time builds of ``content`` (the imported corpus) in temporary folders, and math
    readiness of ``page`` (default: the heaviest built post) in each version."""
    # Pelican only here: the kexue package imports without it.
    from pelican.settings import read_settings  # noqa: PLC0415 (Pelican: kexue imports without it)

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
        client = dict(MATH_PRERENDER=False, PLUGINS=plugins)
        formulas = dict(MATH_CACHE_PATH=str(tmp / "formulas"), PLUGINS=plugins)
        timings = [
            Timing(COLD_CLIENT, *_build(root, content, tmp / "a", tmp / "ca", **client)),
            Timing(WARM_CLIENT, *_build(root, content, tmp / "a", tmp / "ca", **client)),
            Timing(COLD_PRE, *_build(root, content, tmp / "p", tmp / "cp", **formulas)),
            Timing(WARM_PRE, *_build(root, content, tmp / "p", tmp / "cp", **formulas)),
            Timing(CODE_PRE, *_build(root, content, tmp / "p", tmp / "cq", **formulas)),
            Timing(
                "build without the math extension (kexue_math left out), cold cache",
                *_build(root, content, tmp / "b", tmp / "cb", PLUGINS=without),
            ),
            Timing("find_math + number_equations over every post", scan),
        ]
        page = page or heaviest_post(tmp / "p")[0]
        loads, formulas = [], 0
        built = tmp / "p" / page / "index.html"
        if built.is_file():
            formulas = formula_count(built.read_text(encoding="utf-8"))
            loads = measure_page_loads(tmp / "p", tmp / "a", page, root / "node_modules")
    return MathBench(len(posts), timings, loads, page, formulas)


# ---------- readers (issue 27): a phone on a throttled network ----------

#: Lighthouse's mobile profile: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, 4x CPU.
THROTTLE = {"latency": 150, "download": 1_638_400 / 8, "upload": 750_000 / 8, "cpu": 4}
PHONE = {"width": 360, "height": 740}

#: After load: first contentful paint, when every math font had come (pre-rendered math is
#: visible then), and the bytes the page transferred (headers and compressed bodies).
PHONE_MEASURE_JS = r"""
async () => {
  await document.fonts.ready;
  let paint;
  for (let i = 0; i < 500 && !paint; i++) {
    paint = performance.getEntriesByName("first-contentful-paint")[0];
    if (!paint) await new Promise((r) => setTimeout(r, 10));
  }
  const fcp = paint ? paint.startTime : 0;
  const res = performance.getEntriesByType("resource");
  const fonts = res.filter((r) => /\.(woff2?|otf)(\?|$)/.test(r.name)).map((r) => r.responseEnd);
  const nav = performance.getEntriesByType("navigation")[0];
  const bytes = res.reduce((n, r) => n + r.transferSize, nav.transferSize);
  return {paint: fcp, ready: Math.max(fcp, ...fonts), bytes};
}
"""

#: Each display of the text at this width: does it scroll sideways; its equation numbers
#: (MathJax's, or the ones moved under it): are they all within the viewport and the
#: display's visible box?
PHONE_LAYOUT_JS = r"""
() => {
  const vw = document.documentElement.clientWidth;
  return [...document.querySelectorAll('.math.display')].map((d) => {
    const box = d.getBoundingClientRect();
    const under = d.querySelector(':scope > .eq-tags-under');
    const tags = under && getComputedStyle(under).display !== 'none' ? [under] :
      [...d.querySelectorAll('mjx-labels mjx-mtd')].filter((t) => t.getClientRects().length);
    const inView = tags.every((t) => { const r = t.getBoundingClientRect();
      return r.left >= Math.max(0, box.left) - 1 && r.right <= Math.min(vw, box.right) + 1; });
    return [d.scrollWidth > d.clientWidth + 1, !!d.dataset.mjxTags, tags.length > 0 && inView];
  });
}
"""


@dataclass
class PhoneLoad:
    what: str
    paint_ms: list[float]
    ready_ms: list[float]
    transferred: int


@dataclass
class ReadersBench:
    page: str
    formulas: int
    plain: str
    loads: list[PhoneLoad]
    pages: int = 0  # pages whose layout was measured at 360 px
    displays: int = 0
    scrolling: int = 0
    numbered: int = 0
    numbers_in_view: int = 0

    def summary(self) -> str:
        t = THROTTLE
        lines = [
            f"{self.page} ({self.formulas} formulas) against {self.plain} (no math), "
            f"{PHONE['width']} px, {t['latency']} ms RTT, {t['download'] * 8 / 1e6:.1f} Mbit/s "
            f"down, {t['cpu']}x CPU, text gzipped: median of {len(self.loads[0].paint_ms)} loads"
        ]
        for load in self.loads:
            lines.append(
                f"  {load.what}: first contentful paint {_spread(load.paint_ms)}, all math "
                f"visible {_spread(load.ready_ms)}, {load.transferred / 1024:.0f} KiB "
                "transferred"
            )
        if self.displays:
            lines.append(
                f"at 360 px, {self.pages} posts: {self.scrolling} of {self.displays} displays "
                f"({100 * self.scrolling / self.displays:.1f}%) scroll sideways; "
                f"{self.numbers_in_view} of {self.numbered} numbered displays show every "
                "number in view"
            )
        return "\n".join(lines)


def plain_post(out: Path) -> str:
    """The longest built post without a formula ("archives/<id>"), else the longest such
    page of the site ("" when every page has math)."""
    for pages in (out.glob("archives/*/index.html"), out.rglob("index.html")):
        best = (-1, "")
        for path in pages:
            html = path.read_text(encoding="utf-8")
            if not formula_count(html):
                best = max(best, (len(html), path.parent.relative_to(out).as_posix()))
        if best[1]:
            return best[1]
    return ""


def _throttled_load(browser, url: str) -> dict:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        tab = context.new_page()
        cdp = context.new_cdp_session(tab)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": THROTTLE["latency"],
                "downloadThroughput": THROTTLE["download"],
                "uploadThroughput": THROTTLE["upload"],
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE["cpu"]})
        tab.goto(url, wait_until="load", timeout=300_000)
        return tab.evaluate(PHONE_MEASURE_JS)
    finally:
        context.close()


def phone_layout(browser, site_url: str, pages: list[str]) -> list[list[bool]]:
    """PHONE_LAYOUT_JS's answer for each page at 360 px (every block laid out)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    rows = []
    try:
        for page in pages:
            tab.goto(f"{site_url}/{page}/", wait_until="load", timeout=120_000)
            tab.add_style_tag(content="* { content-visibility: visible !important; }")
            tab.evaluate("document.fonts.ready")
            rows.extend(tab.evaluate(PHONE_LAYOUT_JS))
    finally:
        context.close()
    return rows


def bench_readers(out: Path, page: str = "", runs: int = 3, layout: bool = True) -> ReadersBench:
    """The heaviest post (or ``page``) and a post without math, loaded ``runs`` times each
    on a throttled phone from the built site ``out``; with ``layout``, how every post's
    displays fit at 360 px."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for the browser bench)

    page, formulas = (page, 0) if page else heaviest_post(out)
    formulas = formulas or formula_count((out / page / "index.html").read_text(encoding="utf-8"))
    plain = plain_post(out)
    versions = [(f"{page} (math typeset at build time)", page)]
    if plain:
        versions.append((f"{plain} (no math)", plain))
    loads = {what: PhoneLoad(what, [], [], 0) for what, _ in versions}
    report = ReadersBench(page, formulas, plain or "-", list(loads.values()))
    with ServedSite(out, compress=True) as site, sync_playwright() as p:
        browser = launch(p)
        try:
            for _ in range(runs):
                for what, path in versions:
                    got = _throttled_load(browser, f"{site.url}/{path}/")
                    loads[what].paint_ms.append(got["paint"])
                    loads[what].ready_ms.append(got["ready"])
                    loads[what].transferred = got["bytes"]
            if layout:
                posts = sorted(
                    f"archives/{p.parent.name}" for p in (out / "archives").glob("*/index.html")
                )
                rows = phone_layout(browser, site.url, posts)
                report.pages = len(posts)
                report.displays = len(rows)
                report.scrolling = sum(1 for scrolls, _, _ in rows if scrolls)
                report.numbered = sum(1 for _, numbered, _ in rows if numbered)
                report.numbers_in_view = sum(1 for _, numbered, ok in rows if numbered and ok)
        finally:
            browser.close()
    return report
