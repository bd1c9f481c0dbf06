"""The one HTML allowlist: what it keeps, what it removes, and what `invoke check` says."""

from pathlib import Path

import markdown

from kexue.core.problems import CheckContext
from kexue.legacy.importer import import_legacy
from kexue.notes import NoteRenderer, load_notes
from kexue.reading.structure import headings
from kexue.site.sanitize import check_authored_html, removed_markup, sanitize_html


def render(text: str) -> str:
    return markdown.Markdown(
        extensions=["extra", "kexue.math.extension", "kexue.site.sanitize"]
    ).convert(text)


def test_our_markup_survives_and_live_markup_does_not():
    html = render(
        "$$x<y\\tag{1}$$\n\n<details open><summary>推导</summary>\n\n"
        '<div class="theorem-box">盒子</div></details>\n\n'
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n\n"
        '<iframe src="https://example.com/"></iframe><img src="a.png" onerror="alert(1)">'
        "[x](javascript:alert(2)) <a href='java&#x09;script:alert(3)'>y</a>"
    )
    assert '<div class="math display" data-eq-shown="1">$$x&lt;y\\tag{1}$$</div>' in html
    assert '<details open=""><summary>推导</summary>' in html
    assert '<div class="theorem-box">盒子</div>' in html
    assert '<td style="text-align:left">1</td>' in html
    for bad in ("<iframe", "onerror", "javascript", "alert"):
        assert bad not in html, bad
    assert '<p><img src="a.png"><a>x</a> <a>y</a></p>' in html


def test_attribute_lists_cannot_add_handlers():
    html = render('段落 {: onclick="alert(1)" }\n\n## 标题 {: #h onmouseover="x" }\n')
    assert html == '<p>段落 {: onclick="alert(1)" }</p>\n<h2 id="h">标题</h2>'


def test_math_in_a_raw_html_attribute_stays_attribute_text():
    html = render('<div title="$" onmouseover="alert(1)$">x</div>\n')
    assert html == '<div title="$&quot; onmouseover=&quot;alert(1)$">x</div>'


def test_sanitize_keeps_text_as_text():
    assert sanitize_html("<p>a &lt;b&gt; &amp; c</p>") == "<p>a &lt;b&gt; &amp; c</p>"
    assert sanitize_html("<p>x<script>alert(1)</script></p><!-- c -->") == "<p>x</p>"


def test_check_reports_each_removal_at_its_line_and_nothing_in_code_math_or_header(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "1.md").write_text(
        "Title: <b onclick=x>标题</b>\nSlug: 1\n\n"  # header values are text
        "见 <https://example.com/a> 与 `<script>` 与 $<iframe>$\n"  # autolink, code, math
        '<div class="note-box" markdown="1">盒子</div>\n'  # md_in_html's attribute
        '<iframe src="x"\n   width="100%">\n</iframe>\n'  # a tag over lines: its first line
        "特殊记号 <eos> 与 [链接](javascript:alert(1))\n"
        "```html\n<script>alert(2)</script>\n```\n",
        encoding="utf-8",
    )
    found = list(check_authored_html(CheckContext(tmp_path, tmp_path, tmp_path)))
    where = str(posts / "1.md")
    assert [(str(p), p.notice) for p in found] == [
        (f"{where}:6: <iframe> is removed with its content (not allowed on the site)", True),
        (
            f"{where}:9: <eos> is not an allowed HTML element: removed, its content kept "
            "(to show it as text, write &lt;eos&gt;)",
            False,
        ),
        (
            f"{where}:9: javascript: link is removed (only http, https, mailto and relative links)",
            True,
        ),
    ]


def test_what_the_site_neutralises_is_a_notice_what_the_reader_loses_is_a_problem():
    found = {
        r.message.split(" ")[0]: r.neutralised
        for r in removed_markup(
            "<script>x</script> <eos> <b onclick=y>b</b> [a](javascript:z) [b](htthttps://q)"
        )
    }
    assert found == {
        "<script>": True,
        "<eos>": False,
        "attribute": True,
        "javascript:": True,
        "htthttps:": False,
    }


def test_removed_markup_gives_offsets():
    assert [r.offset for r in removed_markup("ab <img src=x onerror=y>")] == [3]
    assert list(removed_markup("<p class='a' id=b title=c>ok</p>")) == []


def test_the_imported_mirrors_notes_lose_their_live_iframes(legacy_corpus, tmp_path):
    """The earlier mirror's notes embed <iframe> charts: on our pages they are gone, and
    `invoke check` names each one."""
    content = tmp_path / "content"
    import_legacy(legacy_corpus, content)
    notes, _ = load_notes(content)
    framed = {
        k: n for k, n in notes.items() if "<iframe" in Path(n.path).read_text(encoding="utf-8")
    }
    assert framed, "the corpus holds notes with <iframe> (else this test checks nothing)"
    render = NoteRenderer()
    for note in framed.values():
        html = render(Path(note.path).read_text(encoding="utf-8"))
        assert "<iframe" not in html and "<script" not in html
    found = list(check_authored_html(CheckContext(tmp_path, content, tmp_path)))
    for note in framed.values():
        [iframe] = [p for p in found if p.file == str(note.path) and "<iframe>" in p.message]
        assert iframe.notice  # neutralised by the site: a notice, not a problem


def test_a_formula_inside_a_raw_html_attribute_is_attribute_text_even_without_the_allowlist():
    html = markdown.Markdown(extensions=["kexue.math.extension"]).convert(
        '<div title="$" onmouseover="alert(1)$">x</div>\n'
    )
    assert html == '<div title="$&quot; onmouseover=&quot;alert(1)$">x</div>'


def test_contents_list_entries_are_escaped_text():
    md = markdown.Markdown(extensions=["toc", "kexue.math.extension", "kexue.site.sanitize"])
    (h,) = headings(md.convert("## &lt;img src=x onerror=alert(1)&gt; 标题 $a<b$\n"))
    assert h.html.startswith("&lt;img src=x onerror=alert(1)&gt; 标题 ")
    assert '<span class="math inline">$a&lt;b$</span>' in h.html


def test_notes_pass_the_allowlist():
    html = NoteRenderer()(
        '<details><summary>s</summary>x</details><iframe src="x"></iframe>'
        '<img src="a.png" onerror="alert(1)">\n'
    )
    assert "<details><summary>s</summary>x</details>" in html
    assert "<iframe" not in html and "onerror" not in html
