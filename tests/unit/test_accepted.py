"""data/accepted.toml (kexue/site/accepted.py): a person accepts one problem with a reason;
`invoke check` lists it, and refuses it again once the text it is about changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kexue.core.problems import CheckContext, Problem
from kexue.site import checks as site_checks
from kexue.site.accepted import (
    AcceptedError,
    acceptance_entry,
    key_digest,
    load_accepted,
    sort_problems,
)
from kexue.site.checks import NOTICES, check_site, report_lines

NOTE = "Post: 1\n\n甲\n\n$$\n\\frac{a}\n$$\n\n乙 <eos>\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "derivations").mkdir()
    (tmp_path / "derivations" / "1.md").write_text(NOTE, encoding="utf-8")
    return tmp_path


def _accept(content: Path, problem: Problem, reason: str = "待作者修正") -> Path:
    path = content.parent / "accepted.toml"
    path.write_text(acceptance_entry(problem, content, reason), encoding="utf-8")
    return path


def test_an_accepted_problem_is_listed_not_counted_until_its_text_changes(content: Path):
    note = content / "derivations" / "1.md"
    formula = Problem(str(note), 5, "MathJax: Missing argument for \\frac")
    other = Problem(str(note), 9, "<eos> is not an allowed HTML element")
    notice = Problem(str(note), 9, "<iframe> is removed", notice=True)
    accepted = load_accepted(_accept(content, formula))
    assert accepted[0].file == "derivations/1.md" and accepted[0].line == 5
    found = sort_problems([formula, other, notice], accepted, content)
    assert found.problems == [other] and found.notices == [notice] and not found.stale
    assert [(p, a.reason) for p, a in found.accepted] == [(formula, "待作者修正")]
    # Lines above are added: the problem moves with its text and stays accepted.
    note.write_text("Post: 1\n\n新的一段\n\n" + NOTE.split("\n\n", 1)[1], encoding="utf-8")
    moved = Problem(str(note), 7, formula.message)
    assert [p for p, _ in sort_problems([moved], accepted, content).accepted] == [moved]
    # The formula's second line changes (not the line reported): refused again, stale listed.
    note.write_text(NOTE.replace("\\frac{a}", "\\frac{b}"), encoding="utf-8")
    again = sort_problems([formula], accepted, content)
    assert again.problems == [formula] and again.stale == accepted


def test_the_digest_covers_the_whole_formula_starting_on_the_line(content: Path):
    note = content / "derivations" / "1.md"
    before = key_digest(Problem(str(note), 5, "x"))
    note.write_text(NOTE.replace("\\frac{a}", "\\frac{a}{2}"), encoding="utf-8")
    assert key_digest(Problem(str(note), 5, "x")) != before
    # A problem with no line is keyed by its message.
    assert key_digest(Problem("out", 0, "a")) != key_digest(Problem("out", 0, "b"))


@pytest.mark.parametrize(
    "text, error",
    [
        ('[[accepted]]\nfile = "a.md"\nline = 1\ndigest = "x"\n', "needs exactly"),
        ('[[accepted]]\nfile = "a.md"\nline = 1\ndigest = "x"\nreason = " "\n', "reason is empty"),
        ("[[accepted]\n", "not valid TOML"),
        ("other = 1\n", "expected only"),
    ],
)
def test_a_malformed_file_is_refused_naming_it(tmp_path: Path, text: str, error: str):
    path = tmp_path / "accepted.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AcceptedError, match=error) as e:
        load_accepted(path)
    assert str(path) in str(e.value)


def test_no_file_accepts_nothing(tmp_path: Path):
    assert load_accepted(tmp_path / "absent.toml") == []


def test_check_site_sorts_every_check_and_prints_the_entry_to_paste(content: Path):
    ctx = CheckContext(content, content, content)
    only = ["HTML allowlist"]
    per_check, total = check_site(ctx, [], only)
    assert [str(p) for p in total.problems] == [
        f"{content / 'derivations' / '1.md'}:9: <eos> is not an allowed HTML element: removed, "
        "its content kept (to show it as text, write &lt;eos&gt;)"
    ]
    lines = [line for line, _ in report_lines(per_check, total, content / "a.toml", content)]
    assert 'file = "derivations/1.md"' in lines[-1] and "line = 9" in lines[-1]
    accepted = load_accepted(_accept(content, total.problems[0], "记号，作者确认"))
    per_check, total = check_site(ctx, accepted, only)
    assert total.problems == [] and len(total.accepted) == 1 and total.stale == []
    shown = "\n".join(line for line, _ in report_lines(per_check, total, content / "a", content))
    assert "reason: 记号，作者确认" in shown and "1 accepted" in shown
    assert NOTICES  # notices run too (images not mirrored: none here)


def test_what_a_notice_check_finds_never_blocks(content: Path, monkeypatch):
    def notice_all(ctx):
        yield Problem(str(content / "derivations" / "1.md"), 3, "work to do")

    monkeypatch.setattr(site_checks, "NOTICES", [("work", notice_all)])
    _, total = check_site(CheckContext(content, content, content), [], ["topics"])
    assert total.problems == [] and [p.message for p in total.notices] == ["work to do"]
