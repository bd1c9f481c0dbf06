"""The source site's URLs and ids (kexue/core/source.py)."""

from kexue.core.source import canonical_url, find_post_id, on_source, post_id_from_url, post_url


def test_post_ids_from_either_host():
    assert post_id_from_url("https://kexue.fm/archives/10320") == "10320"
    assert post_id_from_url("https://spaces.ac.cn/archives/10320/") == "10320"
    assert post_id_from_url("https://www.kexue.fm/archives/10320") == "10320"
    assert post_id_from_url("/archives/42") == "42"
    assert post_id_from_url("http://127.0.0.1:9/archives/7", "http://127.0.0.1:9") == "7"
    assert post_id_from_url("https://example.org/archives/1") is None
    assert post_id_from_url("https://spaces.ac.cn/tag/生活/") is None
    assert post_id_from_url("https://spaces.ac.cn/archives/12a") is None


def test_post_urls_and_ids_in_text():
    assert post_url("10320") == "https://spaces.ac.cn/archives/10320"
    assert post_url("7", "http://127.0.0.1:9/") == "http://127.0.0.1:9/archives/7"
    assert find_post_id("**原文链接**: [https://kexue.fm/archives/90101](...)") == "90101"
    assert find_post_id("https://example.org/archives/1") is None


def test_canonical_urls_and_moving_them_onto_the_crawled_source():
    local = "http://127.0.0.1:9"
    assert canonical_url("/usr/uploads/a.png") == "https://spaces.ac.cn/usr/uploads/a.png"
    assert canonical_url("http://kexue.fm/x") == "https://spaces.ac.cn/x"
    assert canonical_url(f"{local}/x", local) == "https://spaces.ac.cn/x"
    assert canonical_url("https://example.org/x") == "https://example.org/x"
    assert on_source("https://spaces.ac.cn/usr/a.png", local) == f"{local}/usr/a.png"
    # a look-alike host is not the source's, and is never moved onto it
    evil = "https://spaces.ac.cn.example.org/a.png"
    assert canonical_url(evil) == evil and on_source(evil, local) == evil


def test_urls_python_cannot_parse_are_no_post_and_stay_as_written():
    assert post_id_from_url("http://[bad/archives/1") is None
    assert canonical_url(" http://[bad ") == "http://[bad"
    assert on_source("http://[bad/a.png", "http://127.0.0.1:9") == "http://[bad/a.png"
