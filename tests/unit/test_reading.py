"""The theme's reading aids without a browser: the notes' appendix fitted into the post's
heading hierarchy, the source's citation, the meta description.  Text written for these
tests."""

from __future__ import annotations

import datetime as dt
import re

from kexue.reading.citation import cite
from kexue.reading.structure import meta_description, structure_appendix


def test_appendix_headings_join_the_posts_hierarchy_with_unique_ids():
    appendix = (
        '<section class="deriv-appendix" id="derivations">'
        '<h2 id="derivations-title">推导与注释</h2><p>引言</p>'
        '<h2>总结</h2><h3>细节 <span class="math inline">$x$</span></h3>'
        '<div class="theorem-box"><h3>框里的标题</h3></div><h4>更深</h4>'
        '<div class="deriv-lost"><h3>关于 (9)</h3></div></section>'
    )
    html, toc = structure_appendix(appendix, {"deriv-总结"})
    levels = re.findall(r"<h(\d)", html)
    assert levels == ["2", "3", "4", "4", "5", "4"]  # the title an h2, the note's h2 an h3
    assert re.sub(r"<(/?)h\d( id=\"[^\"]*\")?", "", html) == re.sub(
        r"<(/?)h\d( id=\"[^\"]*\")?", "", appendix
    )  # only heading tags changed
    assert [(h.level, h.id) for h in toc] == [
        (1, "derivations-title"),
        (2, "deriv-总结_1"),  # the post already has deriv-总结
        (3, "deriv-细节"),
        (3, "deriv-关于-9"),
    ]  # the box's heading is not a section of the appendix
    assert all(h.kind == "notes" for h in toc)
    assert toc[2].html == '细节 <span class="math inline">$x$</span>'


def test_citation_is_the_sources_format():
    url = "https://spaces.ac.cn/archives/10320"
    c = cite("标题 {A}", url, "10320", "苏剑林", dt.date(2024, 8, 5))
    assert c.text == (
        "苏剑林. (Aug. 05, 2024). 《标题 {A}》[Blog post]. "
        "Retrieved from https://spaces.ac.cn/archives/10320"
    )
    assert c.bibtex.startswith("@online{kexuefm-10320,\n        title={标题 \\{A\\}},\n")
    assert "        year={2024},\n        month={Aug},\n" in c.bibtex
    assert c.bibtex.endswith("url={\\url{https://spaces.ac.cn/archives/10320}},\n}")
    assert "n.d." in cite("t", "https://spaces.ac.cn/archives/1", "1").text


def test_meta_description_is_plain_text_cut_at_a_sentence_end():
    html = (
        '<p>设 <span class="math inline">$\\frac{a}{b}&lt;1$</span> 与 '
        '<span class="math inline">$x$</span> 给定。</p>'
        '<div class="math display">$$\\sum_i x_i$$</div>'
        "<p>" + "第二句很长" * 20 + "。" + "第三句" * 30 + "。</p>"
    )
    text = meta_description(html, limit=150)
    assert text.startswith("设与 x 给定。第二句很长")
    assert text.endswith("第二句很长。") and len(text) <= 150
    assert "\\" not in text and "$" not in text and "<" not in text
    assert meta_description("<p>" + "长" * 200 + "</p>").endswith("…")
