"""`invoke note`: a new note with one empty section per numbered equation
(kexue/notes/scaffold.py)."""

from __future__ import annotations

from kexue.notes import parse_note, scaffold


def test_scaffold_of_a_post_without_equations_is_a_header():
    text = scaffold("1", "没有公式的正文 $x$。", "2026-01-01")
    assert parse_note(text).anchored == [] and text.startswith("Post: 1\nStatus: draft\n")
