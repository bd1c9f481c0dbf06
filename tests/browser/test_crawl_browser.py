"""The browser client (kexue/crawl/browser.py): headless Chromium passes a JavaScript gate."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kexue.core.posts import read_post
from kexue.crawl.loop import crawl
from kexue.math.tex import find_math
from tests.fixtures.crawling import options
from tests.fixtures.source_site import EXPECTED_TEX, SourceSite


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


def test_via_browser_redirects_and_sizes_are_checked_like_plain_http(tmp_path, chromium):
    with SourceSite() as site:
        ids = ["7001", "7201", "7202", "7205"]
        opts = options(tmp_path, site, ids=ids, via="browser", max_body=1 << 20)
        with ThreadPoolExecutor(1) as pool:  # see the test above
            summary = pool.submit(crawl, opts).result()
        assert summary.new == ["7001"], summary.lines()
        by_id = {f.id: f for f in summary.failed}
        assert "a redirect loop" in by_id["7201"].reason
        assert "redirected off the source to http://elsewhere.invalid/" in by_id["7202"].reason
        assert "larger than the limit" in by_id["7205"].reason
        assert not any("elsewhere" in h.headers.get("host", "") for h in site.hits)
