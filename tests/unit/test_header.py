"""The one ``Key: value`` header parser behind post files and derivation notes."""

from __future__ import annotations

import pytest

from kexue.core.header import HeaderError, parse_header
from kexue.core.posts import PostFormatError, parse_post
from kexue.notes import NoteFormatError, parse_note


def test_the_header_ends_at_the_first_blank_line_and_the_body_starts_after_it():
    text = "Title: 标题\nslug: 1\nTitle: 再一次\n \t\n正文\n\nKey: not header\n"
    header = parse_header(text, "p.md")
    assert header.values == {"Title": "再一次", "Slug": "1"}
    assert header.lines == {"Title": 1, "Slug": 2}
    assert text[header.body_start :] == "正文\n\nKey: not header\n"


def test_a_header_without_a_body_ends_the_text():
    for text in ("Slug: 1", "Slug: 1\n", "Slug: 1\n\n"):
        header = parse_header(text)
        assert header.values == {"Slug": "1"} and text[header.body_start :] == ""


def test_values_are_kept_as_written_after_one_space():
    header = parse_header("Title:  两个空格 \nTags:\tA\n\n")
    assert header.values == {"Title": " 两个空格 ", "Tags": "A"}
    assert parse_post("Slug: 1\nTitle:  两个空格 \n\n正文").title == " 两个空格 "
    assert parse_note("Post: 1\nAuthors:  张三 \n\n正文").authors == ["张三"]


@pytest.mark.parametrize(
    "parse, error, text, line, fragment",
    [
        (parse_post, PostFormatError, "# 标题\n\n正文", 1, "a post file starts with a header"),
        (parse_post, PostFormatError, "Slug: 1\nnot a header\n\n正文", 2, "not a `Key: value`"),
        (parse_post, PostFormatError, "Title: 无 id\n\n正文", 1, "no `Slug:`"),
        (parse_note, NoteFormatError, "# 标题\n\n正文", 1, "a note starts with a header"),
        (parse_note, NoteFormatError, "Post: 1\nnot a header\n\n正文", 2, "not a `Key: value`"),
        (parse_note, NoteFormatError, "Status: done\n\n正文", 1, "no `Post: <id>`"),
    ],
)
def test_posts_and_notes_report_header_errors_with_file_and_line(
    parse, error, text, line, fragment
):
    with pytest.raises(error) as err:
        parse(text, "x.md")
    e = err.value
    assert isinstance(e, HeaderError) and isinstance(e, ValueError)
    assert (e.path, e.line) == ("x.md", line) and fragment in e.message
    assert str(e) == f"x.md:{line}: {e.message}"
