"""Hostile content (tests/fixtures/hostile.py) built into a temporary site: no page fires
a dialog in Chromium, no built file holds live markup that is not our templates', every
title, tag and formula shows its author's characters as text, and `invoke check` names
each element the allowlist removes."""

from __future__ import annotations

import copy
import html
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from kexue.core.paths import ROOT
from kexue.core.problems import CheckContext
from kexue.search.index import build_index
from kexue.site.sanitize import check_authored_html
from kexue.site.serve import ServedSite
from tests.conftest import build_site
from tests.fixtures.hostile import (
    DOUBLE_TITLE,
    ENCODED_TITLE,
    FORMULAS,
    RAW_TITLE,
    TAGS,
    write_hostile,
)
from tests.fixtures.live_markup import live_markup, scan_site

HOSTILE_IDS = ("99901", "99902", "99903", "99904")


@pytest.fixture(scope="module")
def hostile_content(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts"))
    write_hostile(content)
    return content


@pytest.fixture(scope="module")
def hostile_site(hostile_content, tmp_path_factory) -> Path:
    out = hostile_content.parent / "output"
    build_site(
        hostile_content,
        out,
        FEED_ALL_ATOM="feeds/all.atom.xml",
        FEED_ALL_RSS="feeds/all.rss.xml",
        TAG_FEED_ATOM="feeds/tag/{slug}.atom.xml",
        KEXUE_TAGS={"min_posts": 1},  # each hostile tag is on one post: show them all
    )
    build_index(out, cache=tmp_path_factory.mktemp("hostile-search"))
    return out


def _doc(out: Path, rel: str):
    return lxml.html.fromstring((out / rel).read_text(encoding="utf-8"))


def test_no_built_file_holds_live_markup(hostile_site):
    assert scan_site(hostile_site) == []


def test_titles_show_their_characters_as_text_on_every_list(hostile_site):
    titles = {"99901": RAW_TITLE, "99902": ENCODED_TITLE, "99903": DOUBLE_TITLE}
    for post_id, title in titles.items():
        page = _doc(hostile_site, f"archives/{post_id}/index.html")
        assert page.get_element_by_id("post-title").text_content() == title
        assert page.findtext(".//title").startswith(title)
    category = next(
        str(p.relative_to(hostile_site))
        for p in (hostile_site / "category").rglob("index.html")
        if "archives/99901/" in p.read_text(encoding="utf-8")
    )
    for rel in ("index.html", "archives/index.html", "archives/2026/index.html", category):
        shown = _doc(hostile_site, rel).text_content()
        for title in titles.values():
            assert title in shown, (rel, title)
    feed = (hostile_site / "feeds/all.atom.xml").read_text(encoding="utf-8")
    for title in titles.values():
        assert f"<title>{html.escape(title, quote=False)}</title>" in feed, title


def test_tags_and_source_category_are_text(hostile_site):
    page = _doc(hostile_site, "archives/99901/index.html")
    tags = [a.text_content() for a in page.find_class("tag")]
    assert TAGS[0] in " ".join(tags)
    assert "<script>alert(7)</script>" in page.find_class("source-category")[0].text_content()
    # A tag's own page lists the post under the tag's text.
    heading = _doc(hostile_site, "tag/img-srcx-onerroralert5/index.html").findtext(".//h1/span")
    assert heading == "标签"
    tag_page = _doc(hostile_site, "tag/img-srcx-onerroralert5/index.html")
    assert "img src=x onerror=alert(5)&gt" in tag_page.xpath("string(//h1)")


def test_search_data_holds_the_raw_characters_as_json_text(hostile_site):
    posts = json.loads((hostile_site / "search/posts.json").read_text(encoding="utf-8"))
    listed = posts["posts"] if isinstance(posts, dict) else posts
    by_url = {p["url"]: p for p in listed}
    assert by_url["archives/99901/"]["title"] == RAW_TITLE
    assert by_url["archives/99902/"]["title"] == ENCODED_TITLE
    options = _doc(hostile_site, "search/index.html").xpath("//select[@name='tag']/option/@value")
    assert "img src=x onerror=alert(5)&gt" in options


def _as_written(el) -> str:
    """``el``'s text with each formula typeset at build time as its TeX (``data-tex``)."""
    el = copy.deepcopy(el)
    for math in el.find_class("math"):
        tex = math.get("data-tex")
        if tex is not None:
            tail = math.tail
            math.clear()
            math.text, math.tail = tex, tail
    return el.text_content()


def test_summary_and_description_are_text(hostile_site):
    page = _doc(hostile_site, "archives/99901/index.html")
    description = page.xpath("//meta[@name='description']/@content")[0]
    assert description.startswith("<img src=x onerror=alert(8)> 摘要")
    summary = page.find_class("d-description")[0]
    assert summary.text_content() == "<img src=x onerror=alert(8)> 摘要 $x<y$"
    # In lists the summary's formulas are math elements, its prose escaped text.
    listed = _doc(hostile_site, "index.html").find_class("summary-text")
    mine = [el for el in listed if "alert(8)" in el.text_content()][0]
    assert _as_written(mine) == "<img src=x onerror=alert(8)> 摘要 $x<y$"
    assert [_as_written(m) for m in mine.find_class("math")] == ["$x<y$"]
    # Without a Summary header, the summary is the first paragraph's text.
    index = _doc(hostile_site, "index.html")
    texts = [t.text_content() for t in index.find_class("summary-text")]
    assert any("&lt;img src=x onerror=alert(19)&gt;" in t for t in texts) is False
    assert any("<img src=x onerror=alert(19)>" in t for t in texts)


def test_formulas_are_byte_exact_text_of_their_math_elements(hostile_site):
    page = _doc(hostile_site, "archives/99903/index.html")
    shown = [_as_written(el) for el in page.find_class("math")]
    for tex in FORMULAS:
        assert tex in shown, tex


def test_the_note_keeps_allowed_boxes_and_loses_frames_and_scripts(hostile_site):
    page = _doc(hostile_site, "archives/99903/index.html")
    note = page.find_class("deriv-note")[0]
    assert note.find_class("theorem-box"), "the allowed box survives"
    assert note.xpath(".//details/summary[text()='展开']")
    assert not page.xpath("//iframe") and "alert(30)" not in page.text_content()
    assert "<img src=x onerror=alert(33)>" in note.find_class("deriv-byline")[0].text_content()


def test_check_names_each_removed_element_at_file_and_line(hostile_content):
    problems = [str(p) for p in check_authored_html(CheckContext(ROOT, hostile_content, ROOT))]
    post = str(hostile_content / "posts/99901.md")
    note = str(hostile_content / "derivations/99903.md")
    assert (
        f"{post}:9: attribute onerror= on <img> is removed (not in the HTML allowlist)" in problems
    )
    assert f"{post}:9: <script> is removed with its content (not allowed on the site)" in problems
    assert f"{post}:11: <iframe> is removed with its content (not allowed on the site)" in problems
    assert any(p.startswith(f"{post}:13: javascript: link") for p in problems)
    assert any(p.startswith(f"{post}:13: javascript: URL in href=") for p in problems)
    assert any(
        p.startswith(f"{post}:15: attribute onclick= in an attribute list") for p in problems
    )
    assert f"{note}:10: <iframe> is removed with its content (not allowed on the site)" in problems
    # Formulas are text, never markup: of 99903 only the half-formula after the
    # prose code span is reported.
    assert [p for p in problems if "posts/99903.md" in p] == [
        f"{hostile_content / 'posts/99903.md'}:8: attribute onerror= on <img> is removed "
        "(not in the HTML allowlist)"
    ]


def test_no_dialog_fires_on_any_page_type(browser, hostile_site):
    dialogs: list[str] = []
    pages = [f"archives/{i}/" for i in HOSTILE_IDS]
    pages += ["", "archives/", "archives/2026/", "tags/", "categories/", "topics/"]
    pages += [
        str(p.parent.relative_to(hostile_site)) + "/" for p in (hostile_site / "tag").iterdir()
    ]
    pages += [f"search/?q={quote(q)}" for q in ("img", "onerror", "摘要", "alert", "公式")]
    with ServedSite(hostile_site) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        statuses = {}
        for rel in pages:
            statuses[rel] = page.goto(f"{site.url}/{rel}", wait_until="load").status
            page.wait_for_timeout(150)  # scripts (search, MathJax) run after load
        # The home page's tag filter lists posts from posts.json, the hostile tags too.
        page.goto(f"{site.url}/", wait_until="load")
        select = page.locator(".kx-index-filter select[name='tag']")
        values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)")]
        assert any("onerror" in v for v in values), values
        for value in filter(None, values):
            select.select_option(value, force=True)
            page.wait_for_timeout(50)
        page.close()
    assert dialogs == []
    assert {rel: s for rel, s in statuses.items() if s != 200} == {}  # every page was there


def test_the_dialog_listener_and_the_scan_catch_live_markup(browser, tmp_path):
    """The two detectors above can fail: a page with a live handler is caught by both."""
    bad = '<p>x</p><img src="data:," onerror="alert(1)"><a href="javascript:alert(2)">y</a>'
    (tmp_path / "index.html").write_text(bad, encoding="utf-8")
    assert len(live_markup(bad, "index.html")) == 3  # data: src, onerror, javascript:
    dialogs: list[str] = []
    with ServedSite(tmp_path) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{site.url}/", wait_until="load")
        page.wait_for_timeout(150)
        page.close()
    assert dialogs == ["1"]


def test_search_hits_show_hostile_titles_as_text(browser, hostile_site):
    with ServedSite(hostile_site) as site:
        page = browser.new_page()
        page.goto(f"{site.url}/search/?q=onerror", wait_until="load")
        page.wait_for_selector(".kx-hit-title", timeout=15000)
        titles = page.locator(".kx-hit-title").all_text_contents()
        page.close()
    assert RAW_TITLE in titles and ENCODED_TITLE in titles
