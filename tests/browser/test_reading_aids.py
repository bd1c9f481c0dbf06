# ruff: noqa: E501  (the posts and notes below are Markdown whose lines are long on purpose)
"""Reading aids and layout on post pages: the notes' appendix in the post's column and
contents, equation popovers, 引用本文, meta descriptions, the copy-TeX button, tinted
boxes, deep links, wide figures, phone widths.  Layout is measured in headless Chromium
with getBoundingClientRect.  The posts and notes here are written for these tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kexue.legacy.importer import import_legacy
from kexue.site.serve import ServedSite
from tests.conftest import ROOT, build_site

# ---------- a built site ----------

POST = r"""Title: 阅读辅助测试（本站撰写）
Date: 2026-02-03
Slug: 91101
Source: https://spaces.ac.cn/archives/91101
Tags: 测试

开头一句，含公式 $\alpha + \beta$ 与一段“引号”。第二句在这里！

## 第一节

\begin{equation}f(x) = \sum_{i=1}^{n} a_i x^i + \int_0^1 g(t)\,\mathrm{d}t \label{eq:f}\end{equation}

\begin{equation}g(x) = \frac{1}{1 + e^{-x}}\end{equation}

由式 $\eqref{eq:f}$ 可得下式，再看 $\eqref{eq-2-target}$ 之外的文字。

!!! theorem "一个定理"
    $$h(x) = x^2 + \frac{1}{x} + \log x + \sqrt{x} + \sin x + \cos x + \tan x$$

<div class="l-page" markdown="1">

| 列一 | 列二 | 列三 |
| --- | --- | --- |
| 1 | 2 | 3 |

</div>

<figure class="l-screen"><div style="height:40px;background:#888"></div><figcaption>整屏宽的图</figcaption></figure>

## 第二节

正文。
""" + "\n\n".join(f"段落 {i}。" * 30 for i in range(12))

NOTE = (
    r"""Post: 91101
Status: review
Authors: 测试者

总的说明 $a$。

## 附录的第一部分

### 小节甲

内容甲。$$u = v \tag{A.1}$$

| a | b | c | d | e | f | g | h | i | j | k | l | m | n | o | p | q | r | s | t |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 1111 | 2222 | 3333 | 4444 | 5555 | 6666 | 7777 | 8888 | 9999 | 0000 | 1111 | 2222 | 3333 | 4444 | 5555 | 6666 | 7777 | 8888 | 9999 | 0000 |

### 小节乙

内容乙。

## 附录的第二部分

"""
    + "\n\n".join(f"注释段落 {i}。" * 30 for i in range(12))
    + r"""

## @(2) 第二式

面板里的长行内公式 $a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12} + a_{13} + a_{14} + a_{15} + a_{16}$ 结束。
$$g'(x) = g(x)\,(1 - g(x)) \tag{2.1}$$
"""
)


@pytest.fixture(scope="module")
def aids_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("aids")
    content = root / "content"
    (content / "samples").mkdir(parents=True)
    (content / "derivations").mkdir()
    (content / "samples" / "91101.md").write_text(POST, encoding="utf-8")
    (content / "derivations" / "91101.md").write_text(NOTE, encoding="utf-8")
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    out = root / "output"
    build_site(content, out)
    return out


@pytest.fixture(scope="module")
def served_aids(aids_site):
    with ServedSite(aids_site) as site:
        yield site


WAIT_FOR_MATH = (
    "async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise;"
    " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"
)
RECT = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def _open(page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(WAIT_FOR_MATH)


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_notes_sit_in_the_posts_column_and_never_widen_the_page(page, served_aids, width):
    _open(page, served_aids.url + "/archives/91101/", width)
    assert page.evaluate("document.documentElement.scrollWidth") == width
    post = page.locator(".post-body").evaluate(RECT)
    appendix = page.locator(".deriv-appendix").evaluate(RECT)
    assert abs(appendix[0] - post[0]) < 1 and abs(appendix[2] - post[2]) < 1
    notice = page.locator(".deriv-notice").evaluate(RECT)
    assert notice[0] >= post[0] - 1 and notice[2] <= post[2] + 1  # inside the margins
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    post_h2 = page.locator(".post-body h2").first.evaluate(size)
    assert page.locator("#derivations-title").evaluate(size) == post_h2
    note_h3 = page.locator(".deriv-appendix h3").first.evaluate(size)
    note_h4 = page.locator(".deriv-appendix h4").first.evaluate(size)
    assert post_h2 > note_h3 >= note_h4
    # the wide table scrolls in its own box, and so does the long inline formula in a panel
    table = page.locator(".deriv-appendix table")
    # far down the page: laid out only once near the screen (main.css, content-visibility)
    table.scroll_into_view_if_needed()
    table.evaluate("t => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert table.evaluate(RECT)[2] <= appendix[2] + 1
    page.evaluate("document.querySelectorAll('details.deriv-note').forEach(d => d.open = true)")
    page.wait_for_timeout(400)  # each panel fits its formulas as it opens
    body = page.locator("details.deriv-note .deriv-body").first.evaluate(RECT)
    for rect in page.locator("details.deriv-note .math.inline").evaluate_all(
        f"es => es.map({RECT})"
    ):
        assert rect[2] <= body[2] + 1, (rect, body)
    assert page.evaluate("document.documentElement.scrollWidth") == width


@pytest.mark.browser
def test_contents_list_the_appendix_and_mark_it_in_view(page, served_aids):
    _open(page, served_aids.url + "/archives/91101/", 1280)
    links = page.locator("[data-toc-link]")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs.index("#derivations-title") > hrefs.index("#第二节")
    # the appendix is folded (kexue/notes/parts.py): the contents list its parts' titles;
    # both parts opened, so the page is long enough to bring the first to the top
    for part in page.locator("details.deriv-part > summary").all():
        part.click()
    page.evaluate(
        "document.getElementById('deriv-附录的第一部分').scrollIntoView({block: 'start'})"
    )
    page.wait_for_function(
        "document.querySelector('[data-toc-link][aria-current]')?.getAttribute('href')"
        " === '#deriv-附录的第一部分'"
    )


@pytest.mark.browser
def test_eqref_shows_the_equation_on_hover_and_focus(page, served_aids):
    _open(page, served_aids.url + "/archives/91101/", 1280)
    link = page.locator(".post-body p mjx-container a[href]").first
    link.hover()
    popover = page.locator("#eq-popover")
    popover.wait_for(state="visible")
    # one form of the display shown (a wide display carries a phone form too: layout.py)
    assert popover.locator("mjx-container:visible").count() == 1
    assert "(1)" in popover.inner_text()  # the equation's number comes with it
    assert page.locator("[id='eq-1']").count() == 1  # the copy carries no ids
    scroll = page.evaluate("scrollY")
    page.mouse.move(5, 5)
    popover.wait_for(state="hidden")
    link.focus()
    popover.wait_for(state="visible")
    assert link.get_attribute("aria-describedby") == "eq-popover"
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert page.evaluate("scrollY") == scroll  # the reader stayed where they were


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_copy_button_covers_no_glyph_or_number(page, served_aids, width):
    _open(page, served_aids.url + "/archives/91101/", width)
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('.math.display')].map(d => {
             const b = d.querySelector(':scope > .copy-tex').getBoundingClientRect();
             const parts = [...d.querySelectorAll('mjx-container, mjx-container *')]
               .filter(e => !e.closest('mjx-assistive-mml'))
               .map(e => e.getBoundingClientRect()).filter(r => r.width && r.height);
             return [[b.left, b.top, b.right, b.bottom], parts.map(r => [r.left, r.top, r.right, r.bottom])];
           })"""
    )
    assert pairs
    page.locator(".math.display").first.hover()
    for button, parts in pairs:
        assert all(_overlap(button, p) < 1 for p in parts), (button, parts[:3])


@pytest.mark.browser
def test_formulas_in_tinted_boxes_take_the_boxs_colour(page, served_aids):
    _open(page, served_aids.url + "/archives/91101/", 1280)
    page.evaluate("document.querySelectorAll('details.deriv-note').forEach(d => d.open = true)")
    for box in (".box.theorem", "details.deriv-note", ".deriv-appendix"):
        surface = page.locator(box).first.evaluate(
            "b => getComputedStyle(b.querySelector('.math.display')).getPropertyValue('--surface')"
        )
        background = page.locator(box).first.evaluate("b => getComputedStyle(b).backgroundColor")
        # the display's edge colour (its --surface) is the box's own background
        probe = page.evaluate(
            "c => { const e = document.createElement('i'); e.style.color = c;"
            " document.body.append(e); const v = getComputedStyle(e).color; e.remove(); return v; }",
            surface.strip(),
        )
        assert probe == background, (box, surface, background)


@pytest.mark.browser
@pytest.mark.parametrize("hash_", ["#eq-1", "#eq:f", "#deriv-eq-2"])
def test_deep_links_leave_the_target_below_the_header(page, served_aids, hash_):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(served_aids.url + "/archives/91101/" + hash_)
    page.wait_for_load_state("load")
    page.evaluate(WAIT_FOR_MATH)
    page.wait_for_timeout(300)
    header = page.locator(".site-header").evaluate(RECT)
    target = page.evaluate(
        "h => { const t = document.getElementById(decodeURIComponent(h.slice(1)));"
        " const e = t.closest('.math.display') || t; const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; }",
        hash_,
    )
    assert target[1] >= header[3], (target, header)
    if not hash_.startswith("#deriv-"):  # a display is wholly in view; a panel starts there
        assert target[3] <= 800


@pytest.mark.browser
def test_wide_figures_and_tables_take_distills_widths(page, served_aids):
    _open(page, served_aids.url + "/archives/91101/", 1280)
    post = page.locator(".post-body").evaluate(RECT)
    wide = page.locator(".post-body .l-page").evaluate(RECT)
    screen = page.locator(".post-body .l-screen").evaluate(RECT)
    assert round(wide[2] - wide[0]) == 1072
    assert abs((wide[0] + wide[2]) / 2 - (post[0] + post[2]) / 2) < 1  # centred on the text
    assert round(screen[0]) == 0 and round(screen[2]) == 1280
    assert page.evaluate("document.documentElement.scrollWidth") == 1280
    _open(page, served_aids.url + "/archives/91101/", 360)
    wide = page.locator(".post-body .l-page").evaluate(RECT)
    post = page.locator(".post-body").evaluate(RECT)
    assert wide[0] >= post[0] - 1 and wide[2] <= post[2] + 1


@pytest.mark.browser
def test_navbar_keeps_its_place_and_search_page_has_one_box(page, served_aids):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.route("**/search/search.js", lambda route: route.abort())  # as if it came late
    page.goto(served_aids.url + "/archives/91101/")
    before = page.locator(".site-title").evaluate(RECT)
    links_before = page.locator(".nav-links > a").first.evaluate(RECT)
    page.unroute("**/search/search.js")
    page.goto(served_aids.url + "/archives/91101/")
    page.locator(".kx-search-box input").wait_for(state="visible")
    assert page.locator(".site-title").evaluate(RECT) == before
    assert page.locator(".nav-links > a").first.evaluate(RECT) == links_before
    page.goto(served_aids.url + "/search/")
    page.wait_for_load_state("load")
    visible = page.locator("input[type=search]").evaluate_all(
        "es => es.filter(e => e.getBoundingClientRect().width > 0).length"
    )
    assert visible == 1


@pytest.mark.browser
def test_phone_list_pages_start_with_posts_not_filters(page, served_sample_site):
    for path in ("/", "/category/optimization/"):
        _open(page, served_sample_site.url + path, 360)
        if page.locator(".index-filters").count() == 0:
            continue
        assert page.locator(".index-filters").get_attribute("open") is None
        first = page.locator(".summary").first.evaluate(RECT)
        assert first[1] < 740, f"{path}: the first post starts at {first[1]}px"
        page.locator(".index-filters > summary").click()
        assert page.locator(".topic-filters, .kx-index-filter, .deriv-filter").first.is_visible()
    _open(page, served_sample_site.url + "/", 1280)
    assert page.locator(".index-filters").get_attribute("open") is not None


@pytest.mark.browser
def test_phone_figure_legends_stay_on_screen(page, served_sample_site):
    for path in ("/archives/90005/",):
        _open(page, served_sample_site.url + path, 360)
        page.mouse.wheel(0, 400)
        legends = page.locator(".u-legend")
        legends.first.wait_for(state="attached", timeout=10000)  # the sample plots a figure
        for rect in legends.evaluate_all(f"es => es.map({RECT})"):
            assert rect[0] >= 0 and rect[2] <= 360, (path, rect)


# ---------- real imported pages ----------


@pytest.fixture(scope="module")
def served_legacy(legacy_corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("legacy-layout")
    import_legacy(legacy_corpus, root / "content")
    build_site(root / "content", root / "output")
    with ServedSite(root / "output") as site:
        yield root / "output", site


def _note_pages(out: Path) -> list[str]:
    """Three pages with an appendix: the one with the most tables in its notes, the one
    with the most headings in its notes, and the one with the most code blocks."""
    scored = []
    for path in sorted((out / "archives").glob("*/index.html")):
        html = path.read_text(encoding="utf-8")
        if 'class="deriv-appendix"' not in html:
            continue
        notes = html.split('<div class="post-notes">', 1)[-1]
        counts = [notes.count("<table"), len(re.findall(r"<h[3-6]\b", notes)), notes.count("<pre")]
        scored.append((counts, f"/archives/{path.parent.name}/"))
    assert scored, "no imported page has a notes appendix"
    picked = []
    for i in range(3):
        best = max(scored, key=lambda s: s[0][i])[1]
        if best not in picked:
            picked.append(best)
    return picked


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_real_note_pages_keep_the_posts_column(page, served_legacy, width):
    out, site = served_legacy
    for path in _note_pages(out):
        _open(page, site.url + path, width)
        doc = page.evaluate("document.documentElement.scrollWidth")
        assert doc == width, f"{path} is {doc}px wide at {width}px"
        post = page.locator(".post-body").evaluate(RECT)
        appendix = page.locator(".deriv-appendix").evaluate(RECT)
        assert abs(appendix[0] - post[0]) < 1, f"{path}: appendix at {appendix[0]}, post {post[0]}"
        toc = page.locator("[data-toc-link]").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        assert "#derivations-title" in toc, path


@pytest.mark.browser
def test_eqref_popover_works_on_math_rendered_at_build_time(page, aids_site, served_aids):
    """The page as built: formulas typeset at build time (kexue.math.prerender), no MathJax in
    the browser; \\eqref links to the label's anchor and the popover shows the equation."""
    _open(page, served_aids.url + "/archives/91101/", 1280)
    assert page.evaluate("typeof MathJax === 'undefined' || !MathJax.startup")
    link = page.locator("a[href='#eq%3Af']")
    link.focus()
    popover = page.locator("#eq-popover")
    popover.wait_for(state="visible")
    assert popover.locator("mjx-container").count() >= 1
    assert "(1)" in popover.inner_text()
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
