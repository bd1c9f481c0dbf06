"""The crawler against the reconstructed source site served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kexue.crawl import CrawlOptions, FetchError, HttpClient, RawCache, convert_cache, crawl
from kexue.posts import read_post
from kexue.tex import find_math
from tests.conftest import ROOT, build_site
from tests.fixtures.source_site import EXPECTED_TEX, FAILING, MATH_POSTS, SourceSite

FAST = {"delay": 0.0, "backoff": 0.05, "timeout": 5.0}


@pytest.fixture
def site():
    with SourceSite() as s:
        yield s


def options(tmp_path: Path, site: SourceSite, **kw) -> CrawlOptions:
    settings = {**FAST, **kw}
    return CrawlOptions(
        content=tmp_path / "content",
        cache=tmp_path / "cache",
        source=site.url,
        ledger=tmp_path / "blog_list.txt",
        **settings,
    )


def snapshot(*folders: Path) -> dict[str, int]:
    return {
        str(p): p.stat().st_mtime_ns for folder in folders for p in folder.rglob("*") if p.is_file()
    }


def run_invoke(*args: str, **popen) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "invoke", "-r", str(ROOT), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen
    )


def test_requests_are_spaced_by_the_delay_one_at_a_time(tmp_path, site):
    delay = 0.4
    summary = crawl(options(tmp_path, site, delay=delay, ids=["7001", "7002", "7004"]))
    assert sorted(summary.new) == ["7001", "7002", "7004"]
    times = [h.t for h in site.hits]  # robots.txt, three articles, two images
    assert len(times) == 6
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= delay - 0.02, gaps
    assert site.max_active == 1
    ua = site.hits[1].headers["user-agent"]
    assert ua.startswith("kexue-notes/") and "http" in ua


def test_robots_crawl_delay_raises_our_delay():
    with SourceSite(robots="User-agent: *\nCrawl-delay: 0.3\nDisallow: /search/\n") as slow:
        with HttpClient(delay=0, timeout=5) as client:
            for pid in ("7001", "7002"):
                client.get(f"{slow.url}/archives/{pid}")
        times = [h.t for h in slow.hits]
        assert len(times) == 3
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3 - 0.02


def test_a_retry_after_too_long_to_wait_is_reported_at_once(tmp_path, site):
    started = time.monotonic()
    summary = crawl(options(tmp_path, site, ids=["7112"]))
    assert time.monotonic() - started < 5
    (failure,) = summary.failed
    assert "429 with Retry-After: 86400 after 1 try" in failure.reason
    assert "larger --delay" in failure.hint


def test_a_500_is_retried_with_backoff(tmp_path, site):
    summary = crawl(options(tmp_path, site, ids=["7107"], backoff=0.3))
    assert summary.new == ["7107"] and not summary.failed
    hits = [h for h in site.hits if h.path == "/archives/7107"]
    assert [h.status for h in hits] == [500, 200]
    assert hits[1].t - hits[0].t >= 0.3 - 0.02


def test_a_missing_image_is_reported_not_fatal(tmp_path, site):
    summary = crawl(options(tmp_path, site, ids=["7002"]))
    assert summary.new == ["7002"] and not summary.failed
    text = " ".join(summary.warnings)
    assert f"image {site.url}/usr/uploads/2026/07/missing.png not downloaded" in text
    assert "404" in text and "--ids 7002" in text
    body = read_post(tmp_path / "content" / "posts" / "7002.md").body
    assert "![已删除的图](https://spaces.ac.cn/usr/uploads/2026/07/missing.png)" in body


def test_a_dropped_connection_is_retried(tmp_path, site):
    summary = crawl(options(tmp_path, site, ids=["7111"], backoff=0.2))
    assert summary.new == ["7111"] and not summary.failed
    hits = [h for h in site.hits if h.path == "/archives/7111"]
    assert [h.status for h in hits] == [-1, 200]
    assert hits[1].t - hits[0].t >= 0.2 - 0.02


def test_retry_after_is_honoured(tmp_path, site):
    summary = crawl(options(tmp_path, site, ids=["7108"]))
    assert summary.new == ["7108"]
    hits = [h for h in site.hits if h.path == "/archives/7108"]
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].t - hits[0].t >= 1.0 - 0.02  # the fixture says Retry-After: 1


def test_a_slow_answer_times_out_with_a_clear_message_or_is_waited_for(tmp_path, site):
    with HttpClient(delay=0, timeout=0.3, retries=1, backoff=0.05) as client:
        with pytest.raises(FetchError, match=r"no answer within 0.3 s \(after 2 tries\)") as e:
            client.get(site.url + "/archives/7109")
    assert "--timeout" in e.value.hint
    summary = crawl(options(tmp_path, site, ids=["7109"], timeout=3.0))
    assert summary.new == ["7109"]


def test_each_failure_is_reported_and_writes_no_post(tmp_path, site):
    opts = options(tmp_path, site, ids=sorted(FAILING), retries=1)
    summary = crawl(opts)
    assert not summary.new and not summary.updated
    by_id = {f.id: f for f in summary.failed}
    assert sorted(by_id) == sorted(FAILING)
    expect = {
        "7101": ("403 Forbidden", "--via browser"),
        "7102": ("JavaScript gate", "--via browser"),
        "7103": ("only the title", "retry later"),
        "7104": ("404 Not Found", "browser to check"),
        "7105": ("cut off before its end", "run again later"),
        "7106": ("not valid UTF-8", "--ids 7106 --refresh"),
        "7110": ("truncated", "--ids 7110 --refresh"),
        "7199": ("robots.txt disallows", "keep out"),
    }
    for pid, (reason, hint) in expect.items():
        failure = by_id[pid]
        assert failure.url == f"{site.url}/archives/{pid}"
        assert reason in failure.reason and hint in failure.hint, str(failure)
    assert not (opts.content / "posts").exists()
    assert RawCache(opts.cache).post_ids() == []
    assert not any(h.path == "/archives/7199" for h in site.hits)


def test_a_second_crawl_only_revalidates_and_rewrites_nothing(tmp_path, site):
    opts = options(tmp_path, site, all=True, retries=1)
    first = crawl(opts)
    assert sorted(first.new) == sorted(MATH_POSTS)
    reason = "not math/ML: category 生活随笔, 0 formula(s), no tag or title word from the rules"
    assert first.skipped == [("7003", reason)]
    before = snapshot(opts.content, opts.cache, tmp_path)
    site.hits.clear()
    second = crawl(opts)
    assert sorted(second.unchanged) == sorted(MATH_POSTS)
    assert second.fetched == 0 and second.not_modified == len(MATH_POSTS) + 1
    failing = {f"/archives/{pid}" for pid in FAILING}  # never cached, so asked again in full
    missing = [h for h in site.hits if "missing" in h.path]  # an image still worth asking for
    assert [h.status for h in missing] == [404]
    ok = [h for h in site.hits if h.path not in failing and h.path != "/robots.txt"]
    ok = [h for h in ok if h not in missing]
    assert len(ok) == len(MATH_POSTS) + 2  # the posts, 7003 (skipped but cached), content.html
    assert all(h.status == 304 for h in ok), [(h.path, h.status) for h in ok]
    assert all("if-none-match" in h.headers and "if-modified-since" in h.headers for h in ok)
    assert snapshot(opts.content, opts.cache, tmp_path) == before
    # --refresh downloads again, and still rewrites nothing that did not change
    site.hits.clear()
    third = crawl(options(tmp_path, site, ids=["7001"], refresh=True))
    assert third.fetched == 1 and third.unchanged == ["7001"]
    assert "if-none-match" not in site.hits[-2].headers


def test_feed_mode_and_the_relevance_filter(tmp_path, site):
    summary = crawl(options(tmp_path, site))
    assert sorted(summary.new) == ["7001", "7002"]
    assert [pid for pid, _ in summary.skipped] == ["7003"]
    everything = crawl(options(tmp_path, site, include_all=True))
    assert everything.new == ["7003"]
    rules = tmp_path / "rules.toml"
    rules.write_text('exclude_ids = [7002]\ncategories = ["信息时代"]\n', encoding="utf-8")
    again = convert_cache(options(tmp_path, site, rules=rules))
    assert ("7002", "listed in exclude_ids") in again.skipped
    rules.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rules.toml: unknown key"):
        convert_cache(options(tmp_path, site, rules=rules))


def test_convert_reruns_offline_and_keeps_authored_files(tmp_path, site):
    opts = options(tmp_path, site, ids=["7001", "7002"])
    crawl(opts)
    posts = opts.content / "posts"
    original = (posts / "7001.md").read_text(encoding="utf-8")
    (posts / "7001.md").unlink()
    tagged = read_post(posts / "7002.md")
    tagged.topic = "optimisation"
    (posts / "7002.md").write_text(tagged.render(), encoding="utf-8")
    (opts.content / "overrides").mkdir()
    (opts.content / "overrides" / "7002.md").write_text("manual\n", encoding="utf-8")
    offline = CrawlOptions(content=opts.content, cache=opts.cache, source="http://127.0.0.1:9")
    summary = convert_cache(offline)
    assert summary.new == ["7001"] and not summary.failed
    assert (posts / "7001.md").read_text(encoding="utf-8") == original
    assert any("manual override" in reason for pid, reason in summary.skipped if pid == "7002")
    assert read_post(posts / "7002.md").topic == "optimisation"


def test_ledger_is_regenerated(tmp_path, site):
    opts = options(tmp_path, site, ids=["7001", "7004"])
    crawl(opts)
    lines = opts.ledger.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    assert [row.split(" | ")[1] for row in rows] == ["7001", "7004"]  # newest first
    assert rows[0].split(" | ")[2] == "posts/7001.md" or rows[0].split(" | ")[2].endswith("7001.md")


def test_a_killed_crawl_resumes_without_corrupt_files(tmp_path, site):
    content, cache = tmp_path / "content", tmp_path / "cache"
    args = ["crawl", "--all", "--source", site.url, "--delay", "0.25", "--backoff", "0.05"]
    args += ["--content", str(content), "--cache", str(cache), "--retries", "1"]
    args += ["--ledger", str(tmp_path / "blog_list.txt")]
    proc = run_invoke(*args)
    deadline = time.monotonic() + 30
    while len(site.article_hits()) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert len(site.article_hits()) < 10, "the crawl finished before it was killed"
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


def test_crawl_all_then_build_gives_a_page_per_math_post_with_exact_tex(tmp_path, site):
    content = tmp_path / "content"
    proc = run_invoke(
        "crawl",
        "--all",
        "--source",
        site.url,
        "--delay",
        "0",
        "--backoff",
        "0.05",
        "--retries",
        "1",
        "--content",
        str(content),
        "--cache",
        str(tmp_path / "cache"),
        "--ledger",
        str(tmp_path / "blog_list.txt"),
    )
    out, _ = proc.communicate(timeout=120)
    assert f"new: {len(MATH_POSTS)}, updated: 0, unchanged: 0, skipped: 1" in out, out
    output = tmp_path / "output"
    build_site(content, output)
    for pid in MATH_POSTS:
        html = (output / "archives" / pid / "index.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "lxml")
        tex = [el.get_text() for el in soup.select(".math")]
        assert tex == EXPECTED_TEX[pid], pid
        lowered = html.lower()
        for bad in ("alert(", "onclick", "javascript:", "<iframe", "<form", "display:none"):
            assert bad not in lowered, (pid, bad)
    assert not (output / "archives" / "7003").exists()
    for pid in FAILING:
        assert not (output / "archives" / pid).exists()
    page = (output / "archives" / "7001" / "index.html").read_text(encoding="utf-8")
    assert (output / "images" / "7001" / "3021.png").is_file()
    assert 'src="../../images/7001/3021.png"' in page
    assert 'href="../../archives/7002/"' in page


def test_via_browser_passes_a_javascript_gate_politely(tmp_path, chromium):
    with SourceSite(gate_all=True) as gated:
        plain = crawl(options(tmp_path / "plain", gated, ids=["7002"]))
        assert [f.id for f in plain.failed] == ["7002"]
        assert "JavaScript gate" in plain.failed[0].reason
        gated.hits.clear()
        delay = 0.3
        # In a thread of its own, as `invoke crawl` runs it: this test session's shared
        # Playwright (the `browser` fixture) owns the main thread's event loop.
        opts = options(tmp_path, gated, ids=["7001", "7002"], via="browser", delay=delay)
        with ThreadPoolExecutor(1) as pool:
            summary = pool.submit(crawl, opts).result()
        assert sorted(summary.new) == ["7001", "7002"], summary.lines()
        body = read_post(tmp_path / "content" / "posts" / "7002.md").body
        assert [s.source for s in find_math(body)] == EXPECTED_TEX["7002"]
        assert (tmp_path / "content" / "images" / "7001" / "3021.png").is_file()
        articles = gated.article_hits()
        assert any("kx_gate=passed" in h.headers.get("cookie", "") for h in articles)
        assert "kexue-notes/" in articles[0].headers["user-agent"]
        # the page's own redirect is the browser's; every request we start waits its turn
        starts = [h.t for h in gated.hits if h.headers.get("sec-fetch-mode") != "navigate"]
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= delay - 0.02, gaps
        assert gated.max_active == 1
