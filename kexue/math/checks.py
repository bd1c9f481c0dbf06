"""Formulas on built pages: as MathJax typeset them at build time (kexue.math.prerender, read
from the page: :func:`built_problems`) and, where a page leaves formulas to MathJax in the
browser, as MathJax renders them in headless Chromium.

:data:`PROBE_JS` runs in a page after MathJax's first typeset and reports, for each
``.math`` element (written by :mod:`kexue.math.extension`), the equation labels MathJax
drew, the errors it raised and how many formulas it found there.  :func:`probe_pages`
loads pages a few at a time in one browser context; :func:`page_problems` compares a page
against what the build computed (``data-eq-shown``); :func:`check_math_pages` is the
`invoke check` entry, naming the source file and line of each failing formula.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kexue.core import layout
from kexue.core.chromium import ChromiumMissingError, launch
from kexue.core.paths import NOTE_DIR, PAGE_DIR, POST_DIRS
from kexue.core.problems import CheckContext, Problem
from kexue.math import element
from kexue.math.extension import body_offset
from kexue.math.page import STYLE_MARK, STYLESHEET
from kexue.math.tex import find_math
from kexue.site.serve import ServedSite

#: Installed before a page's scripts when only parsing is wanted: MathJax then starts
#: without typesetting the page (PROBE_JS compiles the formulas itself).
COMPILE_ONLY_JS = r"""
(() => {
  let value;
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get() { return value; },
    set(v) {
      if (v && !v.version) v.startup = Object.assign({}, v.startup, {typeset: false});
      value = v;
    },
  });
})();
"""

#: Runs in a page; returns {"elements": [...]} or {"error": "..."}.  Waits until MathJax
#: has loaded and finished its first typeset (MathJax.startup.promise); when the page
#: was opened with COMPILE_ONLY_JS, compiles the formulas (TeX -> MathML tree, where the
#: errors and the equation labels are) without laying them out.
PROBE_JS = r"""
async (timeoutMs) => {
  const t0 = Date.now();
  const loaded = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
  while (!loaded()) {
    // Deferred scripts run before the load event: after it, MathJax is there or not.
    if (document.readyState === "complete" && !loaded()) {
      return {error: "MathJax did not load on this page (its script is missing or failed)"};
    }
    if (Date.now() - t0 > timeoutMs) return {error: "MathJax did not load in time"};
    await new Promise((r) => setTimeout(r, 10));
  }
  await MathJax.startup.promise;
  const doc = MathJax.startup.document;
  if (MathJax.config.startup.typeset === false) {
    await MathJax._.mathjax.mathjax.handleRetriesFor(() => doc.findMath().compile());
  }
  const text = (node) => node.isKind("text") ? node.getText()
    : (node.childNodes || []).map(text).join("");
  // Formulas typeset at build time (data-tex) and those the build rejected
  // (data-mjx-error: `invoke check` reports them from the page) are not MathJax's here.
  const els = Array.from(document.querySelectorAll(".math.inline, .math.display"))
    .filter((el) => !el.hasAttribute("data-tex") && !el.hasAttribute("data-mjx-error"));
  const out = els.map((el) => ({
    display: el.classList.contains("display"),
    shown: el.getAttribute("data-eq-shown"),
    line: Number(el.getAttribute("data-source-line")) || 0,
    note: !!el.closest(".deriv-note, .deriv-appendix"),
    tags: [], errors: [], items: 0, text: null,
  }));
  for (const item of doc.math) {
    const where = item.typesetRoot || (item.start.node && item.start.node.parentElement);
    const el = where && where.closest(".math");
    const i = els.indexOf(el);
    if (i < 0) continue;
    const r = out[i];
    r.items++;
    item.root.walkTree((node) => {
      if (node.isKind("mlabeledtr")) r.tags.push(text(node.childNodes[0]));
      if (node.isKind("merror")) {
        r.errors.push({
          tex: item.start.delim + item.math + item.end.delim,
          math: item.math,
          message: node.attributes.get("data-mjx-error") || text(node),
        });
      }
    });
  }
  const own = (el) => Array.from(el.childNodes)
    .filter((n) => !(n.classList && n.classList.contains("copy-tex")))
    .map((n) => n.textContent).join("");
  els.forEach((el, i) => { if (!out[i].items) out[i].text = own(el); });
  return {elements: out};
}
"""


@dataclass
class ProbedFormula:
    """One ``.math`` element of a page after MathJax ran."""

    display: bool
    shown: str | None  # data-eq-shown, as the build wrote it
    tags: list[str]  # the labels MathJax drew, e.g. "(3)"
    errors: list[dict]  # {"tex", "math", "message"}
    items: int  # formulas MathJax found in the element (1 when all is well)
    text: str | None = None  # the element's text when MathJax found nothing
    note: bool = False  # inside a derivation note (this site's text, numbered on its own)
    line: int = 0  # the line of the post's file it starts on (kexue.math.element), if known

    @property
    def shown_list(self) -> list[str]:
        return self.shown.split("|") if self.shown else []


@dataclass
class ProbedPage:
    url: str
    formulas: list[ProbedFormula] = field(default_factory=list)
    error: str | None = None  # the page as a whole failed (MathJax never finished)


def tags_agree(shown: list[str], drawn: list[str]) -> bool:
    """What the build computed for each numbered row (``1``, ``T``) equals what MathJax
    drew (``(1)``, or ``T`` for \\tag*)."""
    return len(shown) == len(drawn) and all(
        d in (f"({s})", s) for s, d in zip(shown, drawn, strict=True)
    )


_IMAGE_RE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif)(?:[?#].*)?$", re.I)


def _offline(local: str, mirrors: dict[str, Path]):
    """A route handler: requests to ``local`` go through; a URL under a prefix of
    ``mirrors`` (a build's absolute SITEURL) is answered from that folder; anything else
    is refused (no network)."""

    def handle(route):
        url = route.request.url
        if url.startswith(local):
            return route.continue_()
        for prefix, root in mirrors.items():
            if url.startswith(prefix):
                path = root / unquote(urlsplit(url[len(prefix) :]).path)
                path = path / "index.html" if path.is_dir() else path
                if path.is_file():
                    return route.fulfill(path=str(path))
                return route.fulfill(status=404, body="not in the built site")
        return route.abort()

    return handle


def probe_pages(
    context,
    urls: list[str],
    parallel: int = 2,
    typeset: bool = True,
    mirrors: dict[str, Path] | None = None,
    timeout_ms: int = 120_000,
):
    """Yield a :class:`ProbedPage` per URL; ``parallel`` pages load at a time.

    ``typeset=False`` only parses the formulas (MathJax's errors and equation labels are
    all there) and skips laying them out: several times faster on long pages.
    ``mirrors`` maps absolute URL prefixes (a published build's SITEURL + "/") to the
    folder that holds them; other hosts are never contacted."""
    pages = [context.new_page() for _ in range(max(1, parallel))]
    local = "/".join(urls[0].split("/")[:3]) + "/" if urls else ""
    for page in pages:  # images do not change how formulas typeset
        page.route(_IMAGE_RE, lambda route: route.abort())
        page.route(lambda url: not url.startswith(local), _offline(local, mirrors or {}))
        if not typeset:
            page.add_init_script(COMPILE_ONLY_JS)
    try:
        for i in range(0, len(urls), len(pages)):
            batch = list(zip(pages, urls[i : i + len(pages)], strict=False))
            for page, url in batch:
                page.goto(url, wait_until="commit")
            for page, url in batch:
                try:
                    result = page.evaluate(PROBE_JS, timeout_ms)
                except Exception as e:  # a crashed or hung page is a finding, not a stop
                    yield ProbedPage(url, error=f"page failed: {e}")
                    continue
                if "error" in result:
                    yield ProbedPage(url, error=result["error"])
                else:
                    yield ProbedPage(url, [ProbedFormula(**f) for f in result["elements"]])
    finally:
        for page in pages:
            page.close()


@dataclass(frozen=True)
class FormulaProblem:
    """Something wrong with one formula of a page: ``tex`` as MathJax read it."""

    tex: str
    message: str
    line: int = 0  # the line of the page's own content file (kexue.math.element), if known


def page_problems(page: ProbedPage, numbering: bool = True) -> list[FormulaProblem]:
    """MathJax errors, elements MathJax found no (or several) formulas in, and (with
    ``numbering``: on a post's own page, not on lists of summaries) numbering that
    differs from the build's."""
    if page.error:
        return [FormulaProblem("", page.error)]
    out = []
    for f in page.formulas:
        for err in f.errors:
            out.append(FormulaProblem(err["tex"], f"MathJax: {err['message']}", f.line))
        if f.items != 1:
            what = (
                "MathJax did not typeset this formula (do its braces balance?)"
                if not f.items
                else f"MathJax found {f.items} formulas in one math element"
            )
            out.append(FormulaProblem(f.text or "", what, f.line))
        elif numbering and not f.note and not f.errors and not tags_agree(f.shown_list, f.tags):
            out.append(
                FormulaProblem(
                    "",
                    f"equation numbers differ: the build computed {f.shown_list or 'none'}, "
                    f"MathJax drew {f.tags or 'none'}",
                )
            )
    return out


# --- from a built page back to the source ----------------------------------------------

_ARTICLE_RE = re.compile(r"(?:^|/)archives/(\d+)/index\.html$")
_CONTENT_DIRS = (*POST_DIRS, PAGE_DIR, NOTE_DIR)


def source_candidates(content: Path, page: str) -> list[Path]:
    """The content files a page is built from (the article's own file first)."""
    m = _ARTICLE_RE.search(page)
    own = [content / d / f"{m.group(1)}.md" for d in (*POST_DIRS, NOTE_DIR)] if m else []
    return [p for p in own if p.is_file()]


def locate(tex: str, files: Iterable[Path]) -> tuple[Path, int] | None:
    """The first (file, line) whose math span is ``tex`` (with or without delimiters)."""
    for path in files:
        text = path.read_text(encoding="utf-8")
        head = body_offset(text)
        for span in find_math(text[head:]):
            if tex in (span.source, span.tex) or (tex and tex in span.source):
                return path, text.count("\n", 0, head + span.start) + 1
    return None


def _all_sources(content: Path) -> Iterator[Path]:
    for d in _CONTENT_DIRS:
        yield from sorted((content / d).glob("*.md"))


def math_pages(output: Path) -> list[Path]:
    """Built HTML pages that hold math elements (the vendor folder excluded)."""
    pages = []
    for path in sorted(output.rglob("*.html")):
        if layout.VENDOR in path.relative_to(output).parts:
            continue
        if element.has_math(path.read_text(encoding="utf-8", errors="replace")):
            pages.append(path)
    return pages


MATHJAX_SCRIPT = layout.MATHJAX3_SCRIPT
_ABSOLUTE_MATHJAX_RE = re.compile(r"""src=["'](https?://[^"']+/)""" + re.escape(MATHJAX_SCRIPT))


def site_prefixes(pages: Iterable[Path]) -> set[str]:
    """The absolute site URLs (SITEURL + "/") the pages load MathJax from, if any."""
    found = set()
    for path in pages:
        m = _ABSOLUTE_MATHJAX_RE.search(path.read_text(encoding="utf-8", errors="replace"))
        if m:
            found.add(m.group(1))
    return found


_NOTES_RE = re.compile(
    r'<details class="deriv-note".*?</details>|<section class="deriv-appendix".*?</section>', re.S
)


def built_problems(html_text: str, numbering: bool = True) -> list[FormulaProblem]:
    """What a page says of its formulas typeset at build time (kexue.math.prerender): each
    formula MathJax rejected there (``data-mjx-error``, TeX left for the browser), each
    whose URLs, styles, classes or ids the safe filter removed (``data-mjx-filtered``), and
    (with ``numbering``) each display whose drawn numbers (``data-mjx-tags``) differ from
    the build's ``data-eq-shown``; displays in derivation notes are numbered on their own."""
    notes = [m.span() for m in _NOTES_RE.finditer(html_text)]
    out = []
    for start, _display, attrs in element.opening_tags(html_text):
        if "data-mjx-error" in attrs:
            el = element.at(html_text, start)
            tex, line = (el.source, el.line) if el else ("", 0)
            out.append(FormulaProblem(tex, f"MathJax: {attrs['data-mjx-error']}", line))
            continue
        if attrs.get("data-mjx-filtered"):
            filtered = attrs["data-mjx-filtered"].replace("|", ", ")
            message = f"MathJax safe filter removed {filtered} (not allowed on the site)"
            line = int(attrs.get(element.LINE_ATTR) or 0)
            out.append(FormulaProblem(attrs.get("data-tex", ""), message, line))
        if "data-tex" not in attrs or not numbering:
            continue
        if any(a <= start < b for a, b in notes):
            continue
        shown = attrs["data-eq-shown"].split("|") if attrs.get("data-eq-shown") else []
        drawn = attrs["data-mjx-tags"].split("|") if attrs.get("data-mjx-tags") else []
        if not tags_agree(shown, drawn):
            out.append(
                FormulaProblem(
                    "",
                    f"equation numbers differ: the build computed {shown or 'none'}, "
                    f"MathJax drew {drawn or 'none'}",
                )
            )
    return out


def check_math_pages(ctx: CheckContext, parallel: int = 2, context=None) -> Iterator[Problem]:
    """Every built page with math.  Formulas typeset at build time: each one MathJax
    rejected (source file, line, formula, MathJax's message) and each display whose
    drawn equation numbers differ from the build's ids and data-eq-shown, read from the
    page.  Pages that load MathJax in the browser (formulas left to it), in headless
    Chromium: the same for the formulas MathJax typesets there (it parses, or compiles,
    them but does not lay them out).  ``context``: a Playwright browser context to use
    (default: start Chromium)."""

    if not ctx.output.is_dir():
        yield Problem(str(ctx.output), 0, "no built site here: run `invoke build` first")
        return
    report = _Reported(ctx)
    client, server = [], 0
    prerendered = (ctx.output / STYLESHEET).is_file()
    for path in math_pages(ctx.output):
        rel = path.relative_to(ctx.output).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        server += "data-tex=" in text
        if prerendered and STYLE_MARK in text:
            yield Problem(
                str(path),
                0,
                "its formulas were never typeset (a build stopped before it finished): "
                "run `invoke build`",
            )
        if MATHJAX_SCRIPT in text:
            client.append(path)
        yield from report(rel, built_problems(text, numbering=bool(_ARTICLE_RE.search(rel))))
    yield from _missing_files(ctx.output, server, len(client))
    if client and (ctx.output / MATHJAX_SCRIPT).is_file():
        yield from _browser_problems(ctx, client, parallel, context, report)


class _Reported:
    """Problems located in their source, each once (a formula in a summary fails on every
    list page too)."""

    def __init__(self, ctx: CheckContext):
        self.ctx, self.seen = ctx, set()

    def __call__(self, rel: str, problems: Iterable[FormulaProblem]) -> Iterator[Problem]:
        for problem in problems:
            located = _located(self.ctx, rel, problem)
            key = (located.file, located.line, problem.tex, problem.message)
            if not located.line or key not in self.seen:
                self.seen.add(key)
                yield located


def _missing_files(output: Path, server: int, client: int) -> Iterator[Problem]:
    """The stylesheet of build-time formulas, and MathJax for the browser's, when pages
    need them and they are not there."""
    if server and not (output / STYLESHEET).is_file():
        yield Problem(
            str(output / STYLESHEET),
            0,
            f"the stylesheet of the formulas typeset at build time is missing ({server} "
            "pages use it): build again",
        )
    if client and not (output / MATHJAX_SCRIPT).is_file():
        yield Problem(
            str(output / MATHJAX_SCRIPT),
            0,
            f"MathJax is missing from the built site, so {client} pages with math cannot "
            "render: run `npm ci`, then build again (the kexue_assets plugin copies it)",
        )


def _browser_problems(
    ctx: CheckContext, client: list[Path], parallel: int, context, report: _Reported
) -> Iterator[Problem]:
    """The formulas of pages MathJax typesets in the browser, in headless Chromium."""
    pages = [p.relative_to(ctx.output).as_posix() for p in client]
    mirrors = {prefix: ctx.output for prefix in site_prefixes(client)}
    try:
        with ServedSite(ctx.output) as site, contextlib.ExitStack() as stack:
            if context is None:
                context = stack.enter_context(_chromium_context())
            urls = [f"{site.url}/{p}" for p in pages]
            probed_pages = probe_pages(context, urls, parallel, typeset=False, mirrors=mirrors)
            for rel, probed in zip(pages, probed_pages, strict=True):
                own_page = bool(_ARTICLE_RE.search(rel))
                yield from report(rel, page_problems(probed, numbering=own_page))
    except ChromiumMissingError as e:
        yield Problem(str(ctx.output), 0, str(e))


def _located(ctx: CheckContext, rel: str, problem: FormulaProblem) -> Problem:
    """The problem at its source: the line the element carries, in the page's own file;
    else the first formula of the sources with its text."""
    own = source_candidates(ctx.content, rel)
    where = (own[0], problem.line) if problem.line and own else None
    if where is None and problem.tex:
        where = locate(problem.tex, own)
    if where is None and problem.tex:
        where = locate(problem.tex, _all_sources(ctx.content))
    formula = f": {problem.tex!r}" if problem.tex else ""
    message = f"{problem.message} (page {rel}){formula}"
    if where:
        return Problem(str(where[0]), where[1], message)
    file = str(own[0]) if own else str(ctx.output / rel)
    return Problem(file, 0, message)


@contextlib.contextmanager
def _chromium_context():
    """A fresh browser context on Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for the browser check)

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser.new_context()
        finally:
            browser.close()
