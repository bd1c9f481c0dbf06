"""Hostile content (tests/fixtures/hostile.py) built into a temporary site: no page fires
a dialog in Chromium, no built file holds live markup that is not our templates', every
title, tag and formula shows its author's characters as text, and `invoke check` names
each element the allowlist removes."""

from __future__ import annotations

import collections
import copy
import html
import shutil
from pathlib import Path
from urllib.parse import quote

import jinja2
import lxml.html
import pytest

from kexue.core import layout
from kexue.core.paths import ROOT
from kexue.core.problems import CheckContext
from kexue.math.checks import check_math_pages
from kexue.math.mathjax_config import config_json
from kexue.search.index import build_index
from kexue.site.serve import ServedSite
from tests.conftest import build_site
from tests.fixtures.hostile import (
    ENCODED_TITLE,
    EVIL,
    HOSTILE_TEX,
    LEGIT_STYLE,
    RAW_TITLE,
    write_hostile,
)
from tests.fixtures.live_markup import live_markup

HOSTILE_IDS = ("99901", "99902", "99903", "99904", "99905")


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


# --- TeX that MathJax turns into markup (post 99905): typeset at build time and in the browser

_MATH_CLASS = ("mjx-", "NCM-", "MathJax", "tex2jax_ignore")
# Data attributes our pages and scripts read (search, math, notes, figures).
_OUR_DATA = ("data-pagefind", "data-tex", "data-eq", "data-deriv", "data-figure", "data-param")


def _forged_style(el, where: str) -> list[str]:
    style = (el.get("style") or "").replace(" ", "").lower()
    if "position:fixed" in style or "position:absolute" in style or "url(" in style:
        return [f"{where}: <{el.tag} style={el.get('style')!r}>"]
    return []


def _forged_in_math(el, where: str) -> list[str]:
    """Classes, data attributes and ids of ours inside typeset math."""
    found = [
        f"{where}: class {c} in typeset math"
        for c in (el.get("class") or "").split()
        if not c.startswith(_MATH_CLASS)
    ]
    found += [
        f"{where}: {name} in typeset math" for name in el.attrib if name.startswith(_OUR_DATA)
    ]
    if el.get("id") and not el.get("id").startswith("mjx-"):
        found.append(f"{where}: id {el.get('id')} in typeset math")
    return found


def forged_markup(text: str, where: str) -> list[str]:
    """Each style that positions or loads something, duplicate id, class or data attribute
    of ours inside typeset math, or URL of another host in a style, in a built page."""
    found = []
    doc = lxml.html.document_fromstring(text)
    ids = collections.Counter()
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        found += _forged_style(el, where)
        ids.update([el.get("id")] if el.get("id") else [])
        if el.tag.startswith("mjx-") and el.tag != "mjx-container":
            found += _forged_in_math(el, where)
    found += [
        f"{where}: <style> loads {EVIL}" for el in doc.iter("style") if EVIL in (el.text or "")
    ]
    found += [f"{where}: id {i} {n} times" for i, n in ids.items() if n > 1]
    return found


def test_hostile_tex_leaves_no_forged_markup_in_any_built_page(hostile_site):
    found = []
    for path in sorted(hostile_site.rglob("*.html")):
        rel = str(path.relative_to(hostile_site))
        if not rel.startswith(("vendor/", "pagefind/", "theme/")):
            found += forged_markup(path.read_text(encoding="utf-8"), rel)
    assert found == []


def test_hostile_tex_is_typeset_at_build_time_and_kept_byte_exact(hostile_site):
    page = _doc(hostile_site, "archives/99905/index.html")
    typeset = page.find_class("mjx-server")
    assert [el.get("data-tex") for el in typeset] == [t for t, _ in HOSTILE_TEX] + [LEGIT_STYLE]
    # No link but the https one; the corpus's own \style is kept as written.
    assert page.xpath("//mjx-container//a/@href") == ["https://example.com/ok"]
    legit = typeset[-1].xpath(".//*[@style][contains(@style, 'DAE8FC')]")[0]
    assert legit.get("style") == (
        "display: inline-block; width: 24ex; padding: 10ex 0; border: 1px solid #6C8EBF; "
        "background-color: #DAE8FC;"
    )
    ids = page.xpath("//mjx-container//@id")
    assert "mjx-tex-eq-1" in ids and ids.count("mjx-tex-dup") == 1


def test_check_names_each_filtered_command_at_file_and_line(browser, hostile_content, hostile_site):
    ctx = CheckContext(ROOT, hostile_content, hostile_site)
    problems = [str(p) for p in check_math_pages(ctx, context=browser)]
    post = hostile_content / "posts/99905.md"
    for i, (_, reported) in enumerate(HOSTILE_TEX):
        if reported:
            line = 8 + 2 * i
            assert any(
                p.startswith(f"{post}:{line}: MathJax safe filter removed") and reported in p
                for p in problems
            ), (line, reported, [p for p in problems if "99905" in p])
    assert not any(f"{post}:26:" in p or f"{post}:28:" in p for p in problems)


def _no_foreign_requests(page, base: str, requests: list[str]) -> None:
    page.on(
        "request", lambda r: None if r.url.startswith((base, "data:")) else requests.append(r.url)
    )


def test_hostile_tex_fires_nothing_and_requests_no_other_host_in_chromium(browser, hostile_site):
    dialogs, requests = [], []
    with ServedSite(hostile_site) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _no_foreign_requests(page, site.url, requests)
        for rel in ("archives/99905/", "", "tag/gong-shi/"):
            page.goto(f"{site.url}/{rel}", wait_until="load")
            page.wait_for_timeout(200)
            fixed = page.evaluate(
                "[...document.querySelectorAll('mjx-container *')]"
                ".filter(e => getComputedStyle(e).position === 'fixed').length"
            )
            assert fixed == 0, rel
        page.close()
    assert dialogs == [] and requests == []


def _safe_probe(formulas: str) -> str:
    """A page with ``formulas`` for the browser's MathJax, its head the theme's own."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "theme" / "templates"))
    env.autoescape = True
    head = env.get_template("partials/math_head.html").render(
        KEXUE_MATHJAX_CONFIG=config_json(),
        KEXUE_OUTPUT=layout.for_templates(),
        SITEURL="",
        THEME_STATIC_DIR="theme",
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head>'
        f'<body><p id="eq-1">ours</p>{formulas}</body></html>'
    )


def test_browser_mathjax_filters_the_same_commands(browser, hostile_site):
    """Formulas left to the browser (a formula MathJax 4 rejects keeps its page's MathJax 3)
    go through the same safe configuration."""
    formulas = "".join(
        f'<p><span class="math inline">{html.escape(t)}</span></p>'
        for t in [t for t, _ in HOSTILE_TEX] + [LEGIT_STYLE]
    )
    (hostile_site / "safe-probe.html").write_text(_safe_probe(formulas), encoding="utf-8")
    dialogs, requests = [], []
    with ServedSite(hostile_site) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _no_foreign_requests(page, site.url, requests)
        page.goto(f"{site.url}/safe-probe.html", wait_until="load")
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        got = page.evaluate(
            """() => ({
              containers: document.querySelectorAll('mjx-container').length,
              hrefs: [...document.querySelectorAll('mjx-container a')].map(
                a => a.getAttribute('href')),
              fixed: [...document.querySelectorAll('mjx-container *')].filter(
                e => getComputedStyle(e).position === 'fixed').length,
              ids: [...document.querySelectorAll('[id]')].map(e => e.id),
              ours: [...document.querySelectorAll('mjx-container [class]')].flatMap(
                e => [...e.classList]).filter(c => !/^(mjx-|MJX-|TEX-|MathJax)/.test(c)),
              data: [...document.querySelectorAll('mjx-container *')].flatMap(
                e => e.getAttributeNames()).filter(n => n.startsWith('data-pagefind')),
              legit: getComputedStyle([...document.querySelectorAll('mjx-container [style]')]
                .find(e => e.style.backgroundColor)).backgroundColor,
              filtered: window.KexueMathSafe.filtered.length,
            })"""
        )
        page.close()
    assert got["containers"] == len(HOSTILE_TEX) + 1
    assert got["hrefs"] == ["https://example.com/ok"]
    assert got["fixed"] == 0 and got["ours"] == [] and got["data"] == []
    assert got["ids"].count("eq-1") == 1 and "mjx-tex-eq-1" in got["ids"]
    assert got["legit"] == "rgb(218, 232, 252)"
    assert dialogs == [] and requests == []
