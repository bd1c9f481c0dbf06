"""The refusals run inside Pelican's run (kexue/site/pelican.py, plugins/kexue_output), so a
bare ``pelican``, the tests' builds and `invoke serve` refuse bad input and guard the output
folder as `invoke build` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kexue.core.paths import ROOT
from kexue.site.live import LiveSite
from tests.site.test_bad_input import BOM_MSG, GOOD, _content

BOM = b"\xef\xbb\xbf" + GOOD.format(id=1).encode()


def _bare_pelican(content: Path, output: Path) -> subprocess.CompletedProcess:
    cache = json.dumps(str(output.parent / "cache"))
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(ROOT / "pelicanconf.py")]
    cmd += ["-o", str(output), "-e", f"CACHE_PATH={cache}", "MATH_PRERENDER=false"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def test_a_bare_pelican_refuses_a_bom_post_with_its_file_and_line(tmp_path):
    content = _content(tmp_path, {"1.md": BOM, "2.md": GOOD.format(id=2).encode()})
    result = _bare_pelican(content, tmp_path / "out")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert f"{content / 'posts' / '1.md'}:{BOM_MSG}" in out
    assert "build refused: 1 problem(s) above; nothing was built" in out
    assert "Traceback" not in out
    assert not (tmp_path / "out" / "archives").exists()


def test_invoke_serve_shows_a_bom_post_as_a_problem_instead_of_crashing(tmp_path):
    content = _content(tmp_path, {"1.md": BOM, "2.md": GOOD.format(id=2).encode()})
    site = LiveSite(ROOT / "pelicanconf.py", content, tmp_path / "out")
    report = site.build()
    assert not report.ok
    assert report.problems[0].startswith(f"{content / 'posts' / '1.md'}:{BOM_MSG}")
    assert report.problems[-1] == "build refused: 1 problem(s) above; nothing was built"
    (content / "posts" / "1.md").write_bytes(BOM[3:])  # fixed: the next build is clean
    again = site.build()
    assert again.ok, again.problems
    assert (tmp_path / "out" / "archives/1/index.html").is_file()


def test_invoke_serve_keeps_the_pages_of_a_folder_that_is_not_a_build(tmp_path):
    content = _content(tmp_path, {"2.md": GOOD.format(id=2).encode()})
    mine = tmp_path / "mine"
    (mine / "old").mkdir(parents=True)
    (mine / "old" / "index.html").write_text("<p>keep me</p>", encoding="utf-8")
    report = LiveSite(ROOT / "pelicanconf.py", content, mine).build()
    assert not report.ok
    assert "is not a kexue-notes build output" in report.problems[-1]
    assert [str(p.relative_to(mine)) for p in sorted(mine.rglob("*"))] == ["old", "old/index.html"]
