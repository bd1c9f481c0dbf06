"""Hostile content (tests/fixtures/hostile.py) built into a temporary site: no page fires
a dialog in Chromium, no built file holds live markup that is not our templates', every
title, tag and formula shows its author's characters as text, and `invoke check` names
each element the allowlist removes."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from kexue.core.paths import ROOT
from kexue.search.index import build_index
from kexue.site.serve import ServedSite
from tests.conftest import build_site
from tests.fixtures.hostile import (
    ENCODED_TITLE,
    RAW_TITLE,
    write_hostile,
)
from tests.fixtures.live_markup import live_markup

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
    )
    build_index(out, cache=tmp_path_factory.mktemp("hostile-search"))
    return out


def _doc(out: Path, rel: str):
    return lxml.html.fromstring((out / rel).read_text(encoding="utf-8"))


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
