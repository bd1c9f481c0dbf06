"""The crawl loop (kexue/crawl/loop.py): fetch, check, convert, filter, write, ledger, resume."""

from __future__ import annotations

import pytest

from kexue.core.posts import read_post
from kexue.crawl.cache import RawCache
from kexue.crawl.loop import convert_cache, crawl
from kexue.crawl.options import CrawlOptions
from tests.fixtures.crawling import options, snapshot
from tests.fixtures.source_site import FAILING, MATH_POSTS


def test_a_missing_image_is_reported_not_fatal(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7002"]))
    assert summary.new == ["7002"] and not summary.failed
    text = " ".join(summary.warnings)
    assert f"image {source_site.url}/usr/uploads/2026/07/missing.png not downloaded" in text
    assert "404" in text and "--ids 7002" in text
    body = read_post(tmp_path / "content" / "posts" / "7002.md").body
    assert "![已删除的图](https://spaces.ac.cn/usr/uploads/2026/07/missing.png)" in body


def test_each_failure_is_reported_and_writes_no_post(tmp_path, source_site):
    opts = options(tmp_path, source_site, ids=sorted(FAILING), retries=1)
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
        assert failure.url == f"{source_site.url}/archives/{pid}"
        assert reason in failure.reason and hint in failure.hint, str(failure)
    assert not (opts.content / "posts").exists()
    assert RawCache(opts.cache).post_ids() == []
    assert not any(h.path == "/archives/7199" for h in source_site.hits)


def test_a_second_crawl_only_revalidates_and_rewrites_nothing(tmp_path, source_site):
    opts = options(tmp_path, source_site, all=True, retries=1)
    first = crawl(opts)
    assert sorted(first.new) == sorted(MATH_POSTS)
    reason = "not math/ML: category 生活随笔, 0 formula(s), no tag or title word from the rules"
    assert first.skipped == [("7003", reason)]
    before = snapshot(opts.content, opts.cache, tmp_path)
    source_site.hits.clear()
    second = crawl(opts)
    assert sorted(second.unchanged) == sorted(MATH_POSTS)
    assert second.fetched == 0 and second.not_modified == len(MATH_POSTS) + 1
    failing = {f"/archives/{pid}" for pid in FAILING}  # never cached, so asked again in full
    # an image still worth asking for
    missing = [h for h in source_site.hits if "missing" in h.path]
    assert [h.status for h in missing] == [404]
    ok = [h for h in source_site.hits if h.path not in failing and h.path != "/robots.txt"]
    ok = [h for h in ok if h not in missing]
    assert len(ok) == len(MATH_POSTS) + 2  # the posts, 7003 (skipped but cached), content.html
    assert all(h.status == 304 for h in ok), [(h.path, h.status) for h in ok]
    assert all("if-none-match" in h.headers and "if-modified-since" in h.headers for h in ok)
    assert snapshot(opts.content, opts.cache, tmp_path) == before
    # --refresh downloads again, and still rewrites nothing that did not change
    source_site.hits.clear()
    third = crawl(options(tmp_path, source_site, ids=["7001"], refresh=True))
    assert third.fetched == 1 and third.unchanged == ["7001"]
    assert "if-none-match" not in source_site.hits[-2].headers


def test_feed_mode_and_the_relevance_filter(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site))
    assert sorted(summary.new) == ["7001", "7002"]
    assert [pid for pid, _ in summary.skipped] == ["7003"]
    everything = crawl(options(tmp_path, source_site, include_all=True))
    assert everything.new == ["7003"]
    rules = tmp_path / "rules.toml"
    rules.write_text('exclude_ids = [7002]\ncategories = ["信息时代"]\n', encoding="utf-8")
    again = convert_cache(options(tmp_path, source_site, rules=rules))
    assert ("7002", "listed in exclude_ids") in again.skipped
    rules.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rules.toml: unknown key"):
        convert_cache(options(tmp_path, source_site, rules=rules))


def test_convert_reruns_offline_and_keeps_authored_files(tmp_path, source_site):
    opts = options(tmp_path, source_site, ids=["7001", "7002"])
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


def test_ledger_is_regenerated(tmp_path, source_site):
    opts = options(tmp_path, source_site, ids=["7001", "7004"])
    crawl(opts)
    lines = opts.ledger.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    assert [row.split(" | ")[1] for row in rows] == ["7001", "7004"]  # newest first
    assert rows[0].split(" | ")[2] == "content/posts/7001.md"  # relative to the ledger
