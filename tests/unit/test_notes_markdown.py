"""Notes render as CommonMark (kexue.notes.markdown): the spec's list rules, with the TeX
lifted and the allowlist applied as for posts."""

from __future__ import annotations

import re

import pytest

from kexue.notes import NoteRenderer
from kexue.notes.markdown import NoteMarkdown, open_div_lines, open_numbered_lists

# Examples of the CommonMark spec (0.31.2), section "Lists" and "List items": the input
# and the HTML the spec gives for it.
SPEC = [
    # a list may interrupt a paragraph
    ("Foo\n- bar\n- baz\n", "<p>Foo</p>\n<ul>\n<li>bar</li>\n<li>baz</li>\n</ul>\n"),
    # ... but an ordered list only when it starts with 1
    (
        "The number of windows in my house is\n14.  The number of doors is 6.\n",
        "<p>The number of windows in my house is\n14.  The number of doors is 6.</p>\n",
    ),
    (
        "The number of windows in my house is\n1.  The number of doors is 6.\n",
        "<p>The number of windows in my house is</p>\n<ol>\n"
        "<li>The number of doors is 6.</li>\n</ol>\n",
    ),
    # nesting by the parent marker's width: 2 spaces under "- "
    (
        "- foo\n  - bar\n    - baz\n      - boo\n",
        "<ul>\n<li>foo\n<ul>\n<li>bar\n<ul>\n<li>baz\n<ul>\n<li>boo</li>\n</ul>\n</li>\n"
        "</ul>\n</li>\n</ul>\n</li>\n</ul>\n",
    ),
    # one space is not enough: siblings
    (
        "- foo\n - bar\n  - baz\n   - boo\n",
        "<ul>\n<li>foo</li>\n<li>bar</li>\n<li>baz</li>\n<li>boo</li>\n</ul>\n",
    ),
    # "10) " is four wide: four spaces nest, three do not
    (
        "10) foo\n    - bar\n",
        '<ol start="10">\n<li>foo\n<ul>\n<li>bar</li>\n</ul>\n</li>\n</ol>\n',
    ),
    ("10) foo\n   - bar\n", '<ol start="10">\n<li>foo</li>\n</ol>\n<ul>\n<li>bar</li>\n</ul>\n'),
    # a change of bullet starts a new list
    (
        "- foo\n- bar\n+ baz\n",
        "<ul>\n<li>foo</li>\n<li>bar</li>\n</ul>\n<ul>\n<li>baz</li>\n</ul>\n",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SPEC)
def test_commonmark_spec_list_examples(source, expected):
    assert NoteMarkdown()(source) == expected


def test_a_run_together_list_in_a_note_becomes_a_list_with_its_math_kept():
    html = NoteRenderer()("分析如下：\n- 优点：$a*b*c$ 快\n- 缺点：慢\n  - 子项 $x_1 * y_1$\n")
    assert html.startswith("<p>分析如下：</p>\n<ul>\n<li>优点：")
    assert '<span class="math inline">$a*b*c$</span>' in html
    assert '<li>缺点：慢\n<ul>\n<li>子项 <span class="math inline">$x_1 * y_1$</span>' in html
    assert not re.search(r"<p>[^<]*- 缺点", html)


def test_markdown_inside_a_legacy_html_box_is_parsed_without_blank_lines():
    html = NoteRenderer()('<div class="theorem-box" markdown="1">\n#### 定理\n**粗** $x$\n</div>\n')
    assert html.startswith('<div class="theorem-box">\n<h4>定理</h4>\n<p><strong>粗</strong> ')
    assert "markdown=" not in html


def test_div_lines_in_code_are_left_alone():
    text = "```\n<div>\nx\n</div>\n```\n"
    assert open_div_lines(text) == text


def test_headings_keep_their_text_and_math():
    html = NoteRenderer()("### 1. 由 $\\sigma$ 推出\n#### **小结**\n")
    assert html == (
        '<h3>1. 由 <span class="math inline">$\\sigma$</span> 推出</h3>\n'
        "<h4><strong>小结</strong></h4>\n"
    )


def test_raw_html_still_goes_through_the_allowlist():
    html = NoteRenderer()('- <img src="a.png" onerror="alert(1)"> <script>x</script>\n')
    assert "onerror" not in html and "<script" not in html


def test_a_numbered_line_under_a_lead_line_starts_a_list_whatever_its_number():
    html = NoteRenderer()("**阶段2**（1周）\n4. Zhang (2023)\n5. Liu (2024)\n\n正文\n1980. 年\n")
    assert "<p>正文\n1980. 年</p>" in html  # not after a lead line: CommonMark's rule
    assert html.startswith('<p><strong>阶段2</strong>（1周）</p>\n<ol start="4">\n<li>Zhang')
    assert "<li>Liu (2024)</li>" in html
    assert '<p>应用：</p>\n<ol start="3">' in NoteRenderer()("应用：\n3. VQ-VAE\n")
    code = "```\n说明：\n4. 不是列表\n```\n"
    assert open_numbered_lists(code) == code
