"""The operator's path on an imported corpus: import the earlier mirror, `invoke publish`
to a real bare git repository.  A small hand-written legacy folder stands for the real
one: a word the earlier mirror turned into a tag (restored as text), an iframe in a note
(neutralised by the site: a notice) and a formula MathJax rejects (a problem, until a
person accepts it in data/accepted.toml; refused again when the formula changes)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kexue.core.paths import ROOT
from kexue.legacy.importer import import_legacy
from tests.site.test_publish import branch_commits, git, run_publish
from tests.unit.test_legacy import FULL

B = "\\"
BAD = f"${B}frac{{a}}$"  # \frac with one argument: MathJax rejects it


def _legacy(tmp: Path) -> Path:
    src = tmp / "legacy"
    (src / "blogs_raw").mkdir(parents=True)
    text = FULL.replace("结尾。", "直到出现<eos>标记为止。").replace(
        "第一行。",
        f'第一行，缺参数的 {BAD}。\n\n<iframe src="../assets/chart.html"></iframe>',
    )
    (src / "blogs_raw" / "example-full.md").write_text(text, encoding="utf-8")
    return src


def test_an_imported_corpus_publishes_once_its_human_only_problem_is_accepted(tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts", "raw"))
    report = import_legacy(_legacy(tmp_path), content)
    assert [w for _, _, w in report.words] == ["<eos>"]
    accepted = tmp_path / "accepted.toml"

    refused = run_publish(tmp_path, remote, content, "--accepted", str(accepted))
    shown = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "refusing to publish: invoke check found 1 problem" in shown
    assert "derivations/90101.md:" in shown and "MathJax" in shown
    assert "notice: " in shown and "<iframe> is removed" in shown  # listed, not counted
    assert "<eos>" not in shown.replace("&lt;eos&gt;", "")  # the word is text, no problem
    assert not git("--git-dir", str(remote), "branch", "--list")  # nothing pushed
    # The entry `invoke check` prints, with a person's reason, accepts it.
    entry = re.search(r"\[\[accepted\]\]\n(?:.*\n){3}reason = \"\"\n", refused.stdout).group(0)
    accepted.write_text(entry.replace('reason = ""', 'reason = "作者下次修正"'), encoding="utf-8")

    done = run_publish(tmp_path, remote, content, "--accepted", str(accepted))
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    assert "accepted problems (1" in shown and "reason: 作者下次修正" in shown
    assert len(branch_commits(remote)) == 1
    page = git("--git-dir", str(remote), "show", "gh-pages:archives/90101/index.html")
    assert "直到出现&lt;eos&gt;标记为止" in page

    # The formula changes but is still wrong: the acceptance no longer matches.
    note = content / "derivations" / "90101.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace(BAD, f"${B}frac{{b}}$"), encoding="utf-8"
    )
    again = run_publish(tmp_path, remote, content, "--accepted", str(accepted))
    shown = again.stdout + again.stderr
    assert again.returncode != 0 and "refusing to publish" in shown
    assert "stale: " in shown and "作者下次修正" in shown
    assert len(branch_commits(remote)) == 1
