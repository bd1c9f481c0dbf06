"""The tests of tests/browser/test_theme.py that read the built site without a browser
(the browser tier holds only tests that drive Chromium)."""

from __future__ import annotations

import re

import pytest

import tests.browser.test_theme as browser_tier
from kexue.reading.boxes import KINDS
from kexue.reading.structure import (
    Entry,
    headings,
    neighbours,
    reading_minutes,
    related_posts,
    slugify_heading,
)
from kexue.site.pygments_css import pygments_css
from tests.browser.test_theme import CSS, _tokens, contrast, mix, read, render

# the built site the browser tier's tests use (a fixture of that module)
small_site = browser_tier.small_site


def test_heading_ids_keep_chinese_and_are_unique_and_stable():
    text = "## 方差的计算\n\n正文\n\n## 方差的计算\n\n## $x$ 的由来\n\n## $\\alpha$\n"
    assert slugify_heading("（）", "-") == "section"
    html = render(text)
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    assert ids == ["方差的计算", "方差的计算_1", "x-的由来", "alpha"]
    assert render(text) == html  # the same text always gives the same ids


def test_headings_lists_top_level_sections_without_permalinks_or_box_headings():
    html = render(
        "## 问题 $q$\n\n### 小节\n\n#### 太深\n\n"
        '<div class="derivation-box" markdown="1">\n\n### 框里的标题\n\n</div>\n'
    )
    toc = headings(html)
    assert [(h.level, h.id) for h in toc] == [(1, "问题-q"), (2, "小节")]
    assert toc[0].html == '问题 <span class="math inline">$q$</span>'


def test_reading_minutes_counts_chinese_words_and_formulas():
    assert reading_minutes("<p>短</p>") == 1
    assert reading_minutes("<p>" + "字" * 2000 + "</p>") == 5
    assert reading_minutes("<p>" + "word " * 1000 + "</p>") == 5
    formulas = '<div class="math display">$$x$$</div>' * 20
    assert reading_minutes(formulas) == 4  # the TeX is not read as words, the display is


def test_related_posts_prefer_rare_shared_tags_and_topic():
    entries = [
        Entry("a", "优化", frozenset({"示例", "动量"})),
        Entry("b", "概率", frozenset({"示例"})),
        Entry("c", "优化", frozenset({"示例", "动量"})),
        Entry("d", "概率", frozenset({"示例", "KL"})),
    ]
    rel = related_posts(entries, limit=2)
    assert rel["a"] == ["c", "b"]
    assert rel["d"][0] == "b"
    assert "a" not in rel["a"]


def test_neighbours_in_reading_order():
    assert neighbours(["old", "mid", "new"]) == {
        "old": (None, "mid"),
        "mid": ("old", "new"),
        "new": ("mid", None),
    }


def test_boxes_are_titled_and_collapsible_in_markdown():
    html = render(
        '!!! theorem "Cauchy 不等式"\n    对任意 $x$ 成立。\n\n'
        "!!! proof collapsible\n    显然。\n\n"
        '!!! derivation collapsible open "推导：展开"\n    $$a=b$$\n'
    )
    assert '<div class="admonition theorem box">' in html
    assert '<span class="box-kind">定理</span> <span class="box-title">Cauchy 不等式</span>' in html
    assert '<details class="admonition proof box">' in html
    assert '<summary class="admonition-title"><span class="box-kind">证明</span></summary>' in html
    assert '<details class="admonition derivation box" open>' in html
    assert '<span class="box-kind">推导</span> <span class="box-title">推导' not in html
    assert '<div class="math display">$$a=b$$</div>' in html


def test_legacy_box_classes_are_styled():
    css = CSS.read_text(encoding="utf-8")
    for kind in KINDS:
        assert f".box.{kind}" in css and f".{kind}-box" in css, kind


def test_one_pygments_stylesheet_scoped_by_theme():
    css = pygments_css()
    rules = [line for line in css.splitlines() if "{" in line]
    assert all(line.startswith(('[data-theme="light"]', '[data-theme="dark"]')) for line in rules)
    assert '[data-theme="light"] .highlight .k {' in css
    assert '[data-theme="dark"] .highlight .k {' in css


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_colours_have_at_least_4_5_contrast(theme):
    t = _tokens(theme)
    for fg in ("text", "text-soft", "muted", "link", "link-hover"):
        for bg in ("bg", "bg-alt", "bg-code"):
            ratio = contrast(t[fg], t[bg])
            assert ratio >= 4.5, f"{theme}: --{fg} {t[fg]} on --{bg} {t[bg]} is {ratio:.2f}:1"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_boxes_keep_text_and_links_readable(theme):
    t = _tokens(theme)
    for kind in KINDS:
        box = mix(t[f"box-{kind}"], t["box-mix"], t["bg"])
        label = mix(t[f"box-{kind}"], t["label-mix"], t["bg"])
        for fg, bg in (("text", box), ("link", box), ("muted", box), ("text", label)):
            ratio = contrast(t[fg], bg)
            assert ratio >= 4.5, f"{theme} {kind} box: --{fg} on {bg} is {ratio:.2f}:1"


def test_dark_background_and_accent_are_the_templates():
    dark = _tokens("dark")
    assert dark["bg"].lower() == "#1c1c1d" and dark["accent"].lower() == "#2698ba"
    # the template's accent alone would fail on light backgrounds: text links use --link
    assert contrast("#2698ba", _tokens("light")["bg"]) < 4.5


def test_undated_posts_say_so_and_stay_out_of_year_archives(small_site):
    assert "日期未知" in read(small_site, "archives/91002/index.html")
    archives = read(small_site, "archives/index.html")
    assert archives.index(">2025 <") < archives.index(">2024 <") < archives.index(">日期未知 <")
    assert not (small_site / "archives" / "1970").exists()
    assert "91002" not in read(small_site, "archives/2025/index.html")


def test_excerpt_posts_link_the_original(small_site):
    html = read(small_site, "archives/91003/index.html")
    assert 'class="notice notice-excerpt"' in html
    assert '<a href="https://spaces.ac.cn/archives/91003">到科学空间阅读全文</a>' in html
    assert "苏剑林" in html  # an empty author means the source's author


def test_article_has_byline_toc_breadcrumbs_and_neighbours(small_site):
    html = read(small_site, "archives/91001/index.html")
    assert '<a href="#一" data-toc-link>一</a>' in html and 'href="#一_1"' in html
    assert 'class="breadcrumbs"' in html and 'class="d-byline"' in html
    assert 'rel="prev"' in html and "91003" in html  # the older dated post
    assert "相关文章" in html


def test_every_page_type_is_written(sample_site):
    for path in (
        "index.html",
        "archives/90001/index.html",
        "pages/about/index.html",
        "categories/index.html",
        "tags/index.html",
        "tag/示例/index.html",
        "archives/index.html",
        "archives/2026/index.html",
        "search/index.html",
        "404.html",
    ):
        html = read(sample_site, path)
        assert '<html lang="zh-CN"' in html and 'class="tex2jax_ignore' in html, path
        assert 'name="color-scheme"' in html and "kexue-theme" in html, path
    assert "<noscript>" in read(sample_site, "search/index.html")
    assert (sample_site / "theme" / "css" / "pygments.css").is_file()
