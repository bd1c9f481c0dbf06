"""Image names and bytes (kexue/crawl/images.py)."""

import pytest

from kexue.crawl.images import MAX_STEM, Verdict, image_name, judge_image, svg_refusal
from tests.fixtures.source_site import CLEAN_SVGS, HOSTILE_SVGS, PNG

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://spaces.ac.cn/usr/uploads/2026/07/3021.png", "3021.png"),
        ("https://spaces.ac.cn/usr/uploads/a%20b.JPG", "a_b.jpg"),
        ("https://spaces.ac.cn/usr/uploads/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "etc_passwd"),
        ("https://spaces.ac.cn/usr/uploads/..%2f..%2fx.png", "x.png"),
        ("https://spaces.ac.cn/usr/uploads/a..png", "a.png"),
    ],
)
def test_names_are_safe_and_stable(url, name):
    assert image_name(url) == name


def test_odd_names_are_folded_into_a_hash():
    with_query = image_name("https://spaces.ac.cn/u/plot.png?v=2&x=../../a")
    other_query = image_name("https://spaces.ac.cn/u/plot.png?v=3")
    assert with_query.startswith("plot-") and with_query.endswith(".png")
    assert with_query != other_query and "/" not in with_query
    long = image_name("https://spaces.ac.cn/u/" + "a" * 500 + ".png")
    assert len(long) <= MAX_STEM + 16 and long.endswith(".png")
    for url in ("https://x/..", "https://x/.htaccess", "https://x/dir/", "https://x/长长.png"):
        name = image_name(url)
        assert name.startswith("image-") and ".." not in name and "/" not in name, name


def test_bytes_must_be_the_type_the_name_says():
    assert judge_image(PNG, "a.png") == Verdict("a.png")
    assert judge_image(JPEG, "a.jpeg") == Verdict("a.jpeg")
    assert judge_image(JPEG, "a.jpg") == Verdict("a.jpg")
    assert judge_image(GIF, "a.gif") == Verdict("a.gif")
    assert judge_image(GIF, "a.png") == Verdict("a.gif", "a GIF image named .png")
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    assert "an HTML or script page" in _refused(html, "a.png")
    assert "an HTML or script page" in _refused(b"  <script>alert(1)</script>", "a.jpg")
    assert "SVG" in _refused(b"<svg onload=alert(1)>", "a.svg")
    assert "SVG" in _refused(b'<?xml version="1.0"?><svg/>', "a.png")
    assert "without an image extension" in _refused(PNG, "a.html")
    assert "first bytes are" in _refused(b"\x00\x01junk", "a.webp")


def _refused(body: bytes, name: str) -> str:
    verdict = judge_image(body, name)
    assert verdict.name is None
    return verdict.reason


def test_a_raster_image_is_kept_under_its_real_type_whatever_its_name():
    assert judge_image(PNG, "photo.jpg") == Verdict("photo.png", "a PNG image named .jpg")
    assert judge_image(JPEG, "a.jpeg") == Verdict("a.jpeg")  # .jpeg is a JPEG name too
    assert judge_image(GIF, "a.svg").name == "a.gif"
    refused = judge_image(b"<html><script>alert(1)</script>", "a.jpg")
    assert refused.name is None and "HTML or script page" in refused.reason
    assert judge_image(b"%PDF-1.4", "a.png").name is None


@pytest.mark.parametrize("name", sorted(CLEAN_SVGS))
def test_a_clean_svg_is_kept(name):
    assert judge_image(CLEAN_SVGS[name].encode(), name) == Verdict(name)
    assert svg_refusal(CLEAN_SVGS[name].encode()) is None


@pytest.mark.parametrize("name", sorted(HOSTILE_SVGS))
def test_a_hostile_svg_is_refused_with_its_reason(name):
    svg, words = HOSTILE_SVGS[name]
    verdict = judge_image(svg.encode(), name)
    assert verdict.name is None and words in verdict.reason, verdict.reason
    assert judge_image(svg.encode(), "renamed.png").name is None  # the name does not help


def test_svg_that_is_not_xml_or_not_svg_is_refused():
    assert "not well-formed" in svg_refusal(b"<svg onload=alert(1)>")
    assert "SVG namespace" in svg_refusal(b"<?xml version='1.0'?><svg/>")
    bomb = b'<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><svg/>'
    assert "entities" in svg_refusal(bomb)
