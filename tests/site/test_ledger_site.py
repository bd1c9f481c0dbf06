"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

import shutil

from kexue.core.paths import ROOT
from kexue.core.posts import read_post
from kexue.ledger import SUMMARY_BEGIN, SUMMARY_END, ledger_lines, post_topics, progress_summary
from tests.conftest import run_tasks, write_note


def test_invoke_progress_agrees_with_content(content, tmp_path):
    shutil.copytree(ROOT / "content" / "derivations", content / "derivations")
    write_note(
        content, "90002.md", "Post: 90002\nStatus: draft\nAuthors: 乙\nDate: 2026-12-01\n\n注释\n"
    )
    write_note(content, "99999.md", "Post: 99999\nStatus: done\nDate: 2026-10-01\n\n注释\n")
    # a generator's placeholder: a stub, whatever its Status says
    stub = "Post: 90004\nStatus: done\n\n## 公式推导与注释\n\nTODO: 添加详细的数学公式推导和注释\n"
    write_note(content, "90004.md", stub)
    log = "\n## Log (newest first)\n\n### 手写的日志\n- 不能被改动。\n"
    report = tmp_path / "PROGRESS_REPORT.md"
    report.write_text(f"# Progress report\n\n{SUMMARY_BEGIN}\nold\n{SUMMARY_END}\n{log}", "utf-8")
    result = run_tasks(tmp_path, "progress")
    assert result.returncode == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert text.endswith(log) and text.startswith("# Progress report\n\n<!-- summary:begin")
    block = text[text.index(SUMMARY_BEGIN) : text.index(SUMMARY_END)]
    ids = sorted(p.stem for p in content.glob("samples/*.md"))
    status = {i: "pending" for i in ids} | {"90001": "review", "90002": "draft", "90003": "done"}
    status["90004"] = "stub"
    pending = len(ids) - 4
    assert (
        f"**3 of {len(ids)} posts** ({300 / len(ids):.0f}%): draft 1, review 1, done 1, "
        f"stub 1, pending {pending}." in block
    )
    topics = post_topics([read_post(p) for p in sorted(content.glob("samples/*.md"))], content)
    by_topic: dict[str, list[str]] = {}
    for post_id, topic in topics.items():
        by_topic.setdefault(topic, []).append(post_id)
    for topic, ids in by_topic.items():
        noted = [i for i in ids if status[i] not in ("pending", "stub")]
        kinds = ("done", "review", "draft", "stub")
        cells = [str(sum(status[i] == s for i in ids)) for s in kinds]
        row = f"| {topic} | {len(ids)} | {len(noted)} | {' | '.join(cells)} | "
        assert row + f"{100 * len(noted) / len(ids):.0f}% |" in block, (row, block)
    newest = [line.split(" · ")[1][:5] for line in block.splitlines() if line.startswith("- ")]
    assert newest == ["90002", "90003", "90001", "99999", "90004"]
    assert "Notes whose post is not in content/: 99999." in block
    ledger = (tmp_path / "blog_list.txt").read_text(encoding="utf-8")
    assert {
        line.split(" | ")[1]: line.split(" | ")[3] for line in ledger.splitlines()[3:]
    } == status
    assert block.strip() == progress_summary(content).split(SUMMARY_END)[0].strip()
    assert ledger.splitlines()[3:] == ledger_lines(content, tmp_path)
    again = run_tasks(tmp_path, "progress")
    assert "PROGRESS_REPORT.md: up to date" in again.stdout
    assert "blog_list.txt: up to date" in again.stdout
