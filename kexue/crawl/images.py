"""Images of crawled posts: safe local file names, and bytes that are what the name says.

A post's image is saved as ``content/images/<id>/<name>`` and served from the built site,
so both the name and the bytes come from an untrusted page:

* :func:`image_name`: the last path segment of the URL, decoded, reduced to
  ``[A-Za-z0-9._-]``, never ``.`` / ``..`` or a hidden name, the stem cut to
  ``MAX_STEM`` characters, the extension lower-cased; a query string (``a.png?v=2``) or a
  cut is folded into a short hash of the URL so different images keep different names.
* :func:`judge_image`: the bytes decide.  A raster image (magic bytes) is kept whatever
  its name says, under the extension of its real type (a PNG served as ``a.jpg`` is saved
  as ``a.png``); an SVG is kept only when :func:`svg_refusal` finds nothing that could run
  or load from elsewhere (MediaWiki's SVG upload filter is the model), else refused with
  the reason; an HTML page or script saved under an image name is refused, saying so.

A leaf module: it imports nothing of ours.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree

__all__ = [
    "MAX_STEM",
    "RASTER_TYPES",
    "Verdict",
    "image_name",
    "image_size",
    "judge_image",
    "local_name",
    "name_refusal",
    "svg_refusal",
]

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


# The extension each raster type is saved under.
TYPE_EXTENSION = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WebP": "webp", "BMP": "bmp"}
TYPE_EXTENSION["ICO"] = "ico"
IMAGE_EXTENSIONS = frozenset(RASTER_TYPES) | {"svg"}


def name_refusal(name: str) -> str | None:
    """Why an image called ``name`` is not downloaded at all, else None: a name without
    an image extension (the bytes decide the type; the name only says it is an image)."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in IMAGE_EXTENSIONS:
        kinds = ", ".join(f".{e}" for e in sorted(IMAGE_EXTENSIONS))
        return f"has a name ({name}) without an image extension ({kinds})"
    return None


@dataclass(frozen=True)
class Verdict:
    """What the bytes of an image are: kept under ``name`` (its real type's extension), or
    refused with ``reason``."""

    name: str | None
    reason: str | None = None

    @property
    def retyped(self) -> bool:
        return self.name is not None and self.reason is not None


def judge_image(body: bytes, name: str) -> Verdict:
    """Judge an image by its bytes: a raster image is kept whatever its name says, under
    the extension of its real type; an SVG is kept when :func:`svg_refusal` finds nothing
    that could run or load; anything else is refused with the reason."""
    refused = name_refusal(name)
    if refused is not None:
        return Verdict(None, refused)
    stem, _, ext = name.rpartition(".")
    ext = ext.lower()
    found = _magic_type(body[:16])
    if found is not None:
        if RASTER_TYPES.get(ext) == found:
            return Verdict(name)
        return Verdict(f"{stem}.{TYPE_EXTENSION[found]}", f"a {found} image named .{ext}")
    if _looks_like_svg(body):
        svg = svg_refusal(body)
        if svg is not None:
            return Verdict(None, f"is an SVG image that {svg}; refused")
        retyped = None if ext == "svg" else f"an SVG image named .{ext}"
        return Verdict(f"{stem}.svg", retyped)
    if _MARKUP_RE.match(body[:512]):
        return Verdict(None, f"is an HTML or script page ({len(body)} bytes), not an image")
    return Verdict(None, f"is not an image (its first bytes are {body[:8].hex(' ')})")


def local_name(folder: Path, name: str) -> str | None:
    """The file of ``folder`` that holds the image the source calls ``name``: ``name``
    itself, or the same stem under the extension of the image's real type (a PNG the
    source names ``a.jpg`` is mirrored as ``a.png``); None when it is not mirrored."""
    folder = Path(folder)
    if (folder / name).is_file():
        return name
    stem = name.rpartition(".")[0] or name
    for ext in (*TYPE_EXTENSION.values(), "svg"):
        if f"{stem}.{ext}" != name and (folder / f"{stem}.{ext}").is_file():
            return f"{stem}.{ext}"
    return None


# --------------------------------------------------------------------------------- SVG
# What an SVG may not hold, after MediaWiki's SVG upload filter (UploadBase::checkSvg…):
# nothing that runs (script, event attributes, javascript: URLs, XML Events handlers),
# nothing that embeds other documents (foreignObject, XHTML or unknown namespaces), and
# nothing that loads from elsewhere (external href, url() outside the file, @import,
# xml-stylesheet, DTD entities).  A clean SVG is kept byte for byte; one that is not is
# refused with the first reason found (the post keeps linking to the source's copy).

SVG_NS = "http://www.w3.org/2000/svg"
# Namespaces of inert editor metadata (Inkscape, Sodipodi, RDF, Dublin Core, Creative
# Commons, Adobe Illustrator, Sketch) whose elements carry no behaviour.
_INERT_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/Graphs/1.0/",
    "http://www.bohemiancoding.com/sketch/ns",
})  # fmt: skip
_FORBIDDEN_ELEMENTS = {
    "script": "holds a <script>",
    "handler": "holds an XML Events <handler> (script)",
    "listener": "holds an XML Events <listener>",
    "foreignobject": "holds a <foreignObject> (embedded HTML)",
    "iframe": "holds an <iframe>",
    "embed": "holds an <embed>",
    "object": "holds an <object>",
}
# data: URLs an SVG may embed (raster pictures, as MediaWiki allows).
_DATA_IMAGE_RE = re.compile(r"^data:image/(?:png|gif|jpe?g|webp)[;,]", re.I)
_SCRIPT_URL_RE = re.compile(r"(?:java|vb|live)script:|data:(?!image/(?:png|gif|jpe?g|webp))", re.I)
_CSS_RE = re.compile(
    r"@import|expression\s*\(|-o-link|behavior\s*:|url\s*\(\s*['\"]?\s*(?!#)", re.I
)
_ANIMATION = {"set", "animate", "animatecolor", "animatemotion", "animatetransform"}


def _looks_like_svg(body: bytes) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head


def svg_refusal(body: bytes) -> str | None:
    """Why the SVG ``body`` may not be mirrored (see above), else None."""
    if re.search(rb"<!ENTITY", body, re.I):
        return "declares DTD entities"
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as e:
        return f"is not well-formed XML ({e})"
    if lxml.etree.QName(root).localname != "svg" or lxml.etree.QName(root).namespace != SVG_NS:
        return "has no <svg> root element in the SVG namespace"
    node = root.getprevious()
    while node is not None:
        if node.tag is lxml.etree.PI:
            return f"holds an <?{node.target}?> processing instruction"
        node = node.getprevious()
    for el in root.iter():
        reason = _element_refusal(el)
        if reason:
            return reason
    return None


def _element_refusal(el) -> str | None:
    """Why one node of an SVG is refused, else None."""
    if el.tag is lxml.etree.PI:
        return f"holds an <?{el.target}?> processing instruction"
    if not isinstance(el.tag, str):  # a comment
        return None
    qname = lxml.etree.QName(el)
    local = qname.localname.lower()
    if local in _FORBIDDEN_ELEMENTS:
        return _FORBIDDEN_ELEMENTS[local]
    if qname.namespace != SVG_NS and qname.namespace not in _INERT_NS:
        return f"holds an element of another namespace ({qname.namespace or 'none'}:{local})"
    if local == "style" and _CSS_RE.search(el.text or ""):
        return "has a <style> that loads from elsewhere (@import or url())"
    for name, value in el.attrib.items():
        reason = _attribute_refusal(local, lxml.etree.QName(name).localname.lower(), value)
        if reason:
            return reason
    return None


def _attribute_refusal(element: str, name: str, value: str) -> str | None:
    plain = re.sub(r"[\x00-\x20]", "", value)
    if name.startswith("on"):
        return f"has an event attribute {name}= on <{element}>"
    if _SCRIPT_URL_RE.search(plain):
        return f"has a script URL in {name}= on <{element}>"
    if name == "href" and not plain.startswith("#") and not _DATA_IMAGE_RE.match(plain):
        return f"refers to another file ({name}={value[:60]!r} on <{element}>)"
    if (
        element in _ANIMATION
        and name == "attributename"
        and plain.lower() in ("href", "xlink:href")
    ):
        return f"animates a link (<{element} attributeName={value!r}>)"
    if _CSS_RE.search(value) and (name == "style" or "url(" in plain.lower()):
        return f"loads from elsewhere in {name}= on <{element}>"
    return None


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
