"""The appendix folded into its sections (kexue.notes.parts), its contents still listed."""

from __future__ import annotations

import re

import markdown

from kexue.notes import NoteRenderer, annotate, parse_note
from kexue.notes.parts import PART_BODY, PART_CLOSE, PART_OPEN, fold_sections
from kexue.reading.structure import structure_appendix

LEGACY = (
    "<h2>公式推导与注释</h2>\n<p>引言</p>\n"
    '<h3>1. 基础</h3>\n<p>a</p>\n<div class="theorem-box"><h3>框里的标题</h3></div>\n'
    "<h4>1.1 细节</h4>\n<p>b</p>\n<h3>2. 推广</h3>\n<p>c</p>\n"
)


def test_sections_fold_at_the_first_level_used_twice_and_every_byte_is_kept():
    out = fold_sections(LEGACY)
    assert out.count(PART_OPEN) == 2 and out.count(PART_CLOSE) == 2
    assert out.startswith("<h2>公式推导与注释</h2>\n<p>引言</p>\n" + PART_OPEN + "<h3>1. 基础</h3>")
    assert "<h4>1.1 细节</h4>\n<p>b</p>\n" + PART_CLOSE + PART_OPEN + "<h3>2. 推广</h3>" in out
    stripped = out
    for piece in (PART_OPEN, PART_BODY, PART_CLOSE):
        stripped = stripped.replace(piece, "")
    assert stripped == LEGACY


def test_a_single_heading_or_none_is_left_open():
    assert fold_sections("<p>x</p>") == "<p>x</p>"
    assert fold_sections("<h3>一</h3><p>x</p>") == "<h3>一</h3><p>x</p>"


def test_the_folded_appendix_keeps_its_contents_entries():
    note = parse_note(
        "Post: 1\nStatus: done\n\n## 推导\n\n### 第一节\n\n甲\n\n### 第二节\n\n乙\n\n"
        "## @(9) 丢失\n\n丙\n"
    )
    appendix = annotate("<p>正文</p>", "正文", note, NoteRenderer()).appendix_html
    assert appendix.count('<details class="deriv-part') == 3  # two sections and the lost one
    html, entries = structure_appendix(appendix, set())
    assert [e.html for e in entries] == ["推导与注释", "推导", "第一节", "第二节", "关于 (9)：丢失"]
    assert all(f'id="{e.id}"' in html for e in entries)
    assert not re.search(r"<details[^>]* open", html)  # closed by default


def test_a_section_citing_an_equation_links_to_it_and_the_equation_links_back():
    post = "正文\n\\begin{equation}a = 1\\label{eq:a}\\end{equation}\n再来 $$b \\tag{KL}$$\n"
    post_html = markdown.Markdown(extensions=["kexue.math.extension"]).convert(post)
    note = parse_note(
        "Post: 1\nStatus: done\n\n## 推导\n\n### 第一节\n\n由式(1)可得。\n\n"
        "### 第二节\n\n与 $\\eqref{eq:a}$ 无关的话。没有编号的 (KL) 不链接。\n\n"
        "### 第三节\n\n无。\n"
    )
    result = annotate(post_html, post, note, NoteRenderer())
    appendix = result.appendix_html
    assert '<details class="deriv-part" id="deriv-part-1">' in appendix
    assert appendix.count('<p class="deriv-cited">原文：<a href="#eq-1">式 (1)</a></p>') == 2
    assert 'id="deriv-part-3"' in appendix and appendix.count("deriv-cited") == 2
    at_equation = '<p class="deriv-cites">注释：<a href="#deriv-part-1">§ 第一节</a>；'
    assert at_equation + '<a href="#deriv-part-2">§ 第二节</a></p>' in result.html
    assert result.html.index("deriv-cites") > result.html.index('id="eq-1"')
