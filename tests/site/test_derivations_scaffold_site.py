"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

from kexue.core.paths import ROOT
from kexue.notes import check_notes, parse_note
from kexue.site.checks import CheckContext
from tests.conftest import run_tasks


def test_invoke_note_scaffolds_every_numbered_equation_and_never_overwrites(content, tmp_path):
    result = run_tasks(tmp_path, "note", "90003")
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
    again = run_tasks(tmp_path, "note", "90003")
    assert again.returncode != 0 and "never overwritten" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("我的注释\n")
    missing = run_tasks(tmp_path, "note", "12345")
    assert missing.returncode != 0 and "not in content/posts/" in missing.stderr
