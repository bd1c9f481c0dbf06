"""Image sizes read from bytes (kexue.crawl.images.image_size) and the <img> attributes a
post gets from them (kexue.reading.images.size_images)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from kexue.crawl.images import image_size
from kexue.reading.images import FIRST_SCREEN_CHARS, size_images


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\0"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_sizes_come_from_the_bytes():
    assert image_size(png(640, 480)) == (640, 480)
    assert image_size(jpeg(1200, 675)) == (1200, 675)  # a progressive frame, after APP0
    assert image_size(b"GIF89a" + struct.pack("<HH", 33, 7) + b"\0" * 8) == (33, 7)
    webp = (
        b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (99).to_bytes(3, "little") + (9).to_bytes(3, "little")
    )
    assert image_size(webp) == (100, 10)
    assert image_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200">') == (
        320,
        200,
    )
    assert image_size(b'<svg viewBox="0 0 64.4 32">') == (64, 32)
    assert image_size(b"<!doctype html><p>not an image") is None
    assert image_size(b"\x89PNG\r\n\x1a\n") is None  # cut short: no size, no error


def test_local_images_get_their_size_and_far_ones_load_lazily(tmp_path: Path):
    (tmp_path / "images" / "7").mkdir(parents=True)
    (tmp_path / "images" / "7" / "a.png").write_bytes(png(40, 30))
    (tmp_path / "images" / "7" / "b.png").write_bytes(png(8, 4))
    far = "<p>" + "字" * (FIRST_SCREEN_CHARS + 1) + "</p>"
    page = (
        '<p><img alt="近" src="{static}/images/7/a.png"></p>'
        '<p><img alt="源站" src="https://spaces.ac.cn/usr/uploads/x.png"></p>'
        + far
        + '<p><img alt="远" src="{static}/images/7/b.png" width="80"></p>'
        '<p><img alt="越界" src="{static}/../secret.png"/></p>'
    )
    out = size_images(page, tmp_path)
    assert (
        '<img alt="近" src="{static}/images/7/a.png" width="40" height="30" decoding="async">'
        in out
    )
    assert '<img alt="源站" src="https://spaces.ac.cn/usr/uploads/x.png" decoding="async">' in out
    # the author's width stays; far down: lazy
    assert (
        '<img alt="远" src="{static}/images/7/b.png" width="80" loading="lazy" decoding="async">'
        in out
    )
    assert '<img alt="越界" src="{static}/../secret.png" loading="lazy" decoding="async"/>' in out
    assert size_images(out, tmp_path) == out  # applied twice: nothing more
