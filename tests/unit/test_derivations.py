"""Derivation notes: the format, the checks, scaffolding and the progress summary.

The notes and posts here are written for these tests (the sample posts are ours).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from kexue.checks import CheckContext, run_checks
from kexue.derivations import (
    Anchor,
    NoteFormatError,
    NoteRenderer,
    PostTargets,
    annotate,
    check_note,
    check_notes,
    parse_note,
    read_note,
    scaffold,
)
from kexue.ledger import SUMMARY_BEGIN, SUMMARY_END, ledger_lines, post_topics, progress_summary
from kexue.paths import ROOT
from kexue.posts import read_post

SAMPLES = ROOT / "content" / "samples"

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


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("# 标题\n\n正文", 1, "a note starts with a header"),
        ("Status: done\n\n正文", 1, "no `Post: <id>`"),
        ("Post: 1\nthis is not a header\n\n正文", 2, "not a `Key: value` header line"),
    ],
)
def test_unreadable_headers_name_the_line(text, line, fragment):
    with pytest.raises(NoteFormatError) as err:
        parse_note(text, "n.md")
    assert err.value.line == line and fragment in str(err.value)
    assert str(err.value).startswith(f"n.md:{line}: ")


def test_anchors_resolve_against_the_post():
    targets = PostTargets.from_markdown(read_post(SAMPLES / "90003.md").body)
    kl = targets.resolve(Anchor("equation", "KL"))
    assert (kl.number, kl.label, kl.panel_id) == (None, "eq:kl", "deriv-eq-KL")
    assert targets.resolve(Anchor("label", "eq:kl-mid")).shown == "1"
    assert targets.resolve(Anchor("heading", "检验")).kind == "heading"
    assert targets.resolve(Anchor("equation", "3")) is None
    assert targets.candidates(Anchor("equation", "3"))[:2] == ["(2)", "(1)"]


def _md():
    return markdown.Markdown(extensions=["markdown.extensions.extra", "kexue.markdown_math"])


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
    assert 'class="admonition theorem theorem-box"' in html
    assert 'class="proof-box"' in html and "<strong>证明</strong>" in html
    assert "$a_1 * b_1$" in html  # TeX kept away from Markdown inside the HTML box
    assert 'id="eq-' not in html  # the post owns eq-N
    assert 'data-eq-shown="3.1"' in html


def _write(content: Path, name: str, text: str) -> Path:
    path = content / "derivations" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def content(tmp_path) -> Path:
    """A content folder holding the sample posts and no notes."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLES, root / "samples")
    return root


BROKEN = {
    "90001.md": (
        "Post: 90001\nStatus: finished\nAuthors: 甲\nDate: 29/11/2026\n\n"  # 2, 4
        "## @(9) 不存在的式子\n正文\n\n"  # 6
        "## @eq:sc\n正文\n\n"  # 9
        "## @[方差] 不存在的标题\n正文\n\n"  # 12
        "## @(1)\n\n"  # 15: empty
        "## @eq:score 同一个式子\n正文\n\n"  # 17: duplicate of (1)
        "## @(2)\n\\begin{equation}a\\end{equation}\n"  # 21: auto-numbered
        "$\\frac{a}{b$ 和 $$\\begin{aligned}x\\end{align}$$\n"  # 22: brace, env
        "$$ y = \\label{eq:var} \\tag{2.9} $$\n\n"  # 23: label clash
        "### @(3) 三级标题\n\n"  # 25: level 3
        "## @(4)\n$\\left( x$ 然后 \\begin{equation*} 没有结束\n"  # 28: \left, unclosed
    ),
    "90002.md": "Post: 90003\n\n## @(1)\n内容\n",  # 1: file name differs
    "99999.md": "Post: 99999\nStatus: draft\n\n## @(1)\n内容\n",  # 1: post missing
    "90004.md": "Title: 不是注释\n\n正文\n",  # 1: no Post
}
EXPECTED = [
    ("90001.md", 2, "unknown status 'finished': use one of draft, review, done"),
    ("90001.md", 4, "date '29/11/2026' is not YYYY-MM-DD"),
    ("90001.md", 6, "post 90001 has no equation (9); nearest: (4), (3), (2)"),
    ("90001.md", 9, "post 90001 has no label eq:sc; nearest: eq:score"),
    ("90001.md", 12, "post 90001 has no heading [方差]; nearest: [方差的计算]"),
    ("90001.md", 15, "section @(1) is empty"),
    ("90001.md", 17, "@eq:score annotates 式 (1), already annotated at line 15"),
    ("90001.md", 21, "auto-numbered equation in a note would shift the post's equation numbers"),
    ("90001.md", 22, "1 unclosed `{` in `$\\frac{a}{b$`"),
    ("90001.md", 22, "\\begin{aligned} is closed by \\end{align}"),
    ("90001.md", 23, "\\label{eq:var} is already defined in post 90001"),
    ("90001.md", 25, "an anchor heading is level 2"),
    ("90001.md", 28, "\\left and \\right do not pair up"),
    ("90001.md", 28, "`\\begin{equation*}` opens math that never closes"),
    ("90002.md", 1, "`Post: 90003` differs from the file name 90002.md"),
    ("99999.md", 1, "post 99999 is not in content/"),
    ("90004.md", 1, "the header has no `Post: <id>`"),
]


def test_each_kind_of_broken_note_is_reported_with_file_and_line(content):
    for name, text in BROKEN.items():
        _write(content, name, text)
    [(name, problems)] = run_checks(
        CheckContext(root=content.parent, content=content, output=content.parent / "out"),
        only=["derivation notes"],
    )
    assert name == "derivation notes"
    lines = [str(p) for p in problems]
    for file, line, fragment in EXPECTED:
        where = f"{content / 'derivations' / file}:{line}: "
        assert any(x.startswith(where) and fragment in x for x in lines), (where, fragment, lines)
    assert len(lines) == len(EXPECTED), "\n".join(lines)


def test_the_sample_notes_pass_every_check():
    assert list(check_notes(CheckContext(ROOT, ROOT / "content", ROOT / "output"))) == []


def _invoke(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run this repository's tasks in ``tmp_path`` (content/ there is the default)."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_invoke_check_fails_on_a_broken_note(content, tmp_path):
    _write(content, "90001.md", "Post: 90001\n\n## @(7)\n正文\n")
    result = _invoke(tmp_path, "check", "--no-build")
    assert result.returncode != 0
    assert "content/derivations/90001.md:3: post 90001 has no equation (7)" in (result.stdout)


def test_invoke_note_scaffolds_every_numbered_equation_and_never_overwrites(content, tmp_path):
    result = _invoke(tmp_path, "note", "90003")
    assert result.returncode == 0, result.stderr
    path = content / "derivations" / "90003.md"
    text = path.read_text(encoding="utf-8")
    note = parse_note(text, path)
    assert note.post_id == "90003" and note.status == "draft"
    assert [str(s.anchor) for s in note.anchored] == ["eq:kl-mid", "eq:kl", "(2)"]
    assert all(s.empty for s in note.anchored)
    assert "(KL) \\label{eq:kl}" in text and "\\frac{\\sigma_1^2 + (\\mu_1-\\mu_2)^2}" in text
    # Its only problems are the empty sections waiting to be written.
    problems = [p.message for p in check_notes(CheckContext(ROOT, content, ROOT / "output"))]
    assert problems and all("is empty" in m for m in problems)
    path.write_text(text + "\n我的注释\n", encoding="utf-8")
    again = _invoke(tmp_path, "note", "90003")
    assert again.returncode != 0 and "never overwritten" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("我的注释\n")
    missing = _invoke(tmp_path, "note", "12345")
    assert missing.returncode != 0 and "not in content/posts/" in missing.stderr


def test_scaffold_of_a_post_without_equations_is_a_header():
    text = scaffold("1", "没有公式的正文 $x$。", "2026-01-01")
    assert parse_note(text).anchored == [] and text.startswith("Post: 1\nStatus: draft\n")


def test_invoke_progress_agrees_with_content(content, tmp_path):
    shutil.copytree(ROOT / "content" / "derivations", content / "derivations")
    _write(
        content, "90002.md", "Post: 90002\nStatus: draft\nAuthors: 乙\nDate: 2026-12-01\n\n注释\n"
    )
    _write(content, "99999.md", "Post: 99999\nStatus: done\nDate: 2026-10-01\n\n注释\n")
    log = "\n## Log (newest first)\n\n### 手写的日志\n- 不能被改动。\n"
    report = tmp_path / "PROGRESS_REPORT.md"
    report.write_text(f"# Progress report\n\n{SUMMARY_BEGIN}\nold\n{SUMMARY_END}\n{log}", "utf-8")
    result = _invoke(tmp_path, "progress")
    assert result.returncode == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert text.endswith(log) and text.startswith("# Progress report\n\n<!-- summary:begin")
    block = text[text.index(SUMMARY_BEGIN) : text.index(SUMMARY_END)]
    ids = sorted(p.stem for p in content.glob("samples/*.md"))
    status = {i: "pending" for i in ids} | {"90001": "review", "90002": "draft", "90003": "done"}
    pending = len(ids) - 3
    assert (
        f"**3 of {len(ids)} posts** ({300 / len(ids):.0f}%): draft 1, review 1, done 1, "
        f"pending {pending}." in block
    )
    topics = post_topics([read_post(p) for p in sorted(content.glob("samples/*.md"))], content)
    by_topic: dict[str, list[str]] = {}
    for post_id, topic in topics.items():
        by_topic.setdefault(topic, []).append(post_id)
    for topic, ids in by_topic.items():
        noted = [i for i in ids if status[i] != "pending"]
        cells = [str(sum(status[i] == s for i in ids)) for s in ("done", "review", "draft")]
        row = f"| {topic} | {len(ids)} | {len(noted)} | {' | '.join(cells)} | "
        assert row + f"{100 * len(noted) / len(ids):.0f}% |" in block, (row, block)
    newest = [line.split(" · ")[1][:5] for line in block.splitlines() if line.startswith("- ")]
    assert newest == ["90002", "90003", "90001", "99999"]
    assert "Notes whose post is not in content/: 99999." in block
    ledger = (tmp_path / "blog_list.txt").read_text(encoding="utf-8")
    assert {
        line.split(" | ")[1]: line.split(" | ")[3] for line in ledger.splitlines()[3:]
    } == status
    assert block.strip() == progress_summary(content).split(SUMMARY_END)[0].strip()
    assert ledger.splitlines()[3:] == ledger_lines(content, tmp_path)
    again = _invoke(tmp_path, "progress")
    assert "PROGRESS_REPORT.md: up to date" in again.stdout
    assert "blog_list.txt: up to date" in again.stdout


@pytest.mark.corpus
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
    other = NoteRenderer({"extension_configs": {"markdown.extensions.nl2br": {}}}, cache=cache)
    assert other("段落 $x_1 * y_1$").startswith("<p>段落")  # another setup, another key


def test_auto_numbers_are_allowed_in_the_appendix_but_not_in_anchored_sections():
    """The appendix comes after the post, so its numbers cannot shift the post's."""
    from kexue.derivations import PostTargets, check_note, parse_note
    from kexue.posts import read_post

    post = read_post(SAMPLES / "90001.md")
    text = (
        "Post: 90001\nStatus: draft\n\n"
        "附录里的公式\n\\begin{equation}a = b\\end{equation}\n\n"
        "## @(1) 锚定的一节\n\\begin{equation}c = d\\end{equation}\n"
    )
    problems = list(check_note(parse_note(text, "90001.md"), PostTargets.from_markdown(post.body)))
    numbered = [p for p in problems if "auto-numbered" in p.message]
    assert [p.line for p in numbered] == [8]
