"""kexue.math.prerender: formulas typeset at build time by MathJax 4 in Node.

Pages here are Markdown written for these tests, converted with the math extension and
wrapped the way the theme's head partial marks them; the real Node worker typesets them.
"""

from __future__ import annotations

import html
import re
import shutil

import markdown
import pytest

from kexue.core.paths import ROOT
from kexue.dev.bench_build import SITE_SETTINGS
from kexue.math.checks import built_problems
from kexue.math.element import page_math
from kexue.math.extension import MathExtension
from kexue.math.prerender import CLIENT_END, CLIENT_START, STYLESHEET, prerender_files
from kexue.math.tex import find_math
from kexue.site.live import LiveSite

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

HEAD = (
    "<!DOCTYPE html><html><head><!--kexue-mathjax-css-->"
    f'{CLIENT_START}<script src="/vendor/mathjax/tex-chtml.js"></script>{CLIENT_END}'
    "</head><body>"
)

PAGE = r"""宏 $\newcommand{msign}{\mathop{\text{msign}}}\msign(x)$ 之后 $\msign(y)$，
引用 $\eqref{eq:b}$。

\begin{equation}a \label{eq:a}\end{equation}

\begin{align}c \\ d \notag \\ e \tag{T} \\ f \end{align}

特殊字符 $a<b \text{"q"} \& 'r'$ 与制表符 $x	y$。

$\setCounter{30}$

\begin{equation}\color{red}{x} y \label{eq:b}\end{equation}
"""


def write_page(folder, name, text):
    md = markdown.Markdown(extensions=[MathExtension()], output_format="html5")
    path = folder / name
    path.write_text(HEAD + md.convert(text) + "</body></html>", encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    return out, tmp_path / "cache"


def test_typeset_page_keeps_tex_ids_numbers_and_drops_client_mathjax(site):
    out, cache = site
    page = write_page(out, "a.html", PAGE)
    stats = prerender_files([page], out, cache)
    text = page.read_text(encoding="utf-8")
    assert stats.formulas == 9 and stats.rejected == 0
    assert "tex-chtml.js" not in text and "mjx-container" in text
    assert (out / STYLESHEET).is_file()
    # The author's TeX byte for byte, from data-tex.
    source = PAGE
    assert [t for _, t in page_math(text)] == [s.source for s in find_math(source)]
    assert re.search(r'id="eq-1"[^>]*data-mjx-tags="\(1\)"', text)
    assert 'data-eq-shown="2|T|3"' in text and 'data-mjx-tags="(2)|(T)|(3)"' in text
    assert 'data-eq-shown="31"' in text and 'data-mjx-tags="(31)"' in text
    assert built_problems(text) == []
    # \eqref links to our own anchor for the label, which the page has.
    assert 'href="#eq%3Ab"' in text and 'id="eq:b"' in text
    # The macro defined in the first formula works in the second; colorv2 colours only x.
    assert "merror" not in text
    colored = re.search(r'<mjx-mstyle style="color: red;">(.*?)</mjx-mstyle>', text).group(1)
    assert re.sub("<[^>]+>", "", colored) == "\U0001d465"  # italic x only, not y


def test_second_build_does_not_call_node_for_unchanged_formulas(site):
    out, cache = site
    first = prerender_files([write_page(out, "a.html", PAGE)], out, cache)
    assert first.typeset == 9 and first.node_calls > 0
    again = prerender_files([write_page(out, "a.html", PAGE)], out, cache)
    assert again.typeset == 0 and again.node_calls == 0
    # One changed formula after the macro's definition: only it is typeset, and the
    # definition is replayed for it (no error).
    changed = PAGE.replace(r"$\msign(y)$", r"$\msign(z)$")
    page = write_page(out, "a.html", changed)
    third = prerender_files([page], out, cache)
    assert third.typeset == 1 and third.rejected == 0
    assert "merror" not in page.read_text(encoding="utf-8")
    # On another page (a list of summaries, say), after a definition it does not use, a
    # formula is the same formula: cached.
    other = write_page(out, "list.html", "$\\newcommand{foo}{z}\\foo$ 与 $x\ty$。\n")
    fourth = prerender_files([other], out, cache)
    assert fourth.typeset == 1 and fourth.formulas == 2


def test_the_macros_every_page_defines_are_typeset_at_build_time(site):
    # data/tex-macros.toml (kexue/math/macros.py): the same macros as the browser's MathJax
    out, cache = site
    page = write_page(out, "m.html", "$\\argmax_x f(x)$，$\\argmin_y g(y)$，$\\msign(M)$。\n")
    stats = prerender_files([page], out, cache)
    text = page.read_text(encoding="utf-8")
    assert stats.formulas == 3 and stats.rejected == 0, text
    assert "merror" not in text and "data-mjx-error" not in text
    assert "arg" in re.sub("<[^>]+>", "", text)


def test_rejected_formula_stays_tex_for_the_browser_and_is_reported(site):
    out, cache = site
    page = write_page(out, "b.html", "好的 $a+b$。\n\n坏的 $\\undefinedmacro{x}$。\n")
    stats = prerender_files([page], out, cache)
    text = page.read_text(encoding="utf-8")
    assert stats.rejected == 1
    assert "tex-chtml.js" in text  # the browser typesets the rejected formula
    bad = re.search(r'<span class="math inline" data-mjx-error="([^"]*)">([^<]*)</span>', text)
    assert html.unescape(bad.group(2)) == "$\\undefinedmacro{x}$"
    assert "Undefined control sequence" in bad.group(1)
    [problem] = built_problems(text)
    assert problem.tex == "$\\undefinedmacro{x}$" and problem.message.startswith("MathJax: ")


def test_changed_numbers_are_reported(site):
    out, cache = site
    page = write_page(out, "a.html", PAGE)
    prerender_files([page], out, cache)
    text = page.read_text(encoding="utf-8").replace('data-eq-shown="1"', 'data-eq-shown="9"')
    [problem] = built_problems(text)
    assert "computed ['9'], MathJax drew ['(1)']" in problem.message


def _style(page):
    return re.search(r"<style>(.*?)</style>", page.read_text(encoding="utf-8"), re.S).group(1)


def test_a_page_gets_the_same_rules_after_other_pages_on_the_same_worker(tmp_path):
    # The worker sends each rule's text once and numbers it after; a page typeset after
    # others that used its rules (one worker) still gets every rule, as when typeset alone.
    pages = {
        "a.html": "$\\frac{a}{b} + \\sqrt{x}$。\n",
        "b.html": "$\\frac{c}{d} + \\sqrt[3]{y}$。\n",
    }
    (tmp_path / "alone").mkdir()
    alone = write_page(tmp_path / "alone", "b.html", pages["b.html"])
    prerender_files([alone], tmp_path / "alone", tmp_path / "cache-alone", workers=1)
    (tmp_path / "both").mkdir()
    both = [write_page(tmp_path / "both", name, text) for name, text in pages.items()]
    stats = prerender_files(both, tmp_path / "both", tmp_path / "cache-both", workers=1)
    assert stats.node_calls == 3 and stats.typeset == 2  # hello, then one request a page
    # the square root's glyph, numbered for page a, and page b's own italic y
    assert "mjx-c.mjx-c221A {" in _style(both[0])
    assert "mjx-c.mjx-c221A {" in _style(both[1]) and "mjx-c.mjx-c1D466 {" in _style(both[1])
    assert _style(both[1]) == _style(alone)


def test_each_run_of_one_pelican_typesets_the_pages_it_writes(tmp_path):
    # `invoke serve` runs the same Pelican again after an edit (no `initialized` then): the
    # pages the second run writes are typeset too, as in the first run.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    settings = tmp_path / "conf.py"
    settings.write_text(SITE_SETTINGS.format(root=str(ROOT), cache=str(tmp_path / "cache")))
    site = LiveSite(settings, content, tmp_path / "output")
    assert site.build().ok
    page = tmp_path / "output" / "archives" / "90001" / "index.html"
    assert "mjx-container" in page.read_text(encoding="utf-8")
    note = content / "derivations" / "90001.md"
    note.write_text(note.read_text("utf-8") + "\n\n新的式子 $\\frac{p}{q}$。\n", "utf-8")
    assert site.build().ok
    text = page.read_text(encoding="utf-8")
    assert "新的式子" in text
    assert re.search(r'class="math inline mjx-server"[^>]* data-tex="\$\\frac\{p\}\{q\}\$"', text)
