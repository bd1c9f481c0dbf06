"""Images in a post's HTML: their size from their bytes, and lazy loading off the first screen.

A browser that knows an image's ``width`` and ``height`` reserves its box before the bytes
arrive, so the text does not jump; an image far down need not load before the reader
gets there.  For each ``<img>`` of the (already sanitised) HTML:

- a local image (``{static}/images/…``, a file under the content folder) gets ``width``
  and ``height`` read from its bytes (kexue.crawl.images.image_size; an image still
  linked at the source has no bytes here and keeps none);
- every image after the first screen, that is after :data:`FIRST_SCREEN_CHARS`
  characters of text, gets ``loading="lazy"``; every image gets ``decoding="async"``.

Attributes already written by the author are kept.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from kexue.crawl.images import image_size

FIRST_SCREEN_CHARS = 400  # text before an image for it to be below a phone's first screen
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_SRC_RE = re.compile(r"""\ssrc\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
STATIC = "{static}/"


def _has(tag: str, name: str) -> bool:
    return re.search(rf"\s{name}\s*=", tag, re.I) is not None


def local_file(src: str, content: Path) -> Path | None:
    """The file of a ``{static}/…`` image under ``content``, else None."""
    src = html.unescape(src)
    if not src.startswith(STATIC):
        return None
    rel = src[len(STATIC) :].split("?")[0].split("#")[0]
    path = (content / rel).resolve()
    try:
        path.relative_to(content.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None


def _size_of(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    with path.open("rb") as f:
        return image_size(f.read(65536))


def size_images(page: str, content: Path) -> str:
    """``page`` with sizes and loading hints on its images (see the module docstring)."""
    out: list[str] = []
    last = 0
    text_chars = 0
    for m in _IMG_RE.finditer(page):
        before = page[last : m.start()]
        text_chars += len(html.unescape(_TAG_RE.sub("", before)).strip())
        tag = m.group()
        extra = []
        src = _SRC_RE.search(tag)
        size = _size_of(local_file(src.group(2) or src.group(3) or "", content)) if src else None
        if size and not _has(tag, "width") and not _has(tag, "height"):
            extra.append(f'width="{size[0]}" height="{size[1]}"')
        if text_chars > FIRST_SCREEN_CHARS and not _has(tag, "loading"):
            extra.append('loading="lazy"')
        if not _has(tag, "decoding"):
            extra.append('decoding="async"')
        if extra:
            end = -2 if tag.endswith("/>") else -1
            tag = tag[:end].rstrip() + " " + " ".join(extra) + tag[end:]
        out += [before, tag]
        last = m.end()
    out.append(page[last:])
    return "".join(out)
