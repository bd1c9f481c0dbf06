"""Repairs of formulas MathJax rejects in imported notes (kexue/legacy/note_repair.py).

The broken formulas here are written for these tests after the kinds found in the
earlier mirror's notes; none is corpus text."""

from __future__ import annotations

from kexue.legacy.note_repair import repair_note_math


def test_tag_inside_aligned_becomes_align_star():
    text = (
        "前文\n\\begin{equation}\n\\begin{aligned}\na &= b \\tag{1} \\\\\nc &= d \\tag{2}\n"
        "\\end{aligned}\n\\end{equation}\n后文\n"
    )
    fixed, repairs = repair_note_math(text)
    assert (
        fixed
        == "前文\n\\begin{align*}\na &= b \\tag{1} \\\\\nc &= d \\tag{2}\n\\end{align*}\n后文\n"
    )
    assert [(r.line, r.kind) for r in repairs] == [(2, "tag")]
    assert (
        repairs[0].before[0] == "\\begin{equation}" and repairs[0].before[-1] == "\\end{equation}"
    )


def test_tag_inside_aligned_in_dollars():
    text = "$$\n\\begin{gathered}\nx = 1 \\tag{3}\n\\end{gathered}\n$$\n"
    fixed, _ = repair_note_math(text)
    assert fixed == "$$\n\\begin{gather*}\nx = 1 \\tag{3}\n\\end{gather*}\n$$\n"


def test_valid_uses_are_left_alone():
    for text in (
        "$$\\begin{aligned}a &= b\\end{aligned} \\tag{2}$$\n",  # the tag is outside
        "\\begin{equation}\\begin{aligned}a &= b\\end{aligned}\\end{equation}\n",
        "```\n\\begin{equation}\\begin{aligned}a \\tag{1}\\end{aligned}\\end{equation}\n```\n",
        "$\\left\\{ x \\right\\}$ 和 $$x$$ 文字\n",
    ):
        assert repair_note_math(text) == (text, [])


def test_mismatched_end_typo_stray_dollars_and_doubled_brace():
    text = (
        "\\begin{align}\na &= b \\tag{4.1}\n\\end{equation}\n\n"
        "\\begin{equation}\nx\n\\end{equation>\n\n"
        "$$q(x)$也不依赖于$y$。\n\n"
        "$\\left\\\\{ x \\right\\\\}$\n"
    )
    fixed, repairs = repair_note_math(text)
    assert fixed == (
        "\\begin{align}\na &= b \\tag{4.1}\n\\end{align}\n\n"
        "\\begin{equation}\nx\n\\end{equation}\n\n"
        "$q(x)$也不依赖于$y$。\n\n"
        "$\\left\\{ x \\right\\}$\n"
    )
    assert sorted((r.line, r.kind) for r in repairs) == [
        (1, "end"),
        (7, "end>"),
        (9, "dollars"),
        (11, "lr"),
        (11, "lr"),
    ]
