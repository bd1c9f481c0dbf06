"""Search: the index built with the site (plugins/kexue_search), its Chinese recall, and the
search UI in Chromium.

The evaluation (kexue/dev/search_eval.py) runs here on the sample posts; `invoke bench` runs
it on the real corpus.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.core.posts import iter_post_files
from kexue.dev.search_eval import evaluate, make_queries, occurs, site_texts
from kexue.search.index import (
    BUNDLE_DIR,
    CONTRACT_MODULE,
    INPUT_STAMP,
    POSTS_JSON,
    SearchIndexError,
    build_index,
    contract_module,
    encode_tex,
    index_document,
    index_words,
    is_word_char,
    iter_post_pages,
    post_text,
)
from kexue.site.checks import CheckContext, run_checks
from kexue.site.serve import ServedSite
from tests.conftest import build_site

SAMPLE_URLS = sorted(f"archives/{p.stem}/" for p in iter_post_files(ROOT / "content"))


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert not errors, errors


def _records(site: Path) -> dict:
    return {r.url: r for r in iter_post_pages(site)}


# -- the index ----------------------------------------------------------------------------


def test_index_words_are_characters_for_chinese_and_words_for_latin():
    words = index_words("用Adam优化器（AdamW）做Newton-Schulz迭代，layerNorm, PixelRNN/PixelCNN")
    assert words == [
        "用", "adam", "优", "化", "器", "adamw", "做", "newtonschulz", "迭", "代", "layernorm",
        "pixelrnn", "pixelcnn",
    ]  # fmt: skip


def test_every_sample_post_is_indexed_with_its_metadata(sample_site: Path):
    records = _records(sample_site)
    assert sorted(records) == SAMPLE_URLS
    listing = json.loads((sample_site / POSTS_JSON).read_text(encoding="utf-8"))["posts"]
    muon = next(p for p in listing if p["url"] == "archives/90006/")
    assert muon["title"] == "示例：Muon 优化器与 Newton-Schulz 迭代"
    assert muon["date"] == "2026-11-26"
    assert muon["tags"] == ["优化器", "示例"] and muon["topic"]  # Muon: a tag of one post
    assert [p["date"] for p in listing] == sorted((p["date"] for p in listing), reverse=True)
    assert (sample_site / BUNDLE_DIR / "pagefind.js").is_file()


def test_the_build_indexes_the_site_and_emits_the_contract(sample_site: Path, tmp_path: Path):
    # plugins/kexue_search ran on Pelican's finalized signal: the index holds every post
    assert (sample_site / BUNDLE_DIR / INPUT_STAMP).is_file()
    entry = json.loads((sample_site / BUNDLE_DIR / "pagefind-entry.json").read_text())
    assert sum(v["page_count"] for v in entry["languages"].values()) == len(SAMPLE_URLS)
    contract = sample_site / "theme" / CONTRACT_MODULE
    assert contract.read_text(encoding="utf-8") == contract_module()
    query = (sample_site / "theme" / "search" / "query.js").read_text(encoding="utf-8")
    assert 'from "./contract.js"' in query and "\\u4e00" not in query  # no copied ranges
    # an index that cannot be built fails the build, naming the folder
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "about.md").write_text("Title: 关于\n\n没有文章。\n", "utf-8")
    with pytest.raises(AssertionError, match="no post pages under"):
        build_site(content, tmp_path / "output")


def test_the_indexed_document_holds_the_body_without_tex_or_boilerplate(sample_site: Path):
    record = _records(sample_site)["archives/90001/"]
    doc = index_document(record)
    page = (sample_site / "archives/90001/index.html").read_text(encoding="utf-8")
    searched = re.sub(r'<span data-pagefind-meta="math">.*?</span>', "", doc)
    assert "boldsymbol" in page and "boldsymbol" not in searched  # TeX stays out of the text
    meta = re.search(r'<span data-pagefind-meta="math">(.*?)</span>', doc).group(1)
    assert not any(is_word_char(c) for c in meta)  # the short formulas' TeX, as no words
    assert encode_tex("d") in meta.split("|")
    assert "⋯" in doc  # a formula leaves a phrase-breaking gap
    for boilerplate in ("版权", "归档", "CC BY-NC-SA", "首页", "分钟"):
        assert boilerplate in page and boilerplate not in doc
    assert '<h1 data-pagefind-weight="10"> 示  例 ' in doc  # the title weighs most
    assert re.search(r"<h2[^>]*> 问  题 </h2>", doc)  # headings keep Pagefind's weights
    assert "headerlink" in page and "headerlink" not in doc  # the permalink "#" is not text
    assert '<span data-pagefind-filter="tags">示例</span>' in doc
    assert f'<span data-pagefind-filter="topic">{record.topic}</span>' in doc
    assert '<span data-pagefind-meta="date">2026-11-01</span>' in doc


def test_post_text_keeps_words_apart_where_a_formula_or_block_separates_them(sample_site):
    text = post_text(_records(sample_site)["archives/90001/"])
    assert text.startswith("示例：缩放点积注意力里的 √d\n")
    assert "boldsymbol" not in text and "softmax" in text
    assert not occurs(text, "向量与键") and occurs(text, "与键向量")  # a formula between


def test_rebuilding_an_unchanged_index_changes_nothing(sample_site: Path, tmp_path: Path):
    out = tmp_path / "site"
    shutil.copytree(sample_site, out)
    cache = tmp_path / "cache"
    first = build_index(out, cache=cache)
    files = {p: p.read_bytes() for p in (out / BUNDLE_DIR).rglob("*") if p.is_file()}
    assert not build_index(out, cache=cache).changed
    shutil.rmtree(out / BUNDLE_DIR)  # as a publish build, which empties output/ first
    assert build_index(out, cache=cache).changed
    assert {p: p.read_bytes() for p in (out / BUNDLE_DIR).rglob("*") if p.is_file()} == files
    assert (out / BUNDLE_DIR / INPUT_STAMP).is_file() and first.posts == len(SAMPLE_URLS)


def test_a_damaged_cached_bundle_is_detected_and_built_again(sample_site, tmp_path, caplog):
    out = tmp_path / "site"
    shutil.copytree(sample_site, out)
    cache = tmp_path / "cache"
    build_index(out, cache=cache)
    files = {p: p.read_bytes() for p in (out / BUNDLE_DIR).rglob("*") if p.is_file()}
    (kept,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    victim = max((p for p in kept.rglob("*.pf_fragment")), key=lambda p: p.stat().st_size)
    short = victim.read_bytes()[:10]
    victim.write_bytes(short)  # truncated
    shutil.rmtree(out / BUNDLE_DIR)
    assert build_index(out, cache=cache).changed
    assert f"{kept}: the cached search bundle is damaged" in caplog.text
    # Pagefind's file names are not stable between runs: a whole new bundle, no short file.
    rebuilt = [p for p in (out / BUNDLE_DIR).rglob("*") if p.is_file()]
    assert len(rebuilt) == len(files) and (out / BUNDLE_DIR / INPUT_STAMP).is_file()
    assert short not in {p.read_bytes() for p in rebuilt}
    assert not (out / BUNDLE_DIR / "kexue-files.json").exists()  # the cache's own


def test_a_post_page_without_the_body_marker_is_an_error_naming_it(sample_site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(sample_site, out)
    page = out / "archives" / "90002" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), "utf-8")
    with pytest.raises(SearchIndexError, match=r"archives/90002/index\.html.*data-pagefind-body"):
        build_index(out)


def test_a_site_without_post_pages_is_an_error(tmp_path: Path):
    (tmp_path / "index.html").write_text("<html><body>nothing</body></html>", encoding="utf-8")
    with pytest.raises(SearchIndexError, match="no post pages"):
        build_index(tmp_path)


# -- the evaluation -----------------------------------------------------------------------


def test_occurs_is_verbatim_with_latin_word_boundaries():
    assert occurs("我们用Adam优化器训练", "Adam优化器")
    assert occurs("我们用 Adam 优化器训练", "Adam优化器")  # typesetting spaces are not text
    assert occurs("AdamW 的更新", "Adam")  # a Latin query matches words it begins
    assert not occurs("AdamW优化器", "Adam优化器")
    assert not occurs("the madam said", "adam")
    assert occurs("用 bert4keras 实现", "keras") and occurs("layerNorm", "norm")
    assert not occurs("变分\n法", "变分法")


def test_evaluation_on_the_samples_finds_every_post_that_contains_the_query(
    browser, served_sample_site, sample_site
):
    queries = make_queries(site_texts(sample_site))
    kinds = {q.kind for q in queries}
    assert len(queries) >= 100 and kinds == {"zh", "en", "mixed"}, (len(queries), kinds)
    texts = {q.text for q in queries}
    assert {"Muon", "RoPE", "Adam", "Newton-Schulz迭代", "奇异值"} <= texts
    assert {len(q.text) for q in queries if q.kind == "zh"} >= {2, 3, 4}
    report = evaluate(browser, served_sample_site.url, queries)
    print(report.summary())
    assert not report.failures, report.summary()
    assert report.recall_at_10 == 1.0
    assert report.first_query_bytes > 0 and report.first_query_requests > 0


# -- the search page ----------------------------------------------------------------------


def _search_page(page, site, query: str = "") -> None:
    page.goto(f"{site.url}/search/" + (f"?q={query}" if query else ""))
    page.wait_for_function("document.querySelector('.kx-search-page').dataset.ready")


def _hits(page) -> list[str]:
    return page.eval_on_selector_all(".kx-hit-title", "els => els.map(e => e.pathname)")


def _run(page, query: str, **filters) -> dict:
    return page.evaluate("([q, f]) => window.kexueSearch.run(q, f)", [query, filters])


def test_the_browser_cuts_queries_as_the_index_cuts_text(page, served_sample_site):
    samples = [
        "用Adam优化器（AdamW）做Newton-Schulz迭代，layerNorm",
        "变分自编码器 VAE",
        "比PixelRNN/PixelCNN快得多",
        "ＧＰＴ４的「注意力」",
    ]
    _search_page(page, served_sample_site)
    module = f"{served_sample_site.url}/theme/search/query.js"
    got = page.evaluate(
        "async ([m, xs]) => { const s = await import(m); return xs.map((x) => s.words(x)); }",
        [module, samples],
    )
    assert got == [index_words(x) for x in samples]


def test_tex_and_boilerplate_find_nothing(page, served_sample_site):
    _search_page(page, served_sample_site)
    for query in ("boldsymbol", "mathbb", "版权", "CC BY-NC-SA", "归档"):
        assert _run(page, query)["urls"] == [], query
    assert _run(page, "Attention")["urls"] == []  # only in TeX: \text{Attention}
    assert _run(page, "softmax")["urls"] == ["/archives/90001/"]


def test_a_title_match_ranks_above_a_body_match(page, served_sample_site):
    _search_page(page, served_sample_site)
    # 幂迭代 is in the title of 90004 and in the body of 90006
    assert _run(page, "幂迭代")["urls"] == ["/archives/90004/", "/archives/90006/"]


def test_results_show_title_date_topic_and_a_highlighted_excerpt(page, served_sample_site):
    _search_page(page, served_sample_site, "Newton-Schulz迭代")
    page.wait_for_selector(".kx-hit")
    hit = page.locator(".kx-hit").first
    assert hit.locator(".kx-hit-title").inner_text() == "示例：Muon 优化器与 Newton-Schulz 迭代"
    assert hit.locator("time").inner_text() == "2026-11-26"
    assert hit.locator(".kx-topic").inner_text()
    marks = hit.locator(".kx-excerpt mark").all_inner_texts()
    assert marks and all(m == "Newton-Schulz迭代" for m in marks), marks
    assert "1 篇" in page.locator(".kx-status").inner_text()


def test_excerpts_show_short_formulas_as_tex_and_mark_hits_in_notes(page, served_sample_site):
    _search_page(page, served_sample_site, "饱和")
    page.wait_for_selector(".kx-hit")
    hit = page.locator(".kx-hit").first
    tex = hit.locator(".kx-excerpt code.kx-tex").all_inner_texts()
    assert "d" in tex and "s" in tex, tex  # 若不做缩放，$d$ 越大 $s$ 的波动越大
    assert hit.locator(".kx-note-hit").count() == 0  # the original text
    # a phrase only in a derivation note's panel under equation (2)
    _search_page(page, served_sample_site, "交叉项全部消失")
    page.wait_for_selector(".kx-hit")
    hit = page.locator(".kx-hit").first
    assert hit.locator(".kx-note-hit").inner_text() == "本站注释"
    excerpt = hit.locator(".kx-excerpt").inner_text()
    assert "⟦" not in excerpt and "⟧" not in excerpt and "i \\neq j" in excerpt


def test_topic_and_tag_filters_combine_with_the_query(page, served_sample_site, sample_site):
    listing = json.loads((sample_site / POSTS_JSON).read_text(encoding="utf-8"))["posts"]
    _search_page(page, served_sample_site)
    everything = _run(page, "示例")
    assert sorted(everything["urls"]) == ["/" + u for u in SAMPLE_URLS]  # all say 示例
    with_tag = ["/archives/90002/", "/archives/90005/", "/archives/90006/"]
    assert sorted(_run(page, "示例", tag="优化器")["urls"]) == with_tag
    assert _run(page, "示例", tag="Muon")["urls"] == []  # a tag of one post is no filter
    topic = next(p["topic"] for p in listing if p["url"] == "archives/90006/")
    in_topic = {"/" + p["url"] for p in listing if p["topic"] == topic}
    assert set(_run(page, "示例", topic=topic)["urls"]) == in_topic
    assert sorted(_run(page, "示例", topic=topic, tag="优化器")["urls"]) == sorted(
        {"/" + p["url"] for p in listing if p["topic"] == topic and "优化器" in p["tags"]}
    )
    # through the form, without a query: the tag alone lists its posts
    page.locator(".kx-search-form input[name=q]").fill("")
    page.select_option(".kx-search-form select[name=tag]", "优化器")
    page.wait_for_function("location.search.includes('tag=')")
    page.wait_for_function("document.querySelectorAll('.kx-hit').length === 3")
    assert sorted(_hits(page)) == with_tag


def test_the_home_page_filters_posts_by_topic_and_tag_without_a_query(page, served_sample_site):
    page.goto(served_sample_site.url + "/")
    page.wait_for_function("document.querySelector('.kx-index-filter')?.dataset.ready")
    assert page.locator(".kx-index-filter .kx-hits").is_hidden()
    page.select_option(".kx-index-filter select[name=tag]", "优化器")
    page.wait_for_function("document.querySelectorAll('.kx-index-filter .kx-hit').length > 0")
    assert sorted(_hits(page)) == ["/archives/90002/", "/archives/90005/", "/archives/90006/"]
    assert "tag=" in page.url
    page.select_option(".kx-index-filter select[name=tag]", "")
    page.wait_for_function("document.querySelector('.kx-index-filter .kx-hits').hidden")


def test_ctrl_k_focuses_the_navbar_box_which_opens_the_search_page(page, served_sample_site):
    page.goto(served_sample_site.url + "/archives/90003/")
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.matches('.kx-search-box input')")
    page.keyboard.type("高斯分布")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_function("document.querySelector('.kx-search-page').dataset.state === 'done'")
    assert "/archives/90003/" in _hits(page)


def test_results_link_into_the_site_when_it_is_served_under_a_path(page, sample_site, tmp_path):
    # GitHub project pages serve the site under /<repository>/: Pagefind's result URLs
    # must carry that path (it is found from where pagefind.js was loaded).
    shutil.copytree(sample_site, tmp_path / "kexue-notes")
    with ServedSite(tmp_path) as site:
        page.goto(f"{site.url}/kexue-notes/search/?q=幂迭代")
        page.wait_for_function("document.querySelector('.kx-search-page').dataset.state === 'done'")
        assert _hits(page) == ["/kexue-notes/archives/90004/", "/kexue-notes/archives/90006/"]
        page.locator(".kx-hit-title").first.click()
        page.wait_for_url("**/kexue-notes/archives/90004/")
        assert "幂迭代" in page.title()


def test_without_javascript_the_search_page_says_search_needs_it(sample_site: Path):
    html = (sample_site / "search" / "index.html").read_text(encoding="utf-8")
    noscripts = re.findall(r"<noscript>(.*?)</noscript>", html, re.S)
    assert any("搜索需要 JavaScript" in n for n in noscripts), noscripts
    assert any('href="../search/">搜索</a>' in n for n in noscripts)  # the navbar's stand-in


def test_invoke_check_reports_a_stale_index(sample_site: Path, tmp_path: Path):
    out = tmp_path / "site"
    shutil.copytree(sample_site, out)
    ctx = CheckContext(root=ROOT, content=ROOT / "content", output=out)
    assert run_checks(ctx, only=["search index"]) == [("search index", [])]
    shutil.rmtree(out / "archives" / "90003")  # as if that post vanished after indexing
    [(_, problems)] = run_checks(ctx, only=["search index"])
    messages = [p.message for p in problems]
    n = len(SAMPLE_URLS)
    assert len(messages) == 2, messages
    assert f"{n} posts in" in messages[0] and f"but {n - 1} post pages" in messages[0]
    assert messages[1].startswith(f"the search index holds {n} pages, the site {n - 1} posts")
