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

__all__ = ["MAX_STEM", "RASTER_TYPES", "check_image", "image_name", "name_refusal"]

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
