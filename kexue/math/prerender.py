"""Formulas typeset at build time: MathJax 4 (npm ``@mathjax/src``) in Node writes the
CHTML markup into the built pages, so math is there at first paint.

:func:`prerender_files` rewrites built HTML files in place.  In each file the math
elements :mod:`kexue.math.extension` wrote (escaped TeX) are collected in reading order
(:mod:`kexue.math.page`: the page model, with the page's equation counters and labels, so
each formula can be typeset, and cached, on its own) and typeset by
``tools/prerender-math.mjs``, long-lived Node workers (:mod:`kexue.math.workers`, two of
them when there are two cores).  A typeset element keeps its ids and ``data-eq-*``
attributes and carries the author's TeX byte for byte in ``data-tex`` (the copy-TeX button
and the tests read it); ``data-mjx-tags`` holds the numbers MathJax drew for a numbered
display, which `invoke check` compares with ``data-eq-shown``.  A formula MathJax rejects
stays TeX, gets ``data-mjx-error``, and its page keeps the client MathJax (typeset in the
browser, as before); pages with no such formula lose the client MathJax script tags.  The
font files a page's formulas use are preloaded (:mod:`kexue.math.fonts`).

Each typeset formula is cached (:mod:`kexue.math.formula_cache`, SQLite, in
MATH_CACHE_PATH) by its TeX, its display mode, the definitions before it on the page that
it uses, its equation counter (when it shows a number), the numbers of the labels it
references, and the MathJax version plus the worker script, so a warm build starts Node
only for formulas that changed; and each typeset page by the page Pelican wrote, so an
unchanged page costs one lookup.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kexue.core.fsutil import atomic_write_text
from kexue.core.memo import code_fingerprint
from kexue.math import workers as pool
from kexue.math.fonts import Fonts
from kexue.math.formula_cache import Cache
from kexue.math.macros import macros_json
from kexue.math.page import (
    CLIENT_END,
    CLIENT_RE,
    CLIENT_START,
    STYLE_MARK,
    STYLESHEET,
    VENDOR_DIR,
    read_page,
    render_page,
)

__all__ = ["CLIENT_END", "CLIENT_START", "STYLESHEET", "VENDOR_DIR", "prerender_files"]

#: A typeset page is cached with the code that assembled it: this module, the page model,
#: and kexue.math.tex, which finds its formulas and their numbers.
_RENDER_VERSION = code_fingerprint(
    (
        "kexue.math.prerender",
        "kexue.math.page",
        "kexue.math.fonts",
        "kexue.math.tex",
        "kexue.math.layout",
    )
)


@dataclass
class PrerenderStats:
    pages: int = 0
    formulas: int = 0
    typeset: int = 0  # by Node in this run (the rest came from the cache)
    rejected: int = 0
    node_calls: int = 0


def prerender_files(
    paths: Iterable[Path],
    output: Path,
    cache_path: Path,
    site_url: str = "",
    workers: int | None = None,
    texts: dict[Path, str] | None = None,
) -> PrerenderStats:
    """Typeset the math elements of ``paths`` (built HTML files) in place; write the base
    stylesheet into ``output``.  ``site_url``: the site's absolute URL, or "" for links
    relative to each page; ``texts``: the text of some of them, already read."""
    font_url = "woff2"  # relative to the stylesheet (output/vendor/mathjax4/chtml.css)
    macros = macros_json()
    version = pool.version_key(font_url, macros)
    stats = PrerenderStats()
    cache = Cache(cache_path / "formulas.sqlite")
    try:
        # A page Pelican wrote exactly as last time: its typeset version, as it was.
        written = _math_pages(paths, output, version, site_url, texts or {})
        done = cache.get_pages(key for key, _ in written.values())
        pages = []
        for path, (key, text) in written.items():
            if key in done:
                typeset, formulas, rejected = done[key]
                atomic_write_text(path, typeset)
                _count(stats, formulas, rejected)
            else:
                pages.append((key, read_page(path, version, text)))
        base_file = cache_path / f"chtml-{hashlib.sha256(version.encode()).hexdigest()[:16]}.css"
        todo = _missing(pages, cache)
        if todo or not base_file.is_file():
            stats.node_calls, stats.typeset = pool.typeset(
                todo, cache, (font_url, macros), base_file, workers
            )
        fonts = Fonts.parse(_install_stylesheet(base_file, output))
        rows = []
        for key, page in pages:
            text, rejected = render_page(page, site_url, output, fonts)
            atomic_write_text(page.path, text)
            rows.append((key, text, len(page.formulas), rejected))
            _count(stats, len(page.formulas), rejected)
        cache.put_pages(rows)
    finally:
        cache.close()
    return stats


def _count(stats: PrerenderStats, formulas: int, rejected: int) -> None:
    stats.pages += 1
    stats.formulas += formulas
    stats.rejected += rejected


def _missing(pages: list, cache: Cache) -> list:
    """Fill in the cached results of ``pages``' formulas; (page, formulas still missing)
    for the pages that have some."""
    known = cache.get_many(f.key for _, p in pages for f in p.formulas)
    todo = []
    for _, page in pages:
        for f in page.formulas:
            f.result = known.get(f.key)
        missing = [f for f in page.formulas if f.result is None]
        if missing:
            todo.append((page, missing))
    return todo


def _install_stylesheet(base_file: Path, output: Path) -> str:
    """Copy the base stylesheet into ``output`` (when it changed); its text."""
    target = output / STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_bytes() != base_file.read_bytes():
        shutil.copyfile(base_file, target)
    return target.read_text(encoding="utf-8")


def _math_pages(
    paths: Iterable[Path], output: Path, version: str, site_url: str, texts: dict[Path, str]
) -> dict[Path, tuple[str, str]]:
    """The pages of ``paths`` with math elements: path -> (cache key, text)."""
    written = {}
    for path in paths:
        text = texts.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8")
        if 'class="math ' in text:
            where = path.relative_to(output).as_posix() if path.is_relative_to(output) else ""
            blob = "\0".join((version, _RENDER_VERSION, site_url, where, text))
            written[path] = (hashlib.sha256(blob.encode()).hexdigest(), text)
    return written


def strip_math_head(path: Path) -> str | None:
    """For a freshly written page: its text when it holds math (to typeset); else drop
    the math head partial's client MathJax and stylesheet mark from it."""
    text = path.read_text(encoding="utf-8")
    if 'class="math ' in text:
        return text
    if CLIENT_START in text or STYLE_MARK in text:
        atomic_write_text(path, CLIENT_RE.sub("", text).replace(STYLE_MARK, ""))
    return None
