"""Math on built pages in headless Chromium: typeset at build time (MathJax 4,
kexue.math.prerender), it is there before any script runs and shows the numbers the build
computed; it behaves like the source site's MathJax 2 where they differ; a formula the
build rejects is typeset in the browser (MathJax 3) and reported; the copy-TeX button
copies the formula as written.

The posts here are written for these tests (not from the source site).
"""

from __future__ import annotations

import shutil

import pytest

from kexue.core.problems import CheckContext
from kexue.math.checks import check_math_pages
from kexue.site.serve import ServedSite
from tests.conftest import ROOT, build_site

NUMBERING = r"""Title: 编号与渲染测试（测试用，本站撰写）
Date: 2026-01-01
Slug: 91001

宏 $\newcommand{msign}{\mathop{\text{msign}}}\msign(x)$ 之后 $\msign(y)$。
\begin{equation}a \label{eq:a}\end{equation}
$$ b \label{eq:unnumbered} $$
\begin{align}c \\ d \notag \\ e \tag{T} \\ f \\ \end{align}
\begin{eqnarray} g &=& h \\ i &=& j \nonumber \end{eqnarray}
\begin{multline} k \\ l \\ m \end{multline}
\begin{equation} n \tag*{S*} \end{equation}
\begin{gather*} o \\ p \tag{G} \end{gather*}
$$\begin{align} q \\ r \end{align}$$
\[ s \tag{Q} \]
\begin{equation}\begin{split} t \\ u \end{split}\end{equation}
\begin{alignat}{2} v &= w & x &= y \\ z &= 0 \end{alignat}
\begin{flalign} a &= b \\ c &= d \end{flalign}
\begin{align} a \\ \\ b \end{align}
由 $\eqref{eq:a}$ 与 \eqref{eq:b} 可知
\begin{equation}\color{red}{x} y \label{eq:b}\end{equation}
并且 $\cancel{z} + \bbox[yellow]{w} + \unicode{x263A}$ 与 $\require{cancel}\cancel{q}$。

- 列表里的公式
  $$
  \begin{aligned}
  a &= b
  \end{aligned}
  $$

> 引用里的公式
> \begin{equation}
> \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}
> \end{equation}

续篇接着编号 $\setCounter{30}$：
\begin{equation} w \end{equation}
行内的环境 $\begin{equation} v \end{equation}$ 也编号，$ \alpha_t $ 与 $ > $ 照样是公式，
MathJax 2 的扩展名 $\require{AMScd}\begin{CD} A @>>> B \end{CD}$。
"""
DRAWN = (
    "(1) (2) (T) (3) (4) (5) S* (G) (6) (7) (Q) (8) (9) (10) (11) (12) (13) (14) (15) (16) (17)"
    " (31) (32)"
).split()

ERRORS = r"""Title: 错误公式（测试用，本站撰写）
Date: 2026-01-02
Slug: 91002

第一段 $a + b$。

未定义的宏 $\undefinedmacro{x}$ 在第六行。

\begin{equation}
\frac{a}{b
\end{equation}
"""


@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("mathsite")
    content = root / "content"
    (content / "samples").mkdir(parents=True)
    (content / "samples" / "91001.md").write_text(NUMBERING, encoding="utf-8")
    (content / "samples" / "91002.md").write_text(ERRORS, encoding="utf-8")
    out = root / "output"
    build_site(content, out)
    return content, out


@pytest.fixture(scope="module")
def served_math_site(math_site):
    with ServedSite(math_site[1]) as site:
        yield site


@pytest.fixture
def page(browser, served_math_site):
    page = browser.new_page()
    page.goto(f"{served_math_site.url}/archives/91001/")
    yield page
    page.close()


def test_math_is_typeset_before_any_script_runs(browser, served_math_site):
    page = browser.new_page()
    browser.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{served_math_site.url}/archives/91001/", wait_until="load")
    page.evaluate("document.fonts.ready")
    counts = page.evaluate(
        """() => ({
        math: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('.math > mjx-container').length,
        raw: Array.from(document.querySelectorAll('.math')).filter(
          (el) => /[\\$]/.test(el.innerText)).length,
        fonts: Array.from(document.fonts).filter((f) => f.status === 'loaded')
          .map((f) => f.family),
      })"""
    )
    assert counts["math"] == counts["typeset"] > 20
    assert counts["raw"] == 0  # no TeX on screen
    assert "MJX-NCM-N" in counts["fonts"]  # MathJax 4's font, from our origin
    assert all(u.startswith(served_math_site.url) for u in requests), requests
    assert not [u for u in requests if "mathjax" in u and u.endswith(".js")], requests
    fonts = [u for u in requests if u.endswith(".woff2")]
    assert fonts and len(fonts) < 20  # the faces the page uses, not all 100
    assert "\\begin{equation}" not in page.inner_text("main")
    assert page.locator(".copy-tex").count() == 0  # copy-tex.js did not run: no script did
    page.close()


def test_typeset_math_takes_the_text_colour_light_and_dark(page):
    colours = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.reload()  # the theme reads the preference before the first paint
        colours[scheme] = page.evaluate(
            """() => [getComputedStyle(document.querySelector('#eq-1 mjx-c')).color,
                      getComputedStyle(document.querySelector('#eq-1').parentElement).color]"""
        )
        assert colours[scheme][0] == colours[scheme][1], scheme
    assert colours["light"][0] != colours["dark"][0]


def test_deep_links_and_eqref_targets(page):
    assert "math display" in page.get_attribute("#eq-1", "class")
    assert page.eval_on_selector("#eq-3", "e => e.closest('.math').dataset.eqNumbers") == "2 3"
    assert page.eval_on_selector("#eq\\:b", "e => e.closest('.math').dataset.eqNumbers") == "16"
    hrefs = page.eval_on_selector_all("mjx-container a[href^='#']", "as => as.map(a => a.href)")
    assert len(hrefs) == 2
    targets = page.evaluate(
        "hs => hs.map(h => !!document.getElementById(decodeURIComponent(h.split('#')[1])))",
        hrefs,
    )
    assert targets == [True, True]


def formula(page, needle: str) -> dict:
    """What the typeset formula whose TeX holds ``needle`` shows."""
    return page.evaluate(
        """(needle) => {
      const el = Array.from(document.querySelectorAll('.math[data-tex]'))
        .find((e) => e.dataset.tex.includes(needle));
      const colored = Array.from(el.querySelectorAll('[style*="color"]'))
        .filter((n) => /(^|;)\\s*color:/.test(n.getAttribute('style')))
        .map((n) => n.textContent);
      return {
        text: el.querySelector('mjx-container').textContent,
        colored,
        enclose: el.querySelectorAll('mjx-menclose').length,
        background: !!el.querySelector('[style*="background"]'),
        error: !!el.querySelector('mjx-merror'),
      };
    }""",
        needle,
    )


def test_color_takes_two_arguments_as_in_mathjax_2(page):
    f = formula(page, "\\color{red}")
    assert f["colored"] == ["\U0001d465"]  # only x (MathJax 3's own \color would also colour y)


def test_cancel_bbox_unicode_and_require_render(page):
    f = formula(page, "\\cancel{z}")
    assert f["enclose"] and f["background"] and not f["error"]
    assert "\u263a" in f["text"]
    assert formula(page, "\\require{cancel}")["enclose"]


def test_newcommand_without_backslash_defines_the_macro(page):
    f = formula(page, "\\msign(y)")
    assert "msign" in f["text"] and not f["error"]


def test_a_formula_the_build_rejects_is_typeset_in_the_browser(browser, served_math_site):
    page = browser.new_page()
    page.goto(f"{served_math_site.url}/archives/91002/")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    rejected = page.locator(".math[data-mjx-error]")
    assert rejected.count() == 2
    assert "Undefined control sequence" in rejected.first.get_attribute("data-mjx-error")
    # MathJax 3 in the browser typesets it (and shows its error, as before) ...
    assert rejected.first.locator("mjx-container mjx-merror").count() == 1
    # ... and leaves the formula typeset at build time alone.
    good = page.locator(".math[data-tex]")
    assert good.count() == 1 and good.locator("mjx-container").count() == 1
    page.close()


def test_copy_tex_button_is_keyboard_reachable_and_copies_the_source(page, browser):
    browser.grant_permissions(["clipboard-read", "clipboard-write"])
    first = page.locator(".math.display .copy-tex").first
    assert first.evaluate("b => b.tagName") == "BUTTON"
    assert page.locator(".copy-tex").count() == page.locator(".math.display").count()
    for _ in range(200):  # Tab through the page until the first copy button has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('copy-tex')"):
            break
    else:
        pytest.fail("no copy-TeX button is reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "\\begin{equation}a \\label{eq:a}\\end{equation}"
    # In a blockquote: the TeX as written, without the "> " markers.
    last = page.locator("blockquote .copy-tex").first
    last.click()
    last.filter(has_text="已复制").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "\\begin{equation}\n\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}\n\\end{equation}"
    )


def test_check_reports_errors_with_file_line_formula_and_message(math_site, browser, tmp_path):
    content, out = math_site
    # A page whose ids disagree with MathJax: the build's numbers, edited.
    site = tmp_path / "output"
    shutil.copytree(out, site)
    broken = site / "archives" / "91003" / "index.html"
    broken.parent.mkdir(parents=True)
    html = (out / "archives" / "91001" / "index.html").read_text(encoding="utf-8")
    broken.write_text(html.replace('data-eq-shown="1"', 'data-eq-shown="9"', 1), encoding="utf-8")
    ctx = CheckContext(root=ROOT, content=content, output=site)
    problems = [str(p) for p in check_math_pages(ctx, context=browser)]
    source = content / "samples" / "91002.md"
    assert any(
        p.startswith(f"{source}:7: MathJax: Undefined control sequence \\undefinedmacro")
        and "'$\\\\undefinedmacro{x}$'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"{source}:9: MathJax: Missing close brace")
        and "\\\\frac{a}{b\\n\\\\end{equation}'" in p
        for p in problems
    ), problems
    mismatch = [p for p in problems if "91003" in p]
    assert len(mismatch) == 1 and "computed ['9'], MathJax drew ['(1)']" in mismatch[0]
    assert not [p for p in problems if "91001" in p]
    assert len(problems) == 3, problems
