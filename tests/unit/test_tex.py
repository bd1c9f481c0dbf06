"""kexue.math.tex: finding TeX spans in Markdown text and numbering equations."""

from __future__ import annotations

from kexue.math.tex import find_code_ranges, find_math, number_equations


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


# --- edge cases of finding math (each its own test) ----------------------------------


def test_blank_line_inside_display_dollars():
    assert sources("前\n$$\na\n\nb\n$$\n后") == ["$$\na\n\nb\n$$"]


def test_blank_line_then_indented_line_inside_dollars_stays_math():
    text = "前\n\n$$\na = b\n\n    + c\n$$\n\n后 $d$"
    assert sources(text) == ["$$\na = b\n\n    + c\n$$", "$d$"]
    assert find_code_ranges(text) == []


def test_markdown_block_markers_at_line_start_inside_math():
    body = "\\begin{aligned}\n> a\n# b\n- c\n+ d\n1. e\n\\end{aligned}"
    assert sources(f"$$\n{body}\n$$") == [f"$$\n{body}\n$$"]
    assert sources(f"\\begin{{equation}}\n{body}\n\\end{{equation}}") == [
        f"\\begin{{equation}}\n{body}\n\\end{{equation}}"
    ]


def test_row_breaks_and_special_characters_are_kept():
    tex = "\\begin{align}\na_1 &< b^* \\\\[7pt]\n\\{x\\} &> c_2 * d_3 \\\\\ne &= f\n\\end{align}"
    assert sources(f"于是\n{tex}\n成立") == [tex]


def test_escaped_braces_and_underscores_inline():
    assert sources("集合 $\\{x_1, x_2\\}$ 与 $a*b*c$ 和 $a_1 < b_2$") == [
        "$\\{x_1, x_2\\}$",
        "$a*b*c$",
        "$a_1 < b_2$",
    ]


def test_inline_newcommand_with_and_without_backslash():
    text = (
        "$\\newcommand{msign}{\\mathop{\\text{msign}}}\\msign(x)$ 和 "
        "$\\newcommand{\\sg}{\\text{sg}}\\sg$"
    )
    assert sources(text) == [
        "$\\newcommand{msign}{\\mathop{\\text{msign}}}\\msign(x)$",
        "$\\newcommand{\\sg}{\\text{sg}}\\sg$",
    ]


def test_money_across_lines_is_not_math():
    assert sources("买书花了 $5，\n买笔花了 $3。") == []


def test_dollar_in_code_span_never_starts_math():
    assert sources("运行 `echo $PATH` 后 $x$，以及 ``a ` $b$ `` 和 $y$") == ["$x$", "$y$"]


def test_dollar_in_fenced_code_never_starts_math():
    text = '$a$\n\n```bash\nA=$1; echo "$A$"\n```\n\n~~~\n$$x$$\n~~~\n$b$'
    assert sources(text) == ["$a$", "$b$"]


def test_fenced_code_inside_blockquote_and_list():
    text = "> ```\n> echo $x$\n> ```\n\n- 项\n\n  ```\n  $y$\n  ```\n\n$z$"
    assert sources(text) == ["$z$"]


def test_dollar_in_indented_code_never_starts_math():
    text = "代码：\n\n    cost=$5 $x$\n    echo $y$\n\n正文 $z$"
    assert sources(text) == ["$z$"]


def test_indented_code_inside_blockquote():
    assert sources("> 代码：\n>\n>     echo $x$\n\n$z$") == ["$z$"]


def test_indented_line_in_a_list_is_not_code():
    assert sources("- 项\n\n    续 $x$") == ["$x$"]


def test_display_dollars_never_run_into_fenced_code():
    assert sources("价格 $$ 很贵\n\n```\necho $$\n```\n") == []


def test_display_math_in_blockquote_loses_the_quote_markers():
    text = "> 设\n> $$\n> a \\\\\n>\n> > b\n> $$\n> 于是 $c +\n> d$"
    spans = find_math(text)
    assert [s.source for s in spans] == ["$$\na \\\\\n\n> b\n$$", "$c +\nd$"]
    assert text[spans[0].start : spans[0].end] == "$$\n> a \\\\\n>\n> > b\n> $$"


def test_environment_in_nested_blockquote():
    text = "> > \\begin{align}\n> > a \\\\\n> > b\n> > \\end{align}"
    assert sources(text) == ["\\begin{align}\na \\\\\nb\n\\end{align}"]


def test_display_math_in_list_item_loses_the_indentation():
    text = "1. 设\n   $$\n   a\n     + b\n   $$\n2. $$x\n   y$$"
    assert sources(text) == ["$$\na\n  + b\n$$", "$$x\ny$$"]


def test_display_math_in_blockquoted_list_item():
    assert sources("> - $$\n>   a\n>   $$") == ["$$\na\n$$"]


def test_top_level_math_keeps_its_own_indentation():
    text = "$$\n\\begin{aligned}\n  a &= b\n\\end{aligned}\n$$"
    assert sources(text) == [text]


def test_bare_refs_are_math():
    assert sources("由 \\eqref{eq:a} 与 \\ref{eq:b} 得") == ["\\eqref{eq:a}", "\\ref{eq:b}"]


def test_inline_dollars_pair_as_in_mathjax_even_with_spaces_inside():
    text = "更新$\\alpha_t $，把$ > $改为$\\geq $，取$ \\boldsymbol{I}$。"
    assert sources(text) == ["$\\alpha_t $", "$ > $", "$\\geq $", "$ \\boldsymbol{I}$"]


def test_a_dollar_inside_braces_does_not_close_inline_math():
    assert sources("$\\text{若 $x>0$ 则}$ 与 $y$") == ["$\\text{若 $x>0$ 则}$", "$y$"]


def test_money_before_math_in_the_same_paragraph():
    assert sources("花了 $5 和 $10，") == []
    assert sources("共 $5，而 $x$ 是") == ["$x$"]


def test_an_inline_environment_is_numbered_as_mathjax_does():
    text = "\\begin{equation}a\\end{equation} 与 $\\begin{equation}b\\end{equation}$ 及 $c$"
    eqs = number_equations(find_math(text))
    assert [(e.span, e.shown) for e in eqs] == [(0, "1"), (1, "2")]


def test_set_counter_continues_the_numbering():
    text = "$\\setCounter{11}$\n\\begin{equation}a\\end{equation}\n\\begin{align}b\\\\c\\end{align}"
    assert [e.shown for e in number_equations(find_math(text))] == ["12", "13", "14"]


def test_an_equation_nested_in_other_math_is_numbered_as_mathjax_does():
    text = "$x，得\n\\begin{equation}a\\end{equation}\n与 \\begin{align}b\\\\c\\end{align} y$"
    assert [e.shown for e in number_equations(find_math(text))] == ["1", "2", "3"]


def test_unbalanced_braces_still_close_at_the_first_dollar():
    # MathJax finds no formula there; `invoke check` reports it instead of a stray "$".
    assert sources("$\\frac{a}{b$ 和 $c$") == ["$\\frac{a}{b$", "$c$"]
