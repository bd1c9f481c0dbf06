"""Listings (kexue/crawl/listings.py): which posts the feed and /content.html name."""

from kexue.crawl.listings import parse_archive, parse_feed
from tests.fixtures.source_site import POST_7001, POST_7002, content_html, feed


def test_the_feed_lists_its_posts_newest_first_once_each():
    body = feed([POST_7002, POST_7001, POST_7002]).encode()
    listed = parse_feed(body)
    assert [item.id for item in listed] == ["7002", "7001"]
    assert listed[0].title == POST_7002.title


def test_content_html_lists_every_post_and_skips_comment_links_and_other_hosts():
    body = content_html(["7001", "7002"]).replace(
        "</ul>", '<li><a href="https://example.org/archives/9">elsewhere</a></li></ul>'
    )
    listed = parse_archive(body.encode())
    assert [item.id for item in listed] == ["7001", "7002"]
    assert listed[0].title == "文章 7001"
    local = parse_archive(b'<a href="/archives/5">x</a>', "http://127.0.0.1:9")
    assert [item.id for item in local] == ["5"]
