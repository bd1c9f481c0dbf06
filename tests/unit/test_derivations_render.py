"""Notes to HTML: panels under the post's equations, the appendix, the cache
(kexue/notes/render.py)."""

from __future__ import annotations

import logging

import markdown

from kexue.core.paths import ROOT
from kexue.core.posts import read_post
from kexue.notes import NoteRenderer, annotate, check_note, parse_note, read_note
from tests.unit.conftest import SAMPLES


def _md():
    return markdown.Markdown(extensions=["markdown.extensions.extra", "kexue.math.extension"])


def test_annotate_keeps_every_byte_of_the_post_and_places_panels():
    post = read_post(SAMPLES / "90001.md")
    original = _md().convert(post.body)
    note = read_note(ROOT / "content" / "derivations" / "90001.md")
    result = annotate(original, post.body, note, NoteRenderer())
    stripped = result.html
    for _, block in result.insertions:
        stripped = stripped.replace(block, "", 1)
    assert stripped == original
    # Each panel sits right after the display holding its equation.
    for panel_id, eq_id in [("deriv-eq-1", "eq-1"), ("deriv-eq-2", "eq-2"), ("deriv-eq-4", "eq-4")]:
        at = result.html.index(f'<details class="deriv-note" id="{panel_id}"')
        display = result.html.rindex('<div class="math display"', 0, at)
        assert result.html[display:at].startswith(f'<div class="math display" id="{eq_id}"')
        assert result.html[display:at].rstrip().endswith("</div>")
    # The heading's panel closes its section, before the next heading of its level.
    at = result.html.index('id="deriv-sec-一个不等式"')
    assert result.html.index("<h3>小结</h3>") < at
    assert "推导与注释" in result.appendix_html and "饱和" in result.appendix_html
    assert result.panels == 5


def test_notes_render_their_boxes_and_tags_without_taking_the_posts_ids():
    md = NoteRenderer()
    note = parse_note(
        "Post: 1\n\n"
        '!!! theorem "方差的缩放"\n    $\\mathbb{V}\\text{ar}[cX]$\n\n'
        '<div class="proof-box" markdown="1">\n\n**证明** $a_1 * b_1$\n\n</div>\n\n'
        "\\begin{equation}x\\end{equation}\n$$y \\tag{3.1}$$\n"
    )
    html = annotate("", "", note, md).appendix_html
    assert 'class="admonition theorem box theorem-box"' in html
    assert '<span class="box-kind">定理</span> <span class="box-title">方差的缩放</span>' in html
    assert 'class="proof-box"' in html and "<strong>证明</strong>" in html
    assert "$a_1 * b_1$" in html  # TeX kept away from Markdown inside the HTML box
    assert 'id="eq-' not in html  # the post owns eq-N
    assert 'data-eq-shown="3.1"' in html


def test_every_legacy_derivation_section_reads_checks_and_renders(legacy_corpus):
    """The earlier mirror's derivation sections, as the legacy import writes them (a header,
    then the text): all free text, every problem located, every one rendered."""
    md = NoteRenderer()
    count = 0
    for i, path in enumerate(sorted((legacy_corpus / "blogs_raw").glob("*.md"))):
        text = path.read_text(encoding="utf-8")
        start = text.find("## 公式推导与注释")
        if start < 0:
            continue
        count += 1
        note = parse_note(f"Post: {i}\nStatus: draft\nAuthors:\nDate:\n\n{text[start:]}", path)
        if note.stub:  # only the generator's TODO line: nothing to render or publish
            assert "TODO" in text[start:] and not note.publishable, path
            continue
        assert [s.anchor for s in note.sections] == [None], path
        lines = text[start:].count("\n") + 7
        for problem in check_note(note, None):
            assert 1 <= problem.line <= lines, (path, str(problem))
        html = annotate("<p>正文</p>", "正文", note, md).appendix_html
        assert html.startswith('<section class="deriv-appendix"') and "推导与注释" in html, path
        assert 'id="eq-' not in html, path
    assert count > 250


def test_rendered_sections_are_cached_per_text_and_setup(tmp_path):
    cache = tmp_path / "cache" / "notes.json"
    first = NoteRenderer(cache=cache)
    html = first("段落 $x_1 * y_1$")
    assert "<p>段落 <span" in html and first.save() and cache.is_file()
    # A later run reads the cache instead of rendering again (proved by editing the entry).
    cache.write_text(cache.read_text("utf-8").replace("段落", "缓存"), encoding="utf-8")
    again = NoteRenderer(cache=cache)
    assert again("段落 $x_1 * y_1$").startswith("<p>缓存")
    assert not again.save()  # nothing new: the file is left alone
    other = NoteRenderer(cache=cache)
    other.setup += " changed"  # another version of the notes' Markdown, another key
    assert other("段落 $x_1 * y_1$").startswith("<p>段落")


def test_an_unreadable_cache_is_a_warning_and_is_rewritten(tmp_path, caplog):
    cache = tmp_path / "notes.json"
    cache.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kexue.notes.render"):
        render = NoteRenderer(cache=cache)
    assert any(str(cache) in r.getMessage() for r in caplog.records)
    assert render("段落").startswith("<p>段落") and render.save()
    assert NoteRenderer(cache=cache)("段落").startswith("<p>段落")
    assert "段落" in cache.read_text(encoding="utf-8")
