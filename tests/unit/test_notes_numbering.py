"""A note's equations are numbered in their own series (kexue.notes.numbering)."""

from __future__ import annotations

import re

import markdown

from kexue.notes import NoteRenderer, annotate, parse_note
from kexue.notes.numbering import NoteNumbers

POST = (
    "正文\n\\begin{equation}a = 1\\label{eq:a}\\end{equation}\n"
    "再来\n\\begin{equation}b = 2\\end{equation}\n$$c \\tag{KL}$$\n"
)


def _shown(html: str) -> list[str]:
    return [s for m in re.findall(r'data-eq-shown="([^"]*)"', html) for s in m.split("|")]


def test_rows_under_an_equation_are_numbered_n_dot_k_and_elsewhere_a_k():
    numbers = NoteNumbers.for_note({"1", "2"}, [])
    under = numbers.rewrite("\\begin{align}x \\\\ y \\notag \\\\ z\\end{align}", "1")
    assert under == "\\begin{align}x \\tag{1.1} \\\\ y \\notag \\\\ z \\tag{1.2}\\end{align}"
    assert numbers.rewrite("$$\\begin{equation}w\\end{equation}$$") == (
        "$$\\begin{equation}w \\tag{A1}\\end{equation}$$"
    )


def test_a_tag_is_kept_unless_the_post_or_the_note_shows_it_already():
    numbers = NoteNumbers.for_note({"1", "2"}, [])
    text = "$$p \\tag{2}$$ $$q \\tag{KL}$$ $$r \\tag{KL}$$ $$s \\tag*{3.1}$$"
    assert numbers.rewrite(text, "3") == (
        "$$p \\tag{3.1}$$ $$q \\tag{KL}$$ $$r \\tag{3.2}$$ $$s \\tag{3.3}$$"
    )
    assert numbers.renumbered == [("2", "3.1"), ("KL", "3.2"), ("3.1", "3.3")]


def test_labels_are_namespaced_and_refs_prefer_the_notes_own():
    bodies = ["$$x \\label{eq:a} \\tag{N}$$", "见 $\\eqref{eq:a}$ 与 $\\eqref{eq:b}$"]
    numbers = NoteNumbers.for_note({"1"}, bodies)
    assert numbers.rewrite(bodies[0]) == "$$x \\label{note:eq:a} \\tag{N}$$"
    assert numbers.rewrite(bodies[1]) == "见 $\\eqref{note:eq:a}$ 与 $\\eqref{eq:b}$"


def test_no_number_shows_twice_on_an_annotated_page():
    post_html = markdown.Markdown(extensions=["kexue.math.extension"]).convert(POST)
    note = parse_note(
        "Post: 1\n\n附录 \\begin{equation}u\\end{equation} $$v \\tag{1}$$\n\n"
        "## @(1) 在 (1) 之下\n\\begin{equation}w\\label{eq:a}\\end{equation}\n"
        "$$t \\tag{KL}$$ 见 $\\eqref{eq:a}$\n\n"
        "## @(KL)\n\\begin{equation}k\\end{equation}\n"
    )
    result = annotate(post_html, POST, note, NoteRenderer())
    page = result.html + result.appendix_html
    shown = _shown(page)
    assert sorted(shown) == sorted(["1", "2", "KL", "1.1", "1.2", "KL.1", "A1", "A2"])
    assert 'id="note:eq:a"' in page and "\\eqref{note:eq:a}" in page
    assert len(set(shown)) == len(shown)


def test_a_numbered_display_inside_a_list_is_numbered_in_the_series_too():
    numbers = NoteNumbers.for_note({"1"}, [])
    body = "1. 第一点：\n   \\begin{equation}\n   a = b\n   \\end{equation}\n   完。\n"
    out = numbers.rewrite(body)
    assert "a = b \\tag{A1}\n   \\end{equation}" in out
    html = NoteRenderer()(out)
    assert 'data-eq-shown="A1"' in html and "<li>" in html


def test_the_generators_todo_placeholder_is_not_rendered():
    note = parse_note(
        "Post: 1\nStatus: done\n\n## 公式推导与注释\n\nTODO: 添加详细的数学公式推导和注释\n\n"
        "## 公式推导与注释\n\n写了 $x$。\n"
    )
    html = annotate("<p>正文</p>", "正文", note, NoteRenderer()).appendix_html
    assert "TODO" not in html and "写了" in html


def test_a_tagged_aligned_block_in_dollars_is_renumbered():
    numbers = NoteNumbers.for_note({"6"}, [])
    body = "$$\n\\begin{aligned}\na &= b\n\\end{aligned} \\tag{6}\n$$\n"
    assert (
        numbers.rewrite(body, "2")
        == "$$\n\\begin{aligned}\na &= b\n\\end{aligned} \\tag{2.1}\n$$\n"
    )
