"""`invoke check` on notes: every kind of problem at its file and line
(kexue/notes/checks.py)."""

from __future__ import annotations

from kexue.core.paths import ROOT
from kexue.core.posts import read_post
from kexue.notes import PostTargets, check_note, check_notes, parse_note
from kexue.notes.checks import tag_collisions
from kexue.site.checks import CheckContext, run_checks
from tests.unit.conftest import SAMPLES, write_note

BROKEN = {
    "90001.md": (
        "Post: 90001\nStatus: finished\nAuthors: 甲\nDate: 29/11/2026\n\n"  # 2, 4
        "## @(9) 不存在的式子\n正文\n\n"  # 6
        "## @eq:sc\n正文\n\n"  # 9
        "## @[方差] 不存在的标题\n正文\n\n"  # 12
        "## @(1)\n\n"  # 15: empty
        "## @eq:score 同一个式子\n正文\n\n"  # 17: duplicate of (1)
        "## @(2)\n\\begin{equation}a\\end{equation}\n"  # 21: auto-numbered: fine
        "$\\frac{a}{b$ 和 $$\\begin{aligned}x\\end{align}$$\n"  # 22: brace, env
        "$$ y = \\label{eq:var} \\tag{2.9} $$\n\n"  # 23: fine (labels are the note's own)
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
    ("90001.md", 22, "1 unclosed `{` in `$\\frac{a}{b$`"),
    ("90001.md", 22, "\\begin{aligned} is closed by \\end{align}"),
    ("90001.md", 25, "an anchor heading is level 2"),
    ("90001.md", 28, "\\left and \\right do not pair up"),
    ("90001.md", 28, "`\\begin{equation*}` opens math that never closes"),
    ("90002.md", 1, "`Post: 90003` differs from the file name 90002.md"),
    ("99999.md", 1, "post 99999 is not in content/"),
    ("90004.md", 1, "the header has no `Post: <id>`"),
]


def test_each_kind_of_broken_note_is_reported_with_file_and_line(content):
    for name, text in BROKEN.items():
        write_note(content, name, text)
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


def test_a_note_tag_the_post_also_shows_is_a_notice_and_auto_numbers_are_fine():
    """Note equations are numbered in their own series, so only a tag that repeats one of
    the post's numbers is worth telling the author."""
    post = read_post(SAMPLES / "90001.md")
    text = (
        "Post: 90001\nStatus: draft\n\n"
        "附录里的公式\n\\begin{equation}a = b\\end{equation}\n\n"
        "## @(1) 锚定的一节\n\\begin{equation}c = d\\end{equation}\n"
        "$$e \\tag{1}$$\n$$f \\tag{1.1}$$\n"
    )
    note, targets = parse_note(text, "90001.md"), PostTargets.from_markdown(post.body)
    assert list(check_note(note, targets)) == []  # not a failure of `invoke check`
    notices = list(tag_collisions(note, targets))
    assert [(p.line, p.message[:15]) for p in notices] == [(9, "\\tag{1} is also")]
