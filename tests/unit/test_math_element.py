"""kexue.math.element: the math element, written and read back by one module."""

from __future__ import annotations

import markdown

from kexue.core.problems import CheckContext
from kexue.math import element
from kexue.math.checks import _located, built_problems
from kexue.math.extension import MathExtension
from kexue.math.tex import find_math, number_equations
from kexue.site.sanitize import sanitize_html

DISPLAY = "$$\\begin{align} a &= b \\label{eq:first} \\\\ c &= d \\tag{KL} \\end{align}$$"


def _render(tex: str, line: int = 0) -> str:
    [span] = find_math(tex)
    return element.render(span, number_equations([span]), line)


def test_what_render_writes_find_reads_back():
    text = "<p>前</p>" + _render(DISPLAY, line=12) + "<p>x " + _render("$x<y$") + "</p>"
    display, inline = element.find(text)
    assert display.display and not inline.display
    assert display.source == DISPLAY and inline.source == "$x<y$"
    assert display.line == 12 and inline.line == 0
    attrs = display.attrs
    assert attrs["id"] == "eq-1" and attrs["data-eq-numbers"] == "1"
    assert attrs["data-eq-labels"] == "eq:first" and attrs["data-eq-shown"] == "1|KL"
    assert element.showing(text, "KL") == text.index("<div")
    assert [(d, a.get(element.LINE_ATTR)) for _, d, a in element.opening_tags(text)] == [
        (True, "12"),
        (False, None),
    ]


def test_a_hostile_label_stays_an_attribute_value():
    hostile = '$$x \\label{a" onmouseover="alert(1)"><script>y</script>} \\tag{1}$$'
    written = _render(hostile)
    [el] = element.find(written)
    assert el.source == hostile
    assert el.attrs["data-eq-labels"] == 'a" onmouseover="alert(1)"><script>y</script>'
    assert "onmouseover" not in [k for k, _ in el.attrs.items()]
    assert "<script>" not in written
    # the site's allowlist keeps the element as it is (the line attribute included)
    kept = sanitize_html(_render("$$y$$", line=3))
    assert [e.line for e in element.find(kept)] == [3]


def test_typeset_and_rejected_forms():
    [el] = element.find(_render("$$\\begin{equation} x \\end{equation}$$", line=4))
    head, markup, tail = element.typeset(el, '<mjx-container class="MathJax">…', ["(1)"])
    assert element.LINE_ATTR not in head  # a typeset page keeps no source line
    assert 'class="math display mjx-server"' in head and 'data-mjx-tags="(1)"' in head
    assert "tex2jax_ignore" in markup and tail == "</div>"
    bad = element.rejected(el, 'Undefined "x"')
    assert element.at(bad, 0).line == 4
    assert 'data-mjx-error="Undefined &quot;x&quot;"' in bad


def test_a_formula_rejected_at_build_time_is_reported_at_its_file_line(tmp_path):
    source = "Title: 例\nDate: 2020-01-01\n\n好的 $a$。\n\n坏的\n$\\bad{x}$ 与 $\\bad{x}$\n"
    post = tmp_path / "content" / "posts" / "123.md"
    post.parent.mkdir(parents=True)
    post.write_text(source, encoding="utf-8")
    md = markdown.Markdown(extensions=["meta", MathExtension(source_lines=True)])
    written = md.convert(source)
    assert [el.line for el in element.find(written)] == [4, 7, 7]
    # as build-time typesetting leaves the page when MathJax rejects the second one
    second = list(element.find(written))[1]
    page = written[: second.start] + element.rejected(second, "Undefined control sequence")
    [problem] = built_problems(page)
    ctx = CheckContext(tmp_path, tmp_path / "content", tmp_path / "output")
    located = _located(ctx, "archives/123/index.html", problem)
    assert (located.file, located.line) == (str(post), 7)
    # without lines (a note section, a summary) the formula is searched for by its text
    plain = markdown.Markdown(extensions=[MathExtension()]).convert(source)
    assert element.LINE_ATTR not in plain


def test_notes_lose_automatic_ids_but_keep_tags():
    text = _render("$$\\begin{equation} x \\end{equation}$$") + _render("$$y \\tag{A}$$")
    stripped = element.without_auto_ids(text)
    assert 'id="eq-' not in stripped and 'data-eq-shown="A"' in stripped
