"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

from tests.fixtures.crawling import run_invoke


def test_invoke_crawl_prints_each_failure_once_and_finishes_the_rest(tmp_path, source_site):
    content = tmp_path / "content"
    args = ["crawl", "--ids", "7001,7201,7204,7209", "--source", source_site.url]
    args += ["--delay", "0", "--backoff", "0.05", "--retries", "1", "--content", str(content)]
    args += ["--cache", str(tmp_path / "cache"), "--ledger", str(tmp_path / "blog_list.txt")]
    proc = run_invoke(*args)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, out
    assert "new: 2, updated: 0, unchanged: 0, skipped: 0, failed: 2" in out, out
    assert out.count("FAILED post 7201 ") == 1 and out.count("FAILED post 7204 ") == 1, out
    assert out.count("warning: post 7209: ") == 1 and "Traceback" not in out, out
    assert "invoke crawl: 2 failed (see FAILED lines above)" in out
    assert sorted(p.stem for p in (content / "posts").glob("*.md")) == ["7001", "7209"]
    assert "| 7209 |" in (tmp_path / "blog_list.txt").read_text(encoding="utf-8")
