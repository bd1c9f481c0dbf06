"""Stubs and drafts: what a note is (kexue.notes.Note.kind) and its trailing TODO line."""

from __future__ import annotations

import pytest

from kexue.notes import parse_note

STUB_LINE = "TODO: 添加详细的数学公式推导和注释"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\n\n",
        f"## 公式推导与注释\n\n{STUB_LINE}\n",
        f"---\n<!-- legacy file: x.md -->\n\n## 公式推导与注释\n\n{STUB_LINE}\n",
        "## @(1) 标题\n\n<!-- 以后写 -->\n",
    ],
)
def test_a_note_with_nothing_written_is_a_stub(body):
    note = parse_note(f"Post: 1\nStatus: done\n\n{body}")
    assert note.stub and note.kind == "stub" and not note.publishable


def test_a_draft_is_not_published_and_a_written_note_is():
    draft = parse_note("Post: 1\nStatus: draft\n\n写了一句 $x$。\n")
    assert draft.kind == "draft" and not draft.publishable
    done = parse_note("Post: 1\nStatus: review\n\n写了一句 $x$。\n")
    assert done.kind == "written" and done.publishable


def test_a_trailing_todo_line_and_the_heading_it_left_are_dropped():
    text = (
        "Post: 1\nStatus: done\n\n## 推导\n\n写了 $x$。\n\n---\n\n"
        f"## 公式推导与注释\n\n{STUB_LINE}\n\n"
    )
    note = parse_note(text)
    assert note.kind == "written"
    assert [s.body for s in note.sections] == ["## 推导\n\n写了 $x$。\n"]


def test_a_todo_inside_the_text_is_kept():
    note = parse_note("Post: 1\nStatus: done\n\n## @(2) 说明\n\nTODO 之后再补。\n\n正文 $y$。\n")
    assert "TODO 之后再补" in note.sections[0].body and note.sections[0].line == 4
