"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

import json
import signal
import time

from kexue.core.posts import read_post
from kexue.crawl.cache import RawCache
from tests.fixtures.crawling import run_invoke
from tests.fixtures.source_site import MATH_POSTS


def test_a_killed_crawl_resumes_without_corrupt_files(tmp_path, source_site):
    content, cache = tmp_path / "content", tmp_path / "cache"
    args = ["crawl", "--all", "--source", source_site.url, "--delay", "0.25", "--backoff", "0.05"]
    args += ["--content", str(content), "--cache", str(cache), "--retries", "1"]
    args += ["--ledger", str(tmp_path / "blog_list.txt")]
    proc = run_invoke(*args)
    deadline = time.monotonic() + 30
    while len(source_site.article_hits()) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert len(source_site.article_hits()) < 10, "the crawl finished before it was killed"
    for meta in cache.glob("*.json"):
        json.loads(meta.read_text(encoding="utf-8"))  # whole, or absent
    for post in (content / "posts").glob("*.md"):
        read_post(post)
    proc = run_invoke(*args)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, out  # the failure fixtures fail
    assert sorted(p.stem for p in (content / "posts").glob("*.md")) == sorted(MATH_POSTS), out
    for pid in MATH_POSTS:
        assert RawCache(cache).load(pid) is not None
    assert not list(cache.glob(".*.tmp")) and not list((content / "posts").glob(".*.tmp"))
    assert "new: " in out and "FAILED post 7101" in out
