"""kexue.tex: finding TeX spans in Markdown text and numbering equations."""

from __future__ import annotations

from kexue.tex import find_math, number_equations


def sources(text: str) -> list[str]:
    return [s.source for s in find_math(text)]


def test_money_in_prose_is_not_math():
    assert sources("花了 $5 和 $10。") == []


def test_inline_display_and_environments_are_found_in_order():
    text = "设 $x_i$ 与 \\(y^*\\)：\n\\begin{equation}a < b\\end{equation}\n$$\nc\n\n# d\n$$"
    assert sources(text) == [
        "$x_i$",
        "\\(y^*\\)",
        "\\begin{equation}a < b\\end{equation}",
        "$$\nc\n\n# d\n$$",
    ]


def test_no_math_starts_in_code():
    text = "`$a$` 与\n\n```\necho $HOME $x$\n```\n\n    $indented$\n\n而 $b$"
    assert sources(text) == ["$b$"]


def test_escaped_dollar_is_literal():
    assert sources("价格 \\$5 与 $x$") == ["$x$"]


def test_ams_numbering_rows_notag_and_tag():
    text = (
        "\\begin{align}a\\notag\\\\ b\\label{eq:b}\\\\[7pt] c\\tag{T}\\\\ d \\\\\n\\end{align}\n"
        "\\begin{equation*}e\\end{equation*}\n$$f$$\n\\begin{equation}g\\end{equation}\n"
        "\\begin{gather}h\\\\ i\\nonumber\\end{gather}"
    )
    shown = [(e.shown, e.label) for e in number_equations(find_math(text))]
    assert shown == [("1", "eq:b"), ("T", None), ("2", None), ("3", None), ("4", None)]


def test_nested_environment_rows_do_not_count():
    text = "\\begin{equation}\\begin{aligned}a\\\\b\\end{aligned}\\end{equation}"
    assert [e.shown for e in number_equations(find_math(text))] == ["1"]
