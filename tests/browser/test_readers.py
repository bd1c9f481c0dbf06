"""Math for every reader (issue 27), in headless Chromium on a built site: displays fit a
phone's column (broken at build time, or scrolling inside themselves with their numbers in
view), every formula exposes MathML to assistive technology, math letters match the
text's x-height, control texts reach 4.5:1 in both themes, the keyboard meets a skip link
first and one stop for all copy buttons, an \\eqref previews on tap, and the theme switch
is no long task.

The sample content (content/) plus a post written for these tests (not from the source
site).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from kexue.math.layout import MATH_SCALE, bucket_rules, text_em
from kexue.site.serve import ServedSite
from tests.conftest import ROOT, build_site

LONG = (
    r"W = (W_0 - A_0 B_0) + (A_0 + \Delta A)(B_0 + \Delta B) = W_0 + A_0\Delta B"
    r" + \Delta A B_0 + \Delta A\Delta B + \sum_{i=1}^n x_i^2 + \int_0^1 f(x)\,dx"
)
MATRIX = r"\begin{pmatrix}" + " & ".join(rf"a_{{{i}}}+b_{{{i}}}" for i in range(1, 13))
MATRIX += r"\end{pmatrix}"
POST = rf"""Title: 手机上的公式（测试用，本站撰写）
Date: 2026-01-03
Slug: 91501

长公式可以折行：
\begin{{equation}}{LONG}\label{{eq:long}}\end{{equation}}
不能折行的矩阵在自己的框里滚动，编号留在视野里：
\begin{{equation}}{MATRIX}\label{{eq:matrix}}\end{{equation}}
多行：
\begin{{align}}{LONG} \\ x &= y\end{{align}}
由式 $\eqref{{eq:long}}$ 与式 $\eqref{{eq:matrix}}$ 可知 $x^2$。

""" + "".join(
    f"第 {i} 段文字，含 $x_{{{i % 7}}}$ 与 $y$：\n$$\\sum_{{i=1}}^{{n}} x_i^2 + y_{{{i % 5}}}$$\n\n"
    for i in range(150)
)


@pytest.fixture(scope="module")
def readers_out(tmp_path_factory):
    root = tmp_path_factory.mktemp("readers")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "samples" / "91501.md").write_text(POST, encoding="utf-8")
    out = root / "output"
    build_site(content, out)
    return out


@pytest.fixture(scope="module")
def readers_site(readers_out):
    with ServedSite(readers_out) as site:
        yield site


@pytest.fixture
def tab(browser):
    page = browser.new_page()
    yield page
    page.close()


def _open(tab, site, path, width=360, theme="light"):
    tab.set_viewport_size({"width": width, "height": 800})
    tab.add_init_script(f"localStorage.setItem('kexue-theme', '{theme}')")
    tab.goto(f"{site.url}/{path}")
    tab.evaluate("document.fonts.ready")


# What a reader at this width sees of each display: does it scroll sideways, and is each
# of its equation numbers inside the viewport and inside the display's visible box?
LAYOUT_JS = r"""() => {
  const vw = document.documentElement.clientWidth;
  return [...document.querySelectorAll('.post-body .math.display')].map((d) => {
    const box = d.getBoundingClientRect();
    const under = d.querySelector(':scope > .eq-tags-under');
    let tags = [];
    if (under && getComputedStyle(under).display !== 'none') {
      tags = [under.getBoundingClientRect()];
    } else {
      tags = [...d.querySelectorAll('mjx-labels mjx-mtd')]
        .filter((t) => t.getClientRects().length).map((t) => t.getBoundingClientRect());
    }
    return {
      scrolls: d.scrollWidth > d.clientWidth + 1,
      numbered: !!d.dataset.mjxTags,
      tags: tags.length,
      visible: tags.every((r) => r.width > 0 && r.left >= Math.max(0, box.left) - 1
        && r.right <= Math.min(vw, box.right) + 1),
    };
  });
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_displays_fit_the_column_and_numbers_stay_in_view(tab, readers_site, width):
    _open(tab, readers_site, "archives/91501/", width)
    displays = tab.evaluate(LAYOUT_JS)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    long_eq, matrix, align = displays[:3]
    assert not long_eq["scrolls"] and not align["scrolls"]  # broken into lines
    if width == 360:
        assert matrix["scrolls"]  # a matrix cannot break: it scrolls, inside the display
        # its number is under it, not at the far end of the scroll
        under = tab.locator(".post-body .math.display").nth(1).locator(".eq-tags-under")
        assert under.is_visible() and under.inner_text() == "(2)"
    assert sum(d["scrolls"] for d in displays) <= 1
    numbered = [d for d in displays if d["numbered"]]
    assert len(numbered) == 3
    assert all(d["tags"] and d["visible"] for d in numbered), numbered


def test_phone_form_replaces_the_wide_form_but_not_its_mathml(tab, readers_site):
    _open(tab, readers_site, "archives/91501/", 360)
    long_eq = tab.locator(".post-body .math.display").first
    assert long_eq.locator("mjx-container.kx-narrow").is_visible()
    assert not long_eq.locator("mjx-container.kx-full > mjx-math").is_visible()
    # one MathML for the display: the wide form's, still in the page
    assert long_eq.locator("mjx-assistive-mml").count() == 1
    tab.set_viewport_size({"width": 1280, "height": 800})
    assert long_eq.locator("mjx-container.kx-full > mjx-math").is_visible()
    assert not long_eq.locator("mjx-container.kx-narrow").is_visible()


def _math_nodes(tab) -> int:
    """Nodes of role math in Chromium's accessibility tree."""
    cdp = tab.context.new_cdp_session(tab)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return sum(
        1
        for n in nodes
        if n.get("role", {}).get("value") in ("math", "MathMLMath") and not n.get("ignored")
    )


def test_every_typeset_formula_is_math_to_assistive_technology(tab, readers_site):
    _open(tab, readers_site, "archives/91501/", 1280)
    # content-visibility keeps far blocks out of the tree until laid out: lay them all out
    tab.add_style_tag(content="* { content-visibility: visible !important; }")
    formulas = tab.locator(".post-body .math").count()
    assert formulas > 300
    assert _math_nodes(tab) == formulas
    # the letters drawn are hidden from it (the MathML speaks for them)
    assert tab.locator(".post-body mjx-container > mjx-math:not([aria-hidden=true])").count() == 0


def test_a_formula_typeset_in_the_browser_has_mathml_too(tab, tmp_path):
    content = tmp_path / "content"
    (content / "samples").mkdir(parents=True)
    (content / "samples" / "91502.md").write_text(
        "Title: 浏览器里的公式（测试用）\nDate: 2026-01-04\nSlug: 91502\n\n"
        "好的 $a+b$，未定义的 $\\undefinedmacro{x}$。\n",
        encoding="utf-8",
    )
    build_site(content, tmp_path / "out")
    with ServedSite(tmp_path / "out") as site:
        tab.goto(f"{site.url}/archives/91502/")
        tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        tab.evaluate("MathJax.startup.promise")
        assert tab.locator(".math[data-mjx-error] mjx-assistive-mml math").count() == 1
        assert _math_nodes(tab) == 2


# The x-height of the text's Latin letters and of the math letters beside them, in px.
X_HEIGHT_JS = r"""async () => {
  const p = [...document.querySelectorAll('.post-body p')]
    .find((e) => e.querySelector('.math.inline'));
  const c = document.createElement('canvas').getContext('2d');
  const xh = async (family, size) => {
    await document.fonts.load(`100px ${family}`, 'x');
    c.font = `100px ${family}`;
    return c.measureText('x').actualBoundingBoxAscent / 100 * size;
  };
  const text = getComputedStyle(p);
  const glyph = p.querySelector('.math.inline mjx-c');
  const math = getComputedStyle(glyph);
  return [await xh(text.fontFamily, parseFloat(text.fontSize)),
          await xh(math.fontFamily, parseFloat(math.fontSize))];
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_math_x_height_matches_the_text(tab, readers_site, theme, width):
    _open(tab, readers_site, "archives/91501/", width, theme)
    text, math = tab.evaluate(X_HEIGHT_JS)
    assert abs(math / text - 1) <= 0.05, (text, math)
    assert tab.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.post-body mjx-container')).fontSize)"
        " / parseFloat(getComputedStyle(document.querySelector('.post-body p')).fontSize)"
    ) == pytest.approx(MATH_SCALE, abs=0.01)


# Contrast of an element's text on what is painted under it: the first opaque background
# among its ancestors, blended with the translucent ones above it; opacity counted.
CONTRAST_JS = r"""(el) => {
  const cv = document.createElement('canvas'); cv.width = cv.height = 1;
  const cx = cv.getContext('2d', {willReadFrequently: true});
  const rgba = (s) => { cx.clearRect(0, 0, 1, 1); cx.fillStyle = '#000'; cx.fillStyle = s;
    cx.fillRect(0, 0, 1, 1); const d = cx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, bottom) =>
    top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3]));
  const layers = [];
  let opacity = 1;
  for (let n = el; n; n = n.parentElement) {
    const s = getComputedStyle(n);
    opacity *= parseFloat(s.opacity);
    const bg = s.backgroundColor === 'transparent' ? [0, 0, 0, 0] : rgba(s.backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let bg = [255, 255, 255];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  const fg = rgba(getComputedStyle(el).color);
  const color = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(color), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

CONTROLS = {
    "推导 label": ".deriv-toggle",
    "式 (N)": ".deriv-caption",
    "全部展开": ".deriv-expand-all",
    "复制 TeX": ".copy-tex",
    "contents": ".toc-list a, .toc-box > summary",
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_every_control_text_has_contrast(tab, served_sample_site, theme, width):
    _open(tab, served_sample_site, "archives/90001/", width, theme)
    tab.evaluate("document.querySelectorAll('details.toc-box').forEach((d) => d.open = true)")
    for what, selector in CONTROLS.items():
        found = tab.locator(selector)
        assert found.count(), what
        for i in range(found.count()):
            ratio = found.nth(i).evaluate(CONTRAST_JS)
            assert ratio >= 4.5, (what, i, round(ratio, 2))


def test_skip_link_is_the_first_stop_and_lands_on_the_text(tab, served_sample_site):
    _open(tab, served_sample_site, "archives/90001/", 1280)
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    assert tab.evaluate("document.activeElement.textContent") == "跳到正文"
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "text"
    # the next stop is in the text, past the contents
    tab.keyboard.press("Tab")
    assert tab.evaluate("!!document.activeElement.closest('.post-body')")


def test_copy_buttons_are_one_tab_stop_moved_by_arrows(tab, readers_site):
    _open(tab, readers_site, "archives/91501/", 1280)
    displays = tab.locator(".post-body .math.display").count()
    assert displays > 150
    stops = tab.evaluate(
        "[...document.querySelectorAll('.copy-tex')].filter((b) => b.tabIndex >= 0).length"
    )
    assert stops == 1
    # Tab from the text meets a copy button once before leaving the article
    tab.locator("#text").focus()
    met = 0
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.classList.contains('copy-tex')"):
            met += 1
        if not tab.evaluate("!!document.activeElement.closest('.post-body')"):
            break
    assert met == 1
    first = tab.locator(".copy-tex").first
    first.focus()
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate("document.activeElement === document.querySelectorAll('.copy-tex')[1]")
    tab.keyboard.press("End")
    assert tab.evaluate(
        "document.activeElement === [...document.querySelectorAll('.copy-tex')].pop()"
    )
    # the stop follows the reading: a display scrolled into view holds it
    tab.evaluate("document.activeElement.blur()")
    tab.locator(".post-body .math.display").nth(100).scroll_into_view_if_needed()
    tab.wait_for_function(
        "(() => { const b = [...document.querySelectorAll('.copy-tex')]"
        ".find((b) => b.tabIndex === 0); const r = b.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < innerHeight; })()"
    )


def test_eqref_previews_on_tap_and_a_second_tap_follows(tab, readers_site):
    _open(tab, readers_site, "archives/91501/", 360)
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    link = tab.locator(".post-body a[href='#eq%3Along'], .post-body a[href='#eq:long']").first
    link.scroll_into_view_if_needed()

    def tap(locator):
        box = locator.bounding_box()
        point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    tab.evaluate("window.__y = scrollY")
    tap(link)
    popover = tab.locator("#eq-popover")
    popover.wait_for(state="visible")
    assert tab.evaluate("scrollY === window.__y")  # stayed in place
    go = popover.locator(".eq-popover-go")
    assert go.is_visible() and go.get_attribute("href") == link.get_attribute("href")
    tap(go)
    tab.wait_for_function("location.hash !== ''")
    assert not popover.is_visible()
    cdp.detach()


# Three switches; for each, the time the click's script took, and whether any element
# of the text (a glyph of a formula, deep in the page) was given a transition.
SWITCH_JS = r"""async () => {
  const glyph = [...document.querySelectorAll('.post-body mjx-c')].pop();
  const button = document.querySelector('[data-theme-toggle]');
  const out = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    button.click();
    const script = performance.now() - t0;
    const s = getComputedStyle(glyph);
    out.push({script, theme: document.documentElement.dataset.theme,
              transition: s.transitionDuration !== '0s' && s.transitionProperty !== 'none'});
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  return out;
}"""


def test_theme_switch_does_no_per_element_work(tab, readers_site):
    _open(tab, readers_site, "archives/91501/", 1280)
    switches = tab.evaluate(SWITCH_JS)
    assert {s["theme"] for s in switches} == {"light", "dark"}
    assert not any(s["transition"] for s in switches), switches
    assert max(s["script"] for s in switches) < 50, switches
    assert "theme-animating" not in (tab.locator("html").get_attribute("class") or "")


def test_bench_loads_the_heaviest_post_on_a_throttled_phone(readers_out, chromium):
    # a process of its own: the bench drives its own Playwright (this one has the fixture's)
    cmd = [sys.executable, "-m", "invoke", "bench-readers", "--output", str(readers_out)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    report = run.stdout
    assert "archives/91501 (456 formulas) against" in report and "4x CPU" in report
    loads = re.findall(r"first contentful paint ([\d.]+) s.*, ([\d,]+) KiB transferred", report)
    assert len(loads) == 2 and all(float(paint) > 0 for paint, _ in loads)
    assert int(loads[0][1]) > int(loads[1][1])  # the post with math weighs more
    # the sample posts at 360 px: few displays scroll; every number is in view
    got = re.search(r"(\d+) of (\d+) displays .* (\d+) of (\d+) numbered displays", report)
    scrolling, displays, in_view, numbered = map(int, got.groups())
    assert 1 <= scrolling <= 0.05 * displays
    assert in_view == numbered > 3


def test_container_query_buckets():
    assert text_em(10 / MATH_SCALE) == 10 and text_em(10.01 / MATH_SCALE) == 11
    rules = bucket_rules({20}, {18, 20})
    assert rules.index("(width < 18em)") < rules.index("(width < 20em)")
    assert ".kx-b20>.kx-narrow{display:block!important}" in rules
    assert ".kx-t18>.eq-tags-under{display:block}" in rules and ".kx-b18" not in rules
