"""The tests of tests/browser/test_derivations_site.py that read the built site without a browser
(the browser tier holds only tests that drive Chromium)."""

from __future__ import annotations

import re
import shutil

import tests.browser.test_derivations_site as browser_tier
from tests.browser.test_derivations_site import (
    APPENDIX_RE,
    MATH_STYLE_RE,
    NOTICE_RE,
    PANEL_RE,
    TOC_NOTES_RE,
    _page,
)
from tests.conftest import ROOT, build_site

# the built site the browser tier's tests use (a fixture of that module)
site_without_notes = browser_tier.site_without_notes


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
