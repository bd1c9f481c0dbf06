"""The note format: header, ``## @`` sections and free text (kexue/notes/note.py).

The notes here are written for these tests.
"""

from __future__ import annotations

from kexue.notes import NoteRenderer, annotate, parse_note

NOTE = """\
Post: 90001
Status: Review
Authors: 张三, 李四、王五
Date: 2026-11-29

开头的自由文本。

## @(3) 为什么是 d
第一段 $x$。

## @eq:std-att
```
## @(9) inside code is not a section
```

## @[方差的计算] 节末
文字。

## @(KL)

## @free 其他
更多。
"""


def test_header_and_sections_are_parsed():
    note = parse_note(NOTE, "x/90001.md")
    assert (note.post_id, note.status, note.date) == ("90001", "review", "2026-11-29")
    assert note.authors == ["张三", "李四", "王五"]
    anchors = [(str(s.anchor) if s.anchor else None, s.title, s.line) for s in note.sections]
    assert anchors == [
        (None, "", 6),
        ("(3)", "为什么是 d", 8),
        ("eq:std-att", "", 11),
        ("[方差的计算]", "节末", 16),
        ("(KL)", "", 19),
        (None, "其他", 21),
    ]
    assert "inside code" in note.sections[2].body  # a fenced "## @" is body text
    assert [s.empty for s in note.sections] == [False, False, False, False, True, False]
    assert note.sections[1].body == "第一段 $x$。\n\n"


def test_a_legacy_note_without_sections_is_all_free_text():
    text = (
        "Post: 1234\nStatus: draft\nAuthors:\nDate:\n\n## 第1部分：推导\n\n"
        '<div class="derivation-box" markdown="1">\n\n### 小节\n\n$$a \\tag{1}$$\n\n</div>\n'
    )
    note = parse_note(text)
    assert note.authors == [] and note.date == ""
    assert [s.anchor for s in note.sections] == [None]
    html = annotate("<p>post</p>", "post", note, NoteRenderer()).appendix_html
    assert "<h2" in html and "推导与注释" in html and 'class="derivation-box"' in html
    assert 'class="math display"' in html
