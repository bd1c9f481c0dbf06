"""The theme: TOC ids, reading aids, content boxes, code styles, colours, and the pages
in headless Chromium (console errors, theme switch, TOC, phone width, print, origin)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from kexue.reading.boxes import BoxExtension
from kexue.reading.structure import (
    slugify_heading,
)
from tests.conftest import ROOT, build_site

CSS = ROOT / "theme" / "static" / "css" / "main.css"


def render(text: str) -> str:
    md = markdown.Markdown(
        extensions=["extra", "kexue.math.extension", BoxExtension(), "toc"],
        extension_configs={"toc": {"slugify": slugify_heading, "permalink": "#"}},
        output_format="html5",
    )
    return md.convert(text)


# ---------- headings, contents, reading time, related posts ----------


# ---------- content boxes ----------


# ---------- code styles and colours ----------


def _tokens(theme: str) -> dict[str, str]:
    """The theme's colour tokens (``--name: #rrggbb``) and mix percentages from main.css
    (its blocks for the theme: the design tokens, the box kinds' colours)."""
    css = CSS.read_text(encoding="utf-8")
    blocks = re.findall(r'\[data-theme="' + theme + r'"\]\s*\{(.*?)\n\}', css, re.S)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6}|\d+%)", "\n".join(blocks)))


def _rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


def mix(colour: str, percent: str, base: str) -> str:
    """CSS ``color-mix(in srgb, colour percent, base)``."""
    p = int(percent.rstrip("%")) / 100
    return "#" + "".join(
        f"{round(x * p + y * (1 - p)):02x}" for x, y in zip(_rgb(colour), _rgb(base), strict=True)
    )


def _luminance(hex_colour: str) -> float:
    channels = [c / 255 for c in _rgb(hex_colour)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# ---------- built pages ----------

UNDATED = "Title: 无日期\nSlug: 91002\nDate: \nAuthor: \nTags: 乙\n\n## 第一节\n\n正文。\n"
EXCERPT = (
    "Title: 摘要页\nDate: 2024-03-01\nSlug: 91003\nSource: https://spaces.ac.cn/archives/91003\n"
    "Completeness: excerpt\nTags: 乙\n\n只有摘要。\n"
)


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """A site of three reconstructed posts: dated, undated, feed excerpt (written by us)."""
    content = tmp_path_factory.mktemp("theme") / "content"
    (content / "samples").mkdir(parents=True)
    (content / "samples" / "91001.md").write_text(
        "Title: 有日期\nDate: 2025-05-01\nSlug: 91001\nTags: 甲, 乙\n\n## 一\n\n## 一\n\n正文。\n",
        encoding="utf-8",
    )
    (content / "samples" / "91002.md").write_text(UNDATED, encoding="utf-8")
    (content / "samples" / "91003.md").write_text(EXCERPT, encoding="utf-8")
    out = content.parent / "output"
    build_site(content, out)
    return out


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


# ---------- in the browser ----------

PAGE_TYPES = [
    "/",
    "/archives/90001/",
    "/archives/90003/",
    "/pages/about/",
    "/categories/",
    "/tags/",
    "/tag/示例/",
    "/archives/",
    "/archives/2026/",
    "/search/",
    "/404.html",
]


@pytest.fixture
def page(browser, served_sample_site):
    page = browser.new_page()
    page.foreign, page.errors = [], []
    page.on(
        "request",
        lambda r: None if r.url.startswith(served_sample_site.url) else page.foreign.append(r.url),
    )
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.evaluate("localStorage.clear()")
    page.close()


WAIT_FOR_MATH = "async () => { if (window.MathJax) await MathJax.startup.promise; }"


def test_every_page_type_renders_without_errors_or_foreign_requests(page, served_sample_site):
    for path in PAGE_TYPES:
        page.goto(served_sample_site.url + path)
        page.evaluate(WAIT_FOR_MATH)
        assert page.locator("main").is_visible(), path
    assert not page.errors, page.errors
    assert not page.foreign, page.foreign


def test_theme_follows_the_os_then_the_readers_choice_across_reloads_and_tabs(
    page, browser, served_sample_site
):
    url = served_sample_site.url + "/archives/90001/"
    page.emulate_media(color_scheme="dark")
    page.goto(url)
    root = page.locator("html")
    assert root.get_attribute("data-theme") == "dark"
    assert root.get_attribute("data-theme-pref") == "system"
    page.emulate_media(color_scheme="light")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")

    other = browser.new_page()
    other.goto(served_sample_site.url + "/")
    page.bring_to_front()  # a background tab's animation frames are throttled
    button = page.get_by_role("button", name=re.compile("切换配色"))
    button.click()  # system → light
    button.click()  # light → dark
    assert root.get_attribute("data-theme") == "dark"
    assert "深色" in button.get_attribute("aria-label")
    other.wait_for_function("document.documentElement.dataset.theme === 'dark'")  # tab sync
    other.close()

    page.reload()
    assert root.get_attribute("data-theme") == "dark"  # remembered, applied before scripts
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(28, 28, 29)"
    page.keyboard.press("Tab")  # the skip link, then the navbar: all real, focusable
    assert page.evaluate("document.activeElement.className") == "skip-link"
    button.focus()
    page.keyboard.press("Enter")  # dark → system (the OS says light)
    assert root.get_attribute("data-theme") == "light"
    assert page.evaluate("localStorage.getItem('kexue-theme')") is None


def test_toc_marks_the_section_in_view(page, served_sample_site):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(served_sample_site.url + "/archives/90001/")
    page.evaluate(WAIT_FOR_MATH)
    toc = page.locator("[data-toc]")
    assert toc.get_attribute("open") is not None  # wide screen: the contents are shown
    assert page.locator(".toc-column").evaluate("e => getComputedStyle(e).position") == "sticky"
    assert page.locator("[data-toc-link][aria-current]").count() == 0  # at the top: none yet
    page.evaluate("document.getElementById('一个不等式').scrollIntoView({block: 'start'})")
    page.wait_for_function(
        "document.querySelector('[data-toc-link][aria-current]')?.getAttribute('href')"
        " === '#一个不等式'"
    )
    assert page.locator("[data-toc-link][aria-current]").count() == 1
    assert page.locator(".toc-column").is_visible()


def test_phone_width_never_scrolls_sideways(page, served_sample_site):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (
        "/",
        "/archives/90001/",
        "/archives/90002/",
        "/archives/90003/",
        "/archives/90005/",
    ):
        page.goto(served_sample_site.url + path)
        page.evaluate(WAIT_FOR_MATH)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px"
    assert page.locator("[data-toc]").get_attribute("open") is None  # a closed box on phones


def test_print_opens_every_collapsible_and_hides_navigation(page, served_sample_site):
    page.goto(served_sample_site.url + "/archives/90003/")
    box = page.locator("details.box")
    assert box.get_attribute("open") is None
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert box.get_attribute("open") is not None
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("html").evaluate("e => getComputedStyle(e).getPropertyValue('--bg')") == (
        "#ffffff"
    )
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert box.get_attribute("open") is None
    page.emulate_media(media="screen")
