# ruff: noqa: E501  (the post and note below are Markdown whose lines are long on purpose)
"""A long post, whose blocks far from the screen are not laid out until the reader nears
them (main.css, content-visibility): what reaches such a block still works — deep links to
equations, labels and derivation panels, \\eqref jumps and popovers, wide inline formulas,
the contents, find-in-page and print.  The post and note are written for these tests."""

from __future__ import annotations

import pytest

from tests.conftest import serve_post_with_note

FILLER = "这一段只是填充文字，含公式 $x_{{{i}}} + y^{{{i}}}$，让文章足够长。" * 6


def _post() -> str:
    parts = [
        "Title: 长文测试（本站撰写）",
        "Date: 2026-02-04",
        "Slug: 91201",
        "Source: https://spaces.ac.cn/archives/91201",
        "",
        r"开头：见远处的式 $\eqref{eq:far}$ 与式 $\eqref{eq-30}$。",
        "",
        "## 开头一节",
        "",
    ]
    for i in range(1, 41):
        parts += [
            FILLER.format(i=i),
            "",
            rf"\begin{{equation}}a_{{{i}}} = b_{{{i}}} + c_{{{i}}}\end{{equation}}",
            "",
        ]
        if i == 20:
            parts += ["## 中间一节", ""]
        if i == 35:
            parts += [
                r"\begin{equation}F(x) = \int_0^x f(t)\,\mathrm{d}t \label{eq:far}\end{equation}",
                "",
                "远处有一句独一无二的话：青蛙跳进古池塘。",
                "",
                # a fraction: no line break inside it, so wider than a phone's line
                "远处的长行内公式 "
                + r"$\frac{"
                + " + ".join(f"a_{{{k}}}" for k in range(1, 60))
                + "}{2}$"
                + " 到此为止。",
                "",
                "## 远处一节",
                "",
            ]
    return "\n".join(parts) + "\n"


NOTE = (
    "Post: 91201\nStatus: review\nAuthors: 测试者\n\n总的说明。\n\n## 附录\n\n"
    + "\n\n".join(f"注释段落 {i}。" * 40 for i in range(30))
    + "\n\n附录末尾的话 $w$：月落乌啼霜满天。\n\n## @(38) 第三十八式\n\n由 $a$ 推出 $$b = c \\tag{38.1}$$\n"
)

PAGE = "/archives/91201/"
HEADER_AND_VIEW = """h => {
  const t = document.getElementById(decodeURIComponent(h.slice(1)));
  const e = t.closest('.math.display') || t;
  const r = e.getBoundingClientRect();
  const head = document.querySelector('.site-header').getBoundingClientRect();
  return [r.top, r.bottom, head.bottom];
}"""
WAIT = (
    "async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise;"
    " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"
)


@pytest.fixture(scope="module")
def long_site(tmp_path_factory):
    yield from serve_post_with_note(tmp_path_factory, "long", _post(), NOTE)


@pytest.fixture
def page(desktop_page):
    return desktop_page


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(WAIT)


def _settled(page, hash_: str) -> list[float]:
    """Where the target of ``hash_`` is once the page has settled: top, bottom, header's bottom."""
    page.wait_for_timeout(400)
    first = page.evaluate(HEADER_AND_VIEW, hash_)
    page.wait_for_timeout(400)
    assert page.evaluate(HEADER_AND_VIEW, hash_) == first, "the target moved after landing"
    return first


def _shown(page, selector: str) -> bool:
    """Whether the element is laid out and painted (not skipped by content-visibility)."""
    return page.locator(selector).first.evaluate(
        "e => e.checkVisibility({contentVisibilityAuto: true})"
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_blocks_far_from_the_screen_are_skipped_until_the_reader_nears_them(page, long_site, width):
    page.set_viewport_size({"width": width, "height": 800})
    _open(page, long_site.url + PAGE)
    assert _shown(page, "#eq-1 mjx-container")
    assert not _shown(page, "#eq-38 mjx-container")
    assert not _shown(page, ".deriv-appendix > p:last-of-type .math")
    page.locator("#eq-38").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('#eq-38 mjx-container').checkVisibility({contentVisibilityAuto: true})"
    )
    assert page.evaluate("document.documentElement.scrollWidth") == width


@pytest.mark.parametrize("hash_", ["#eq-30", "#eq:far", "#eq-40"])
def test_a_deep_link_far_down_lands_on_its_equation(page, long_site, hash_):
    _open(page, long_site.url + PAGE + hash_)
    top, bottom, header = _settled(page, hash_)
    assert header <= top and bottom <= 800, (top, bottom, header)


def test_a_deep_link_to_a_far_panel_opens_it_in_view(page, long_site):
    _open(page, long_site.url + PAGE + "#deriv-eq-38")
    top, _, header = _settled(page, "#deriv-eq-38")
    assert header <= top < 800
    assert page.locator("#deriv-eq-38").evaluate("d => d.open")


def test_an_eqref_jumps_to_a_far_equation_and_shows_it_on_hover(page, long_site):
    _open(page, long_site.url + PAGE)
    link = page.locator("a[href='#eq%3Afar']").first
    link.hover()
    popover = page.locator("#eq-popover")
    popover.wait_for(state="visible")
    assert "(36)" in popover.inner_text() and popover.locator("mjx-container").count() == 1
    link.click()
    page.wait_for_function("location.hash === '#eq%3Afar'")
    top, bottom, header = _settled(page, "#eq:far")
    assert header <= top and bottom <= 800, (top, bottom, header)


def test_a_wide_inline_formula_far_down_scrolls_in_its_box_once_near(page, long_site):
    page.set_viewport_size({"width": 360, "height": 800})
    _open(page, long_site.url + PAGE)
    formula = page.locator(".post-body .math.inline[data-tex*='a_{59}']")
    assert formula.count() == 1
    assert not formula.evaluate("e => e.classList.contains('math-wide')")  # not measured yet
    formula.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector(\".math.inline[data-tex*='a_{59}']\").classList.contains('math-wide')"
    )
    box = formula.evaluate(
        "e => [e.getBoundingClientRect().right, e.parentElement.getBoundingClientRect().right]"
    )
    assert box[0] <= box[1] + 1
    assert page.evaluate("document.documentElement.scrollWidth") == 360


def test_the_contents_mark_a_far_section_and_find_reaches_far_text(page, long_site):
    _open(page, long_site.url + PAGE)
    assert page.evaluate("window.find('月落乌啼霜满天')")
    anchor = page.evaluate(
        "getSelection().anchorNode.parentElement.closest('.deriv-appendix') !== null"
    )
    assert anchor
    page.evaluate("getSelection().removeAllRanges(); scrollTo(0, 0)")
    assert page.evaluate("window.find('青蛙跳进古池塘')")
    page.evaluate("document.getElementById('远处一节').scrollIntoView({block: 'start'})")
    page.wait_for_function(
        "document.querySelector('[data-toc-link][aria-current]')?.getAttribute('href') === '#远处一节'"
    )


def test_print_renders_every_block(page, long_site):
    _open(page, long_site.url + PAGE)
    assert not _shown(page, ".deriv-appendix > p:last-of-type .math")
    page.emulate_media(media="print")
    assert _shown(page, ".deriv-appendix > p:last-of-type .math")
    assert _shown(page, "#eq-38 mjx-container")
    pdf = page.pdf()
    assert len(pdf) > 20_000
