# ruff: noqa: E501  (the post below is Markdown whose lines are long on purpose)
"""What sent readers back to the source (issue 29), in Chromium on a site written here:
the discussion link, the phone's first screen, tables that scroll with readable columns,
the contents column following a long post, image sizes and lazy loading, the BibTeX copy
button, the 404 page at a nested address, the home page's filters."""

from __future__ import annotations

import struct
import zlib

import pytest

from kexue.site.serve import ServedSite
from tests.conftest import build_site

FILLER = "这一段只是填充文字，用来让文章足够长，好让目录需要滚动。" * 5


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\0" + b"\xff\xff\xff" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _long_post() -> str:
    parts = [
        "Title: 一个相当长的标题，用来检查手机上的第一屏是否还能看到正文的开头",
        "Date: 2026-03-01",
        "Slug: 92901",
        "Source: https://spaces.ac.cn/archives/92901",
        "Tags: 测试标签, 另一个标签",
        "",
        "正文第一段：手机的第一屏要看得到这句话。" * 3,
        "",
        "![近处的图]({static}/images/92901/near.png)",
        "",
        "| 维度 | 参数化 | 相对位置 | 任务类型 | 生成任务 | 参数效率 | 备注说明 |",
        "|---|---|---|---|---|---|---|",
        "| 一 | 低秩分解 | 旋转位置编码 | 分类 | 摘要生成 | 很高 | 这一格的文字比较长 |",
        "",
    ]
    for i in range(1, 41):
        parts += [f"## 第{i}节", "", FILLER, "", FILLER, ""]
        if i == 30:
            parts += ["![远处的图]({static}/images/92901/far.png)", ""]
    return "\n".join(parts) + "\n"


OTHER = (
    "Title: 另一篇\nDate: 2026-02-01\nSlug: 92902\nSource: https://spaces.ac.cn/archives/92902\n"
    "Tags: 测试标签, 另一个标签\n\n短文。\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("frictions")
    content = root / "content"
    (content / "samples").mkdir(parents=True)
    (content / "images" / "92901").mkdir(parents=True)
    (content / "images" / "92901" / "near.png").write_bytes(_png(40, 30))
    (content / "images" / "92901" / "far.png").write_bytes(_png(64, 16))
    (content / "samples" / "92901.md").write_text(_long_post(), encoding="utf-8")
    (content / "samples" / "92902.md").write_text(OTHER, encoding="utf-8")
    build_site(content, root / "output")
    with ServedSite(root / "output") as served:
        yield served


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def _open(page, url: str, width: int, height: int = 740) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_load_state("load")


def test_every_post_links_its_discussion_at_the_source(page, site):
    _open(page, site.url + "/archives/92901/", 1280)
    links = page.locator("a.source-comments")
    assert links.count() == 2  # in the byline, beside the source link, and at the end
    for i in range(2):
        assert (
            links.nth(i).get_attribute("href") == "https://spaces.ac.cn/archives/92901#PostComment"
        )
        assert links.nth(i).inner_text() == "原文评论区"
    assert (
        page.locator(
            ".d-byline .source-link + .source-comments, .d-byline .source-category + .source-comments"
        ).count()
        + page.locator(".d-byline dd:has(.source-link) .source-comments").count()
        >= 1
    )
    assert page.locator(".d-appendix .discussion .source-comments").count() == 1


def test_phone_first_screen_shows_article_text(page, site):
    _open(page, site.url + "/archives/92901/", 360)
    top = page.evaluate("document.querySelector('.post-body p').getBoundingClientRect().top")
    assert top < 740 - 60, f"the first paragraph starts at {top}px of a 740px screen"
    header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert header <= 56, f"the navbar is {header}px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("[data-toc]").get_attribute("open") is None


def test_tables_scroll_in_their_box_with_readable_columns(page, site):
    _open(page, site.url + "/archives/92901/", 360)
    table = page.locator(".post-body table")
    widths = table.evaluate(
        """t => [...t.querySelectorAll('tr:first-child > *')].map(c => {
             const s = getComputedStyle(c);
             return (c.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)) / parseFloat(s.fontSize);
           })"""
    )
    assert min(widths) >= 2, widths  # no column narrower than two characters
    box = table.evaluate("t => [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]")
    assert box[0] > box[1] and box[2] == "auto"  # it scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page does not


def test_contents_column_keeps_the_current_entry_in_view(page, site):
    _open(page, site.url + "/archives/92901/", 1280, 800)
    column = page.locator(".toc-column")
    assert column.evaluate("c => c.scrollHeight > c.clientHeight")  # a long contents
    for n in (20, 34, 40, 3):
        page.evaluate(f"document.getElementById('第{n}节').scrollIntoView({{block: 'start'}})")
        page.wait_for_function(
            f"document.querySelector('[data-toc-link][aria-current]')?.getAttribute('href') === '#第{n}节'"
        )
        page.wait_for_timeout(100)
        inside = page.evaluate(
            """() => { const a = document.querySelector('[data-toc-link][aria-current]');
                 const c = document.querySelector('.toc-column').getBoundingClientRect();
                 const r = a.getBoundingClientRect();
                 const top = Math.max(c.top, 0), bottom = Math.min(c.bottom, innerHeight);
                 return r.top >= top - 1 && r.bottom <= bottom + 1; }"""
        )
        assert inside, f"the current entry 第{n}节 is out of the contents column"


def test_images_have_their_size_and_load_lazily_below_the_first_screen(page, site):
    _open(page, site.url + "/archives/92901/", 1280)
    near, far = page.locator(".post-body img").all()
    assert (near.get_attribute("width"), near.get_attribute("height")) == ("40", "30")
    assert (far.get_attribute("width"), far.get_attribute("height")) == ("64", "16")
    assert near.get_attribute("loading") is None and far.get_attribute("loading") == "lazy"


def test_bibtex_has_a_copy_button_and_wraps_on_phones(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    _open(page, site.url + "/archives/92901/", 360)
    bibtex = page.locator(".cite-bibtex")
    assert bibtex.evaluate("e => e.scrollWidth <= e.clientWidth")  # wraps, no sideways scroll
    button = page.get_by_role("button", name="复制 BibTeX")
    button.click()
    page.wait_for_function("document.querySelector('.cite-copy').textContent !== '复制 BibTeX'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@online{kexuefm-92901,") and copied == bibtex.inner_text()


def test_the_404_page_is_styled_at_a_nested_address(page, site):
    page.set_viewport_size({"width": 1280, "height": 800})
    response = page.goto(site.url + "/no/such/deep/address/")
    assert response.status == 404
    assert page.locator(".not-found h1").inner_text() == "页面不存在"
    colour = page.locator(".not-found-code").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(38, 152, 186)"  # the accent: main.css was found
    page.locator(".not-found a", has_text="归档").click()
    assert page.url == site.url + "/archives/"


def test_home_filters_are_themed_and_the_first_post_follows_them(page, site):
    _open(page, site.url + "/", 1280, 800)
    page.wait_for_function("document.querySelector('.kx-index-filter')?.dataset.ready")
    assert page.locator(".kx-index-filter select[name=topic]").count() == 0  # the chips are
    tag = page.locator(".kx-index-filter select[name=tag]")
    assert tag.evaluate("e => getComputedStyle(e).appearance") == "none"
    assert tag.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "16px"
    gap = page.evaluate(
        """() => document.querySelector('.post-list > *').getBoundingClientRect().top
                 - document.querySelector('.kx-index-filter').getBoundingClientRect().bottom"""
    )
    assert gap < 48, f"{gap}px between the filters and the first post"
    tag.select_option("测试标签")
    page.wait_for_function("document.querySelectorAll('.kx-index-filter .kx-hit').length === 2")
