"""The polite HTTP client (kexue/crawl/client.py) against the fixture source site on 127.0.0.1."""

from __future__ import annotations

import pytest

from kexue.crawl.client import FetchError, HttpClient
from kexue.crawl.loop import crawl
from tests.fixtures.crawling import options
from tests.fixtures.source_site import SourceSite


def test_requests_are_spaced_by_the_delay_one_at_a_time(tmp_path, source_site):
    delay = 0.4
    summary = crawl(options(tmp_path, source_site, delay=delay, ids=["7001", "7002", "7004"]))
    assert sorted(summary.new) == ["7001", "7002", "7004"]
    times = [h.t for h in source_site.hits]  # robots.txt, three articles, two images
    assert len(times) == 6
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= delay - 0.02, gaps
    assert source_site.max_active == 1
    ua = source_site.hits[1].headers["user-agent"]
    assert ua.startswith("kexue-notes/") and "http" in ua


def test_robots_crawl_delay_raises_our_delay():
    with SourceSite(robots="User-agent: *\nCrawl-delay: 0.3\nDisallow: /search/\n") as slow:
        with HttpClient(delay=0, timeout=5) as client:
            for pid in ("7001", "7002"):
                client.get(f"{slow.url}/archives/{pid}")
        times = [h.t for h in slow.hits]
        assert len(times) == 3
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3 - 0.02


def test_a_retry_after_too_long_to_wait_is_reported_at_once(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7112"]))
    # asked once, not retried after a wait
    assert [h.path for h in source_site.hits].count("/archives/7112") == 1
    (failure,) = summary.failed
    assert "429 with Retry-After: 86400 after 1 try" in failure.reason
    assert "larger --delay" in failure.hint


def test_a_500_is_retried_with_backoff(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7107"], backoff=0.3))
    assert summary.new == ["7107"] and not summary.failed
    hits = [h for h in source_site.hits if h.path == "/archives/7107"]
    assert [h.status for h in hits] == [500, 200]
    assert hits[1].t - hits[0].t >= 0.3 - 0.02


def test_a_dropped_connection_is_retried(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7111"], backoff=0.2))
    assert summary.new == ["7111"] and not summary.failed
    hits = [h for h in source_site.hits if h.path == "/archives/7111"]
    assert [h.status for h in hits] == [-1, 200]
    assert hits[1].t - hits[0].t >= 0.2 - 0.02


def test_retry_after_is_honoured(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7108"]))
    assert summary.new == ["7108"]
    hits = [h for h in source_site.hits if h.path == "/archives/7108"]
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].t - hits[0].t >= 1.0 - 0.02  # the fixture says Retry-After: 1


def test_a_slow_answer_times_out_with_a_clear_message_or_is_waited_for(tmp_path, source_site):
    with HttpClient(delay=0, timeout=0.3, retries=1, backoff=0.05) as client:
        with pytest.raises(FetchError, match=r"no answer within 0.3 s \(after 2 tries\)") as e:
            client.get(source_site.url + "/archives/7109")
    assert "--timeout" in e.value.hint
    summary = crawl(options(tmp_path, source_site, ids=["7109"], timeout=3.0))
    assert summary.new == ["7109"]
