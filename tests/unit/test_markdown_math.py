"""kexue.math.extension: TeX reaches the HTML byte for byte, whatever Markdown around it.

Each case is Markdown written for these tests, the TeX it must yield on the page, and
text that must stay outside math.  The Markdown is converted with the reader's
configuration (pelicanconf.py's MARKDOWN plus the extension), and the page's TeX is read
back from the HTML the way MathJax reads it (the text of each .math element).
"""

from __future__ import annotations

import importlib.util

import markdown
import pytest
from pelican.settings import read_settings

from kexue.math.element import page_math
from kexue.math.extension import MathExtension, body_offset
from kexue.math.tex import find_math
from tests.conftest import ROOT

EXTENSIONS = [
    "markdown.extensions.extra",
    "markdown.extensions.codehilite",
    "markdown.extensions.meta",
]
CONFIGS = {"markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False}}


def convert(text: str) -> str:
    md = markdown.Markdown(
        extensions=[MathExtension(), *EXTENSIONS], extension_configs=CONFIGS, output_format="html5"
    )
    return md.convert(text)


def page_tex(text: str) -> list[str]:
    return [tex for _, tex in page_math(convert(text))]


ALIGN = "\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}"
CASES = {
    "blank line inside $$": ("前\n\n$$\na\n\nb\n$$\n\n后", ["$$\na\n\nb\n$$"]),
    "blank line then indented line inside $$": (
        "前\n\n$$\na = b\n\n    + c\n$$\n",
        ["$$\na = b\n\n    + c\n$$"],
    ),
    "line starting with > inside math": ("$$\na\n> b\n$$", ["$$\na\n> b\n$$"]),
    "line starting with # inside math": ("$$\na\n# b\n$$", ["$$\na\n# b\n$$"]),
    "line starting with - inside math": ("设\n$$\na\n- b\n$$", ["$$\na\n- b\n$$"]),
    "line starting with + inside math": (
        "\\begin{equation}\na\n+ b\n\\end{equation}",
        ["\\begin{equation}\na\n+ b\n\\end{equation}"],
    ),
    "line starting with 1. inside math": ("$$\na\n1. b\n$$", ["$$\na\n1. b\n$$"]),
    "row breaks \\\\ and \\\\[7pt]": (
        "则\n\\begin{aligned}a\\\\[7pt]\nb\\\\\nc\\end{aligned}\n即",
        ["\\begin{aligned}a\\\\[7pt]\nb\\\\\nc\\end{aligned}"],
    ),
    "& in aligned rows": (f"于是\n{ALIGN}\n得", [ALIGN]),
    "< and > in math": ("当 $a<b$ 且 $c > d$ 时，$x<y>z$", ["$a<b$", "$c > d$", "$x<y>z$"]),
    "_ and * in math": ("$x_i*y_j$ 与 $a_1 * b_2$ 及 $*_*$", ["$x_i*y_j$", "$a_1 * b_2$", "$*_*$"]),
    "\\{ and \\} in math": ("集合 $\\{x \\mid x_1\\}$", ["$\\{x \\mid x_1\\}$"]),
    "\\# and \\% in math": ("$\\#A + 5\\%$", ["$\\#A + 5\\%$"]),
    "display math in a list item": (
        "- 第一项：\n  $$\n  a_1 + b_2\n  $$\n  其中 $c$。\n- 第二项",
        ["$$\na_1 + b_2\n$$", "$c$"],
    ),
    "display math in an ordered list item": (
        "1. 设\n   \\begin{equation}\n   a\n   \\end{equation}\n2. 完",
        ["\\begin{equation}\na\n\\end{equation}"],
    ),
    "display math in a blockquote": (
        "> 定理\n> \\begin{equation}\n> a *b* c\n>\n> d\n> \\end{equation}\n> 证毕。",
        ["\\begin{equation}\na *b* c\n\nd\n\\end{equation}"],
    ),
    "$$ in a blockquote with a quoted > line": ("> $$\n> > x\n> $$", ["$$\n> x\n$$"]),
    "inline \\newcommand": (
        "定义 $\\newcommand{\\sg}{\\mathop{\\text{sg}}}\\sg$ 后 $\\sg(x)$",
        ["$\\newcommand{\\sg}{\\mathop{\\text{sg}}}\\sg$", "$\\sg(x)$"],
    ),
    "\\newcommand without a backslash on the name": (
        "$\\newcommand{msign}{\\mathop{\\text{msign}}}\\msign(M)$",
        ["$\\newcommand{msign}{\\mathop{\\text{msign}}}\\msign(M)$"],
    ),
    "\\( \\) and \\[ \\]": ("行内 \\(a_1\\) 与\n\\[\nb_2\n\\]", ["\\(a_1\\)", "\\[\nb_2\n\\]"]),
    "bare \\eqref": ("由 \\eqref{eq:a} 得", ["\\eqref{eq:a}"]),
    "math inside a raw HTML block": ('<div class="box">\n$f*g*h$\n</div>', ["$f*g*h$"]),
    "math in a table cell": ("| a | b |\n|---|---|\n| $x_1$ | $y*z$ |", ["$x_1$", "$y*z$"]),
}


@pytest.mark.parametrize("source,expected", CASES.values(), ids=list(CASES))
def test_tex_reaches_the_page_byte_for_byte(source, expected):
    assert page_tex(source) == expected
    # The same definition of "TeX in the source" as the real-corpus test uses.
    assert [s.source for s in find_math(source)] == expected


PROSE = {
    "money in prose": ("花了 $5 和 $10 之间", "花了 $5 和 $10 之间"),
    "money with decimals on two lines": ("单价 $3.5，\n总价 $7。", "总价 $7"),
    "$ in a code span": ("运行 `echo $HOME $x$` 即可", "<code>echo $HOME $x$</code>"),
    "$ in fenced code": ("```\nA=$1 $x$\n```", "A=$1 $x$"),
    "$ in indented code": ("代码：\n\n    echo $x$ $5\n", "echo $x$ $5"),
    "escaped dollar": ("价格 \\$5 和 \\$6", "价格 \\$5 和 \\$6"),
}


@pytest.mark.parametrize("source,kept", PROSE.values(), ids=list(PROSE))
def test_no_math_starts_outside_math(source, kept):
    html = convert(source)
    assert page_math(html) == []
    assert kept in html.replace('<span class="p">', "").replace("</span>", "")


def test_display_in_a_paragraph_splits_it():
    html = convert("那么\n\\begin{equation}a\\end{equation}\n其中 $b$。")
    assert html.startswith('<p>那么</p>\n<div class="math display"')
    assert "<p>" not in html.split("math display")[1].split("</div>")[0]


def test_metadata_header_is_not_math_and_summary_math_survives(tmp_path):
    """Our Pelican reader: the header is metadata (no placeholder leaks into it), and the
    Summary, text, gets its math elements (kexue.reading.summaries)."""
    spec = importlib.util.spec_from_file_location(
        "kexue_posts_plugin", ROOT / "plugins/kexue_posts/__init__.py"
    )
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    MarkdownReader = plugin.KexueMarkdownReader  # noqa: N806 (a class)
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    settings["MARKDOWN"]["extension_configs"]["kexue.math.extension"] = {}
    path = tmp_path / "91100.md"
    path.write_text(
        "Title: 关于 $x$ 的笔记\nSlug: 91100\nSummary: 摘要里有 $y_1$ 与 $z*w$\n\n正文 $a_b$\n",
        encoding="utf-8",
    )
    content, meta = MarkdownReader(settings).read(str(path))
    assert meta["title"] == "关于 $x$ 的笔记"
    assert [t for _, t in page_math(content)] == ["$a_b$"]
    assert [t for _, t in page_math(str(meta["summary"]))] == ["$y_1$", "$z*w$"]


def test_body_offset_skips_the_header_only():
    text = "Title: a $x$\nSlug: 1\n\n$y$\n"
    assert text[body_offset(text) :] == "$y$\n"
    assert body_offset("$y$ 正文\n") == 0
