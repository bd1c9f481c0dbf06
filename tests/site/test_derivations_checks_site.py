"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

from kexue.core.paths import ROOT
from kexue.site.checks import CheckContext, run_checks
from tests.conftest import run_tasks, write_note


def test_invoke_check_fails_on_a_broken_note(content, tmp_path):
    write_note(content, "90001.md", "Post: 90001\n\n## @(7)\n正文\n")
    result = run_tasks(tmp_path, "check", "--no-build")
    assert result.returncode != 0
    assert "content/derivations/90001.md:3: post 90001 has no equation (7)" in (result.stdout)


def test_invoke_check_names_a_post_whose_header_does_not_parse_and_goes_on(content, tmp_path):
    """A broken post (and a note on it) gives file:line problems, not a traceback, and
    every other check still runs; each check reports the header at most once."""
    (content / "samples" / "90001.md").write_text("Title x\nbroken\n\nbody\n", encoding="utf-8")
    write_note(content, "90001.md", "Post: 90001\n\n## @(1)\n正文\n")
    write_note(content, "90002.md", "Post: 90002\n\n## @(99)\n正文\n")
    results = run_checks(CheckContext(root=ROOT, content=content, output=tmp_path / "out"))
    by_check = {name: [str(p) for p in problems] for name, problems in results}
    broken = f"{content / 'samples' / '90001.md'}:1: "
    assert any(p.startswith(broken) for p in by_check["content files"])
    for name, problems in by_check.items():
        assert sum(p.startswith(broken) for p in problems) <= 1, (name, problems)
    # the note check went past the broken post to the next note
    assert any(
        "90002.md:3: post 90002 has no equation (99)" in p for p in by_check["derivation notes"]
    )
    result = run_tasks(tmp_path, "check", "--no-build", "--content", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert broken.rstrip(" ") in result.stdout
