"""Images of imported posts: never a broken link, mirrored on request.

The earlier mirror's posts link their images as the source wrote them, ``/usr/uploads/…``,
a path this site does not have.  :func:`link_images` points each such image at the
source's absolute URL (``https://spaces.ac.cn/usr/uploads/…``), or at the local copy in
``content/images/<id>/`` when there is one.  :func:`mirror_images` (``invoke crawl
--images``) downloads every source image a post references through the crawler's polite
client, judges the bytes (kexue.crawl.images.judge_image: a raster image under its real
type's extension, an SVG only when nothing in it can run or load), and links the local copy.
:func:`remote_images` lists what is not local yet (``invoke check`` prints it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from kexue.core.fsutil import atomic_write_bytes
from kexue.core.posts import iter_post_files, read_post, write_post
from kexue.core.source import SITE_HOSTS, SOURCE_BASE
from kexue.crawl.convert import image_file_names
from kexue.crawl.images import judge_image, local_name, name_refusal
from kexue.crawl.loop import make_client
from kexue.math.tex import find_code_ranges, find_math

# ![alt](url "title") and <img … src="url" …>
_MD_IMAGE_RE = re.compile(r"(!\[(?:\\.|\[[^\]\n]*\]|[^\]\\\n])*\]\()(\s*<?)([^)\s>]+)")
# A link to a file of the source's uploads (the "点击查看原图" link around an image).
_MD_UPLOAD_LINK_RE = re.compile(r"(?<=\]\()/usr/uploads/[^)\s]+")
_HTML_IMAGE_RE = re.compile(r"(<img\b[^>]*?\bsrc=)([\"'])([^\"']+)\2", re.I)
LOCAL_PREFIX = "{static}/images/"


def source_url(ref: str) -> str | None:
    """The absolute URL on the source site of an image reference, or None if it is not
    the source's (another host, a data: URL, a local {static} link)."""
    ref = ref.strip()
    if ref.startswith(("{static}", "{filename}", "data:", "#")):
        return None
    try:  # an untrusted address Python cannot parse (http://[x) is not the source's
        parts = urlsplit(urljoin(SOURCE_BASE + "/", ref))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.hostname not in SITE_HOSTS:
        return None
    return SOURCE_BASE + parts.path + (f"?{parts.query}" if parts.query else "")


def _masks(body: str) -> list[tuple[int, int]]:
    """Code and math: no image there."""
    masks = find_code_ranges(body)
    return masks + [(s.start, s.end) for s in find_math(body, skip=sorted(masks))]


def _refs(body: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, reference) of every image outside code and math."""
    masks = _masks(body)
    for rx in (_MD_IMAGE_RE, _HTML_IMAGE_RE):
        for m in rx.finditer(body):
            if not any(a <= m.start(3) < b for a, b in masks):
                yield m.start(3), m.end(3), m.group(3)


def source_images(body: str) -> dict[str, str]:
    """{source URL: local name} of every source image the Markdown ``body`` references."""
    return image_file_names(u for _, _, ref in _refs(body) if (u := source_url(ref)))


def link_images(body: str, post_id: str, images_dir: Path | None) -> tuple[str, int, int]:
    """Point every source image at its local copy (if ``images_dir`` has it) or at the
    source's absolute URL.  Returns (body, images linked locally, images linked remotely
    that were relative)."""
    names = source_images(body)
    out = []
    pos = 0
    local = relative = 0
    for start, end, ref in sorted(_refs(body)):
        url = source_url(ref)
        if url is None:
            continue
        name = local_name(images_dir, names[url]) if images_dir is not None else None
        if name is not None:
            new = f"{LOCAL_PREFIX}{post_id}/{name}"
            local += 1
        else:
            new = url if not ref.startswith(("http://", "https://")) else ref
            relative += new != ref
        out.append(body[pos:start])
        out.append(new)
        pos = end
    out.append(body[pos:])
    body = "".join(out)
    masks = _masks(body)
    links = [
        m
        for m in _MD_UPLOAD_LINK_RE.finditer(body)
        if not any(a <= m.start() < b for a, b in masks)
    ]
    for m in reversed(links):
        body = body[: m.start()] + SOURCE_BASE + m.group(0) + body[m.end() :]
    return body, local, relative


# --------------------------------------------------------------------------- mirror


@dataclass
class ImageReport:
    posts: int = 0
    downloaded: int = 0
    present: int = 0
    relinked: list[str] = field(default_factory=list)  # posts rewritten
    failed: list[str] = field(default_factory=list)  # "post N: URL: why"
    retyped: list[str] = field(default_factory=list)  # saved under their real type's name

    def lines(self) -> list[str]:
        out = [
            f"images: {self.posts} posts with source images, {self.downloaded} downloaded, "
            f"{self.present} already here, {len(self.relinked)} posts relinked, "
            f"{len(self.retyped)} saved under their real type, {len(self.failed)} failed"
        ]
        out += [f"retyped {r}" for r in self.retyped]
        out += [f"FAILED {f}" for f in self.failed]
        return out


def mirror_images(
    content: Path,
    fetch: Callable[[str], bytes],
    ids: list[str] | None = None,
    step: Callable[[str, int], None] | None = None,
) -> ImageReport:
    """Download every source image the posts in ``content`` reference into
    ``content/images/<id>/`` (``fetch(url)`` returns the body; the crawler's polite client)
    and link the local copies.  Bytes that are not an image are not kept."""
    content = Path(content)
    report = ImageReport()
    posts = [p for p in iter_post_files(content) if p.parent.name == "posts"]
    if ids:
        posts = [p for p in posts if p.stem in ids]
    for path in posts:
        post = read_post(path)
        names = source_images(post.body)
        if not names:
            continue
        report.posts += 1
        folder = content / "images" / post.id
        for url, name in names.items():
            if step:
                step(f"image {post.id}", 0)
            _mirror_image(url, folder / name, f"post {post.id}", fetch, report)
        body, _, _ = link_images(post.body, post.id, folder)
        if body != post.body:
            post.body = body
            write_post(path, post)
            report.relinked.append(post.id)
    return report


def _mirror_image(
    url: str, target: Path, where: str, fetch: Callable[[str], bytes], report: ImageReport
) -> None:
    """Download one image of :func:`mirror_images` into ``target``'s folder unless it is
    there, under the name of its real type (kexue.crawl.images.judge_image)."""
    if local_name(target.parent, target.name) is not None:
        report.present += 1
        return
    refused = name_refusal(target.name)
    if refused is not None:  # before any request (a name without an image type)
        report.failed.append(f"{where}: {url}: {refused}; it stays linked")
        return
    try:
        data = fetch(url)
    except Exception as e:  # the crawler's errors name the URL and what to do
        report.failed.append(f"{where}: {url}: {e}")
        return
    verdict = judge_image(data, target.name)
    if verdict.name is None:
        report.failed.append(f"{where}: {url}: {verdict.reason}; it stays linked")
        return
    saved = target.parent / verdict.name
    if saved.is_file() and saved.read_bytes() != data:  # another image of the post has it
        report.failed.append(
            f"{where}: {url}: is {verdict.reason}, and {saved.name} is "
            "another image of the post; it stays linked"
        )
        return
    atomic_write_bytes(saved, data)
    report.downloaded += 1
    if verdict.retyped:
        report.retyped.append(f"{where}: {url}: {verdict.reason}, saved as {saved.name}")


def remote_images(content: Path) -> Iterator[tuple[Path, int, str]]:
    """(post file, line, URL) of every source image a post does not have locally."""
    for path in iter_post_files(Path(content)):
        body = read_post(path).body
        text = path.read_text(encoding="utf-8")
        offset = text.find(body) if body else 0
        for start, _, ref in sorted(_refs(body)):
            if source_url(ref):
                yield path, text.count("\n", 0, max(offset, 0) + start) + 1, ref


def crawl_images(opts, step=None) -> ImageReport:
    """`invoke crawl --images`: :func:`mirror_images` through the crawler's polite client
    (robots.txt, delay, retries, User-Agent), from ``opts.source``."""
    source = opts.source.rstrip("/")
    with make_client(opts) as client:

        def fetch(url: str) -> bytes:
            return client.get(url.replace(SOURCE_BASE, source, 1), {}).body

        return mirror_images(Path(opts.content), fetch, opts.ids, step)
