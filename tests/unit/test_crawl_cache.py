"""The raw cache (kexue/crawl/cache.py): keyed by post id, validators, half-written = absent."""

from kexue.crawl.cache import RawCache
from kexue.crawl.client import Response


def answer(body: bytes, etag: str = '"a"') -> Response:
    headers = {"etag": etag, "last-modified": "Tue, 04 Aug 2026 08:00:00 GMT"}
    return Response("http://127.0.0.1:9/archives/7", 200, headers, body, "2026-08-04T00:00:00Z")


def test_store_load_and_validators(tmp_path):
    cache = RawCache(tmp_path)
    assert cache.load("7") is None and cache.validators("7") == {}
    assert cache.store("7", answer(b"<html>one</html>"))
    meta, body = cache.load("7")
    assert body == b"<html>one</html>" and meta["size"] == len(body)
    assert cache.validators("7") == {
        "If-None-Match": '"a"',
        "If-Modified-Since": "Tue, 04 Aug 2026 08:00:00 GMT",
    }
    assert not cache.store("7", answer(b"<html>one</html>"))  # nothing new: nothing written
    assert cache.post_ids() == ["7"]


def test_a_body_that_does_not_match_its_record_is_absent(tmp_path):
    cache = RawCache(tmp_path)
    cache.store("7", answer(b"<html>one</html>"))
    (tmp_path / "7.html").write_bytes(b"<html>half")  # a body replaced without its record
    assert cache.load("7") is None and cache.validators("7") == {}
