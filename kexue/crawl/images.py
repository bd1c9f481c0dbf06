"""Images of crawled posts: safe local file names, and bytes that are what the name says.

A post's image is saved as ``content/images/<id>/<name>`` and served from the built site,
so both the name and the bytes come from an untrusted page:

* :func:`image_name`: the last path segment of the URL, decoded, reduced to
  ``[A-Za-z0-9._-]``, never ``.`` / ``..`` or a hidden name, the stem cut to
  ``MAX_STEM`` characters, the extension lower-cased; a query string (``a.png?v=2``) or a
  cut is folded into a short hash of the URL so different images keep different names.
* :func:`check_image`: the bytes must be a raster image of the type the extension names
  (magic bytes).  SVG is refused (it can carry script); an HTML page or script saved under
  an image name is refused with a reason saying so.

A leaf module: it imports nothing of ours.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote, urlsplit

__all__ = ["MAX_STEM", "RASTER_TYPES", "check_image", "image_name", "image_size", "name_refusal"]

MAX_STEM = 64
# extension -> the type its magic bytes must announce
RASTER_TYPES: dict[str, str] = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "webp": "WebP",
    "bmp": "BMP",
    "ico": "ICO",
}
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
_MARKUP_RE = re.compile(
    rb"^\s*(<!doctype|<html|<head|<body|<script|<\?xml|<svg|<!--|<div|<p\b)", re.I
)


def _magic_type(head: bytes) -> str | None:
    """The raster type the first bytes announce, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    return None


def image_name(url: str) -> str:
    """A safe local file name for the image at ``url`` (see the module docstring)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # ``http://[x``: no name to keep
        return "image-" + hashlib.sha256(url.encode()).hexdigest()[:10]
    last = unquote(parts.path.rsplit("/", 1)[-1])
    stem, dot, ext = last.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = last, ""
    stem = re.sub(r"\.{2,}", ".", _UNSAFE_RE.sub("_", stem)).strip("._-")
    folded = bool(parts.query) or not stem or len(stem) > MAX_STEM
    stem = stem[:MAX_STEM].rstrip("._-") or "image"
    if folded:
        stem += "-" + hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{stem}.{ext.lower()}" if ext else stem


def name_refusal(name: str) -> str | None:
    """Why an image called ``name`` is not downloaded at all, else None."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext == "svg":
        return "is an SVG image, which can carry script; SVG is not mirrored"
    if ext not in RASTER_TYPES:
        kinds = ", ".join(f".{e}" for e in RASTER_TYPES)
        return f"has a name ({name}) without a raster image extension ({kinds})"
    return None


def check_image(body: bytes, name: str) -> str | None:
    """None when ``body`` is a raster image of the type ``name``'s extension says, else
    the reason it is refused."""
    refused = name_refusal(name)
    if refused is not None:
        return refused
    found = _magic_type(body[:16])
    if found is None and b"<svg" in body[:1024].lower():
        return "is an SVG image, which can carry script; SVG is not mirrored"
    ext = name.rpartition(".")[2].lower()
    want = RASTER_TYPES[ext]
    if found == want:
        return None
    if _MARKUP_RE.match(body[:512]):
        return f"is an HTML or script page ({len(body)} bytes), not a {want} image"
    if found:
        return f"is a {found} image saved under a .{ext} name"
    return f"is not a {want} image (its first bytes are {body[:8].hex(' ')})"


_SVG_ROOT_RE = re.compile(rb"<svg\b[^>]*>", re.I)
_SVG_ATTR_RE = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""", re.I)
_SVG_LENGTH_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*")
# JPEG start-of-frame markers (baseline, progressive, ...): they hold the size
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _int(data: bytes, at: int, size: int, order: str = "big") -> int:
    return int.from_bytes(data[at : at + size], order)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _JPEG_SOF:
            return _int(data, i + 7, 2), _int(data, i + 5, 2)
        i += 2 + _int(data, i + 2, 2)
    return None


def _svg_size(data: bytes) -> tuple[int, int] | None:
    root = _SVG_ROOT_RE.search(data[:4096])
    if root is None:
        return None
    attrs = {
        k.decode().lower(): v.decode("utf-8", "replace")
        for k, v in _SVG_ATTR_RE.findall(root.group())
    }
    w, h = (_SVG_LENGTH_RE.fullmatch(attrs.get(k, "")) for k in ("width", "height"))
    if w and h:
        return round(float(w.group(1))), round(float(h.group(1)))
    box = attrs.get("viewbox", "").replace(",", " ").split()
    try:
        return round(float(box[2])), round(float(box[3]))
    except (IndexError, ValueError):
        return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + _int(data, 24, 3, "little"), 1 + _int(data, 27, 3, "little")
    if chunk == b"VP8 ":
        return _int(data, 26, 2, "little") & 0x3FFF, _int(data, 28, 2, "little") & 0x3FFF
    if chunk == b"VP8L":
        bits = _int(data, 21, 4, "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_SIZE_READERS = {
    "PNG": lambda d: (_int(d, 16, 4), _int(d, 20, 4)) if d[12:16] == b"IHDR" else None,
    "JPEG": _jpeg_size,
    "GIF": lambda d: (_int(d, 6, 2, "little"), _int(d, 8, 2, "little")),
    "WebP": _webp_size,
    "BMP": lambda d: (
        _int(d, 18, 4, "little"),
        abs(int.from_bytes(d[22:26], "little", signed=True)),
    ),
    "ICO": lambda d: None,
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels read from an image's first bytes (PNG, JPEG, GIF, WebP,
    BMP, or an SVG's root width/height or viewBox), else None."""
    kind = _magic_type(data[:16])
    size = _SIZE_READERS[kind](data) if kind else _svg_size(data)
    return size if size and size[0] > 0 and size[1] > 0 else None
