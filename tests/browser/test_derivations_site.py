"""Derivation notes in the built site: panels under their equations, in Chromium too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, build_site

PANEL_RE = re.compile(r'\n<details class="deriv-note".*?</div></details>\n', re.S)
APPENDIX_RE = re.compile(
    r'(?:<div class="post-notes">)?<section class="deriv-appendix".*?</section>(?:</div>)?\n?', re.S
)
TOC_NOTES_RE = re.compile(r'\s*<li class="toc-level-\d toc-notes">.*?</li>')
NOTICE_RE = re.compile(r'<p class="deriv-notice".*?</p>\n', re.S)
# The page's rules and preloaded fonts for its typeset formulas (kexue.math.prerender) cover
# the notes' formulas too.
MATH_STYLE_RE = re.compile(
    r'(?:<link rel="preload" href="[^"]*/mathjax4/woff2/[^"]*"[^>]*>)*'
    r'(<link rel="stylesheet" href="[^"]*/mathjax4/chtml\.css">)<style>.*?</style>',
    re.S,
)


@pytest.fixture(scope="module")
def site_without_notes(tmp_path_factory) -> Path:
    """content/ without its derivations folder, built."""
    tmp = tmp_path_factory.mktemp("no-notes")
    shutil.copytree(ROOT / "content", tmp / "content", ignore=shutil.ignore_patterns("derivations"))
    build_site(tmp / "content", tmp / "output")
    return tmp / "output"


def _page(site: Path, post_id: str) -> str:
    return (site / "archives" / post_id / "index.html").read_text(encoding="utf-8")


def test_notes_open_under_their_equations_in_chromium(browser, served_sample_site):
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = served_sample_site.url

    page.goto(f"{base}/archives/90001/")
    page.evaluate("document.fonts.ready")  # math is typeset at build time
    panels = page.locator("details.deriv-note")
    assert panels.count() == 5
    assert page.locator("details.deriv-note[open]").count() == 0
    # Each panel follows the display of its equation, whose number is still shown.
    after = page.evaluate(
        "['deriv-eq-1','deriv-eq-2','deriv-eq-3','deriv-eq-4'].map(id => {"
        "  let e = document.getElementById(id).previousElementSibling;"
        "  while (e && e.tagName === 'DETAILS') e = e.previousElementSibling;"
        "  return e.id; })"
    )
    assert after == ["eq-1", "eq-2", "eq-2", "eq-4"]
    assert "(4)" in page.inner_text("#eq-4") and "(3)" in page.inner_text("#eq-2")
    body = page.locator("#deriv-eq-4 .deriv-body")
    assert not body.is_visible()
    page.click("#deriv-eq-4 > summary")  # the 推导 button
    assert body.is_visible()
    assert "方差的缩放" in body.inner_text() and "(4.1)" in body.inner_text()
    assert "本站注释，非原文" in page.inner_text("#deriv-eq-4 > summary")
    assert page.locator("mjx-merror").count() == 0
    # A hash change to another panel opens it.
    page.evaluate("location.hash = '#deriv-eq-2'")
    page.wait_for_function("document.getElementById('deriv-eq-2').open")
    # 全部展开 opens every note, 全部收起 closes them.
    page.click(".deriv-expand-all")
    assert page.locator("details.deriv-note:not([open])").count() == 0
    page.click(".deriv-expand-all")
    assert page.locator("details.deriv-note[open]").count() == 0
    # Printing expands every note.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.deriv-note:not([open])").count() == 0

    # A deep link opens the right panel, and only that one.
    page.goto(f"{base}/archives/90003/#deriv-eq-KL")
    page.wait_for_function("document.getElementById('deriv-eq-KL').open")
    page.evaluate("document.fonts.ready")  # math is typeset at build time
    assert page.locator("details.deriv-note[open]").count() == 1
    assert "KL" in page.inner_text("#deriv-eq-KL > summary")
    assert page.locator("#deriv-eq-KL .deriv-body").is_visible()
    page.wait_for_function(  # scrolled to it, once images, fonts and MathJax have settled
        "(() => { const r = document.getElementById('deriv-eq-KL').getBoundingClientRect();"
        "  return r.top >= 0 && r.top < innerHeight / 2; })()"
    )
    # A link to a label opens its equation's panel.
    page.goto(f"{base}/archives/90001/#deriv-eq:std-att")
    page.wait_for_function("document.getElementById('deriv-eq-4').open")

    # The 有推导 filter on the home page.
    page.goto(f"{base}/")
    assert page.locator("article.summary").first.is_visible()
    page.click(".deriv-filter-toggle")
    assert page.locator("#deriv-only").is_visible()
    assert page.locator("#deriv-only li").count() == 2
    assert not page.locator("article.summary").first.is_visible()
    page.close()
    assert not errors, errors
