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


def test_a_post_without_a_note_is_untouched(sample_site, site_without_notes):
    for post_id in ("90002", "90004"):
        assert _page(sample_site, post_id) == _page(site_without_notes, post_id)


def test_a_post_with_a_note_keeps_its_own_html_byte_for_byte(sample_site, site_without_notes):
    for post_id in ("90001", "90003"):
        with_notes = _page(sample_site, post_id)
        assert len(PANEL_RE.findall(with_notes)) >= 4
        assert APPENDIX_RE.search(with_notes)
        assert NOTICE_RE.search(with_notes)
        bare = NOTICE_RE.sub("", APPENDIX_RE.sub("", PANEL_RE.sub("", with_notes)))
        bare = TOC_NOTES_RE.sub("", bare)  # the appendix's entries in the contents
        without = _page(site_without_notes, post_id)
        assert MATH_STYLE_RE.sub(r"\1", bare) == MATH_STYLE_RE.sub(r"\1", without)


def test_lists_mark_the_posts_with_notes(sample_site):
    index = (sample_site / "index.html").read_text(encoding="utf-8")
    badges = re.findall(r'<a class="deriv-badge"[^>]*href="([^"]+)"', index)
    assert sorted(badges) == ["./archives/90001/", "./archives/90003/"]
    only = re.search(r'<section id="deriv-only".*?</section>', index, re.S).group(0)
    assert only.count("<li>") == 2 and "90002" not in only


def test_a_note_without_its_post_builds_as_a_page_linking_the_original(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "samples", content / "samples")
    (content / "derivations").mkdir()
    (content / "derivations" / "99999.md").write_text(
        "Post: 99999\nStatus: draft\nAuthors: 测试者\n\n整体说明。\n\n"
        "## @(2) 第二式\n由 $a^2$ 推出 $$b \\tag{2.1}$$\n",
        encoding="utf-8",
    )
    build_site(content, tmp_path / "output")
    page = (tmp_path / "output" / "archives" / "99999" / "index.html").read_text("utf-8")
    assert '<a href="https://spaces.ac.cn/archives/99999">' in page
    assert "科学空间文章 99999 的推导注释" in page and "测试者" in page
    assert "式 (2)：第二式" in page and "整体说明" in page and "推导与注释" in page
    assert "mjx-container" in page and "data-mjx-error" not in page  # its math is typeset
    index = (tmp_path / "output" / "index.html").read_text("utf-8")
    assert "99999" not in index  # a hidden page, not a post of the lists


def test_summaries_stay_the_posts_own_text_while_the_content_carries_the_notes(tmp_path):
    """Pelican cuts a summary from the content when a post has none: not from the panels."""
    content = tmp_path / "content"
    (content / "samples").mkdir(parents=True)
    (content / "derivations").mkdir()
    (content / "samples" / "91234.md").write_text(
        "Title: t\nDate: 2026-01-01\nSlug: 91234\n\n开头 $x$\n"
        "\\begin{equation}a=b\\end{equation}\n结尾。\n",
        encoding="utf-8",
    )
    (content / "derivations" / "91234.md").write_text("Post: 91234\n\n## @(1)\n注释文字\n", "utf-8")
    build_site(content, tmp_path / "output", FEED_ALL_ATOM="feeds/all.atom.xml")
    feed = (tmp_path / "output" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", feed, re.S).group(1)
    content_html = re.search(r"<content[^>]*>(.*?)</content>", feed, re.S).group(1)
    assert "结尾" in summary and "deriv-note" not in summary and "注释文字" not in summary
    assert "deriv-note" in content_html and "注释文字" in content_html


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
