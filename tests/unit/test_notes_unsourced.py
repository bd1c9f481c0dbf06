"""Note tables and results the post does not hold: a check notice and a page label until
reviewed (kexue.notes.unsourced)."""

from __future__ import annotations

from kexue.core.problems import CheckContext
from kexue.notes import NoteRenderer, annotate, parse_note
from kexue.notes.checks import notice_unsourced
from kexue.notes.unsourced import LABEL, findings, post_numbers
from tests.unit.conftest import write_note

TABLE = "| 方法 | CIFAR-10 |\n|---|---|\n| 基线 | 91.2% |\n| 本文方法 | 93.5% |\n"
POST = "原文报告了 91.2% 的结果，公式 $x = 0.50$。\n"


def test_tables_and_result_lines_whose_numbers_the_post_lacks_are_found():
    known = post_numbers(POST)
    assert {"91.2", "0.5"} <= known
    text = f"说明\n\n{TABLE}\n准确率提升到 93.5%，而 $y=0.7$ 不算。\n原文的 91.2% 是对的。\n"
    found = findings(text, known)
    assert [(f.kind, f.numbers) for f in found] == [("result", ("93.5",))]  # table: half known
    assert [(f.kind, f.numbers) for f in findings(text, set())] == [
        ("table", ("91.2", "93.5")),
        ("result", ("93.5",)),
    ]
    assert findings("```\n准确率 99.9%\n```\n", set()) == []  # code does not count


def test_the_page_labels_them_until_the_note_is_reviewed():
    text = "Post: 1\n\n## 实验\n\n" + TABLE.replace("91.2", "88.8")
    html = annotate("<p>正文</p>", POST, parse_note(text), NoteRenderer()).appendix_html
    assert f'<mark class="deriv-unsourced">{LABEL}</mark>' in html and "<table>" in html
    reviewed = text.replace("Post: 1\n", "Post: 1\nReviewed: yes\n")
    html = annotate("<p>正文</p>", POST, parse_note(reviewed), NoteRenderer()).appendix_html
    assert LABEL not in html and "<table>" in html


def test_invoke_check_lists_them_as_notices_with_file_and_line(content, tmp_path):
    note = write_note(
        content, "90001.md", "Post: 90001\nStatus: done\n\n## 实验\n\n准确率为 97.31%。\n"
    )
    ctx = CheckContext(root=tmp_path, content=content, output=tmp_path / "out")
    notices = [str(p) for p in notice_unsourced(ctx)]
    assert notices == [
        f"{note}:6: result with numbers post 90001 does not hold (97.31): labelled "
        f"{LABEL} on the page until the header says `Reviewed: yes`"
    ]
