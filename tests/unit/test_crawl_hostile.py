"""Hostile and broken answers (tests/fixtures/source_site.py, HOSTILE_ROUTES): each is that
post's FAILED line (URL + what to do) or a warning, and the crawl, the conversion and the
ledger complete for the other posts."""

from __future__ import annotations

import gzip
import zlib

import pytest

from kexue.core.posts import read_post
from kexue.crawl.client import FetchError, HttpClient, decode_content, same_site
from kexue.crawl.loop import crawl
from tests.fixtures.crawling import options
from tests.fixtures.source_site import HOSTILE_FAILING, HUGE, INVALID_BYTE_AT, PNG

LIMITS = {"max_body": 1 << 20, "max_decoded": 1 << 20}  # below HUGE, far above any fixture page


def test_every_hostile_answer_is_its_posts_failed_line_and_the_rest_completes(
    tmp_path, source_site
):
    ids = ["7001", *HOSTILE_FAILING]
    opts = options(tmp_path, source_site, ids=ids, retries=1, **LIMITS)
    summary = crawl(opts)  # returns: nothing raised
    assert summary.new == ["7001"], summary.lines()
    by_id = {f.id: f for f in summary.failed}
    assert sorted(by_id) == sorted(HOSTILE_FAILING), summary.lines()
    for pid, reason in HOSTILE_FAILING.items():
        failure = by_id[pid]
        assert failure.url == f"{source_site.url}/archives/{pid}"
        assert reason in failure.reason, str(failure)
        assert failure.hint, str(failure)
    assert "/loop/a -> " in by_id["7201"].reason and by_id["7201"].reason.endswith("7201)")
    assert "elsewhere.invalid" in by_id["7202"].reason
    assert "open the URL in a browser" in by_id["7202"].hint
    assert "CrawlOptions.max_body" in by_id["7205"].hint
    assert not any("elsewhere" in h.headers.get("host", "") for h in source_site.hits)
    hops = [h for h in source_site.hits if h.path.startswith("/hop/")]
    assert len(hops) == 5  # the bounded redirect count: 5 hops followed, the 6th refused
    lines = opts.ledger.read_text(encoding="utf-8").splitlines()
    assert [row.split(" | ")[1] for row in lines if not row.startswith("#")] == ["7001"]
    assert sorted(p.stem for p in (opts.content / "posts").glob("*.md")) == ["7001"]
    text = "\n".join(summary.lines())
    assert text.count("FAILED post ") == len(HOSTILE_FAILING)


def test_a_body_cut_off_is_retried_and_the_complete_answer_kept(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7208"], backoff=0.2))
    assert summary.new == ["7208"] and not summary.failed, summary.lines()
    hits = [h for h in source_site.hits if h.path == "/archives/7208"]
    assert len(hits) == 2 and hits[1].t - hits[0].t >= 0.2 - 0.02
    body = read_post(tmp_path / "content" / "posts" / "7208.md").body
    assert r"\mathbb{E}[\Vert g - \nabla\ell\Vert^2] = \sigma^2" in body


def test_a_body_always_cut_off_fails_after_the_retries(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7105"], retries=2))
    (failure,) = summary.failed
    assert "cut off before its end" in failure.reason and "after 3 tries" in failure.reason
    assert len([h for h in source_site.hits if h.path == "/archives/7105"]) == 3


def test_an_isolated_invalid_byte_is_replaced_written_and_reported(tmp_path, source_site):
    summary = crawl(options(tmp_path, source_site, ids=["7209"]))
    assert summary.new == ["7209"] and not summary.failed, summary.lines()
    (warning,) = summary.warnings
    assert f"1 invalid UTF-8 byte at byte offset {INVALID_BYTE_AT} replaced by U+FFFD" in warning
    assert warning.startswith(f"post 7209: {source_site.url}/archives/7209")
    assert "--ids 7209 --refresh" in warning
    assert "\ufffd这是分析收敛的起点" in read_post(tmp_path / "content" / "posts" / "7209.md").body


def test_images_are_checked_by_bytes_and_named_safely(tmp_path, source_site):
    opts = options(tmp_path, source_site, ids=["7210"], **LIMITS)
    summary = crawl(opts)
    assert summary.new == ["7210"], summary.lines()  # the post is written, its images linked
    failed = {f.url.rsplit("/", 1)[-1]: f for f in summary.failed}
    assert {f.id for f in summary.failed} == {"7210"}
    assert "an HTML or script page" in failed["page.png"].reason
    assert "dropped" in failed["page.png"].reason
    assert "SVG" in failed["drawing.svg"].reason
    assert "a redirect loop" in failed["loop.png"].reason
    assert "redirected off the source" in failed["away.png"].reason
    assert "larger than the limit" in failed["huge.png"].reason
    # `evil/..` is the folder itself: no file name, so no image type to check the bytes by
    assert "without an image extension" in failed[""].reason
    assert "not downloaded" in failed[""].reason  # refused by its name, never asked for
    assert not any(h.path == "/usr/uploads/" for h in source_site.hits)
    assert "not downloaded" in failed["bad.png"].reason  # `http://[bad/…`: no URL at all
    assert len(summary.failed) == 7, summary.lines()
    folder = opts.content / "images" / "7210"
    names = sorted(p.name for p in folder.iterdir())
    assert "3021.png" in names and "page.png" not in names and "drawing.svg" not in names
    # Judged by the bytes: a PNG named .jpg kept as .png, a clean SVG kept.
    assert "photo.png" in names and "photo.jpg" not in names and "plot.svg" in names
    assert any(
        "photo.jpg is a PNG image named .jpg: saved as photo.png" in w for w in summary.warnings
    )
    assert "escape.png" in names  # `..%2f..%2f..%2fescape.png`, folded into the folder
    assert any(n.startswith("plot-") and n.endswith(".png") for n in names)  # query hashed
    assert any(n.startswith("image-") and n.endswith(".png") for n in names)  # 长长….png
    assert len(names) == 6, names
    assert all(len(n) <= 80 and not n.startswith(".") and ".." not in n for n in names), names
    assert all((folder / n).read_bytes() == PNG for n in names if n != "plot.svg")
    assert sorted(p.name for p in (opts.content / "images").iterdir()) == ["7210"]
    assert not list(tmp_path.glob("escape*")) and not (opts.content / "escape.png").exists()
    body = read_post(opts.content / "posts" / "7210.md").body
    assert "{static}/images/7210/3021.png" in body
    assert "{static}/images/7210/photo.png" in body and "{static}/images/7210/plot.svg" in body
    assert "https://spaces.ac.cn/usr/uploads/evil/page.png" in body  # linked, not copied


def test_the_client_refuses_redirects_off_the_host_and_past_the_limit(source_site):
    with HttpClient(delay=0, timeout=5, max_redirects=1) as client:
        with pytest.raises(FetchError, match=r"redirected off the source to http://elsewhere"):
            client.get(source_site.url + "/usr/uploads/evil/away.png")
        with pytest.raises(FetchError, match="more than 1 redirects") as e:
            client.get(source_site.url + "/archives/7203")
    assert e.value.kind == "redirect" and e.value.url == source_site.url + "/archives/7203"


def test_images_come_only_from_the_source_and_the_listed_image_hosts(tmp_path, source_site):
    other = source_site.url.replace("127.0.0.1", "localhost").removeprefix("http://")
    plain = crawl(options(tmp_path / "plain", source_site, ids=["7212"]))
    assert plain.new == ["7212"]
    (failure,) = plain.failed  # the source's image redirects to the other host
    assert f"redirected off the source to http://{other}/" in failure.reason
    (warning,) = plain.warnings
    assert f"host {other} is not the source's" in warning and "--image-hosts" in warning
    assert not any(h.headers.get("host") == other for h in source_site.hits)
    folder = tmp_path / "plain" / "content" / "images" / "7212"
    assert not folder.exists() or not list(folder.iterdir())
    listed = crawl(options(tmp_path, source_site, ids=["7212"], image_hosts=(other,)))
    assert listed.new == ["7212"] and not listed.failed and not listed.warnings, listed.lines()
    names = sorted(p.name for p in (tmp_path / "content" / "images" / "7212").iterdir())
    assert names == ["3021.png", "to-localhost.png"]
    assert any(h.headers.get("host") == other for h in source_site.hits)


def test_content_encodings_are_undone_within_the_limit():
    url = "http://127.0.0.1:9/x"
    assert decode_content(url, gzip.compress(b"abc"), "gzip", 10) == b"abc"
    assert decode_content(url, zlib.compress(b"abc"), "deflate", 10) == b"abc"
    assert decode_content(url, b"abc", "identity", 10) == b"abc"
    with pytest.raises(FetchError, match="larger than the limit") as e:
        decode_content(url, gzip.compress(b"x" * HUGE), "gzip", 1 << 20)
    assert e.value.kind == "too-big"
    with pytest.raises(FetchError, match="gzip body ends before its end"):
        decode_content(url, gzip.compress(b"x" * 1000)[:20], "gzip", 1 << 20)
    with pytest.raises(FetchError, match="not valid gzip"):
        decode_content(url, b"plain text", "gzip", 1 << 20)


def test_a_file_we_cannot_write_fails_that_post_only(tmp_path, source_site):
    opts = options(tmp_path, source_site, ids=["7001", "7002"])
    (opts.content / "images").mkdir(parents=True)
    (opts.content / "images" / "7001").write_text("a file where a folder goes", encoding="utf-8")
    summary = crawl(opts)
    (failure,) = summary.failed
    assert failure.id == "7001" and "could not read or write a file" in failure.reason
    assert "permissions" in failure.hint and "resumes" in failure.hint
    assert summary.new == ["7002"], summary.lines()


def test_the_source_site_s_hosts_are_one_site_for_redirects():
    assert same_site("spaces.ac.cn") >= {"kexue.fm", "www.spaces.ac.cn", "www.kexue.fm"}
    assert same_site("127.0.0.1:8000") == {"127.0.0.1:8000"}
    assert "spaces.ac.cn" not in same_site("spaces.ac.cn.example.org")
