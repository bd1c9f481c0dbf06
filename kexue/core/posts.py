"""The Post model, and reading and writing content files (Pelican metadata + Markdown).

A content file is a block of ``Key: value`` header lines (read by kexue/core/header.py, the
notes' parser too), a blank line, then the Markdown body.  Keys are written in FIELDS
order; empty fields are written empty (never invented).

    Title: 从谱范数梯度到新式权重衰减的思考
    Date: 2024-12-25
    Slug: 10648
    Source: https://spaces.ac.cn/archives/10648
    ...

The body is kept byte for byte.  Unknown header keys are preserved in ``extra``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.fsutil import atomic_write_text
from kexue.core.header import HeaderError, parse_header, read_text
from kexue.core.paths import POST_DIRS, content_files
from kexue.core.problems import CheckContext, Problem
from kexue.core.source import post_url

# Header keys in the order they are written.  Pelican lower-cases them as metadata.
FIELDS = (
    "Title",
    "Date",
    "Slug",
    "Source",
    "Source_category",
    "Tags",
    "Author",
    "Summary",
    "Topic",
    "Completeness",
    "Content_hash",
    "Fetched",
)
_POST_KEYS = "`Title:`, `Date:`, `Slug: <id>`, …"


class PostFormatError(HeaderError):
    """A content file whose header cannot be read; the message names the file and line."""


@dataclass
class Post:
    id: str
    title: str = ""
    date: str = ""
    source: str = ""
    source_category: str = ""
    tags: list[str] = field(default_factory=list)
    author: str = ""
    summary: str = ""
    topic: str = ""
    completeness: str = ""  # "full" or "excerpt" (only the feed's text before "read more")
    content_hash: str = ""
    fetched: str = ""
    body: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def source_url(self) -> str:
        return self.source or post_url(self.id)

    @property
    def published(self) -> bool:
        """False for a draft (``Status: draft``, e.g. an imported post without its text):
        Pelican writes no page for it."""
        return self.extra.get("Status", "").strip().lower() != "draft"

    def header(self) -> dict[str, str]:
        values = {
            "Title": self.title,
            "Date": self.date,
            "Slug": self.id,
            "Source": self.source,
            "Source_category": self.source_category,
            "Tags": ", ".join(self.tags),
            "Author": self.author,
            "Summary": self.summary,
            "Topic": self.topic,
            "Completeness": self.completeness,
            "Content_hash": self.content_hash,
            "Fetched": self.fetched,
        }
        values.update(self.extra)
        return values

    def render(self) -> str:
        lines = []
        for key, value in self.header().items():
            value = " ".join(str(value).split("\n")).strip()
            lines.append(f"{key}: {value}".rstrip())
        return "\n".join(lines) + "\n\n" + self.body.rstrip("\n") + "\n"


def parse_post(text: str, path: Path | str = "<string>") -> Post:
    """Parse a content file's text; ``path`` only names the file in errors.  Windows line
    ends are read as line ends."""
    text = text.replace("\r\n", "\n")
    header = parse_header(text, path, what="post file", keys=_POST_KEYS, error=PostFormatError)
    values = header.values
    if not values.get("Slug"):
        raise PostFormatError(path, 1, "the header has no `Slug:` (the post's archive id)")
    known = {k: values.pop(k, "") for k in FIELDS}
    return Post(
        id=known["Slug"].strip(),
        title=known["Title"],
        date=known["Date"],
        source=known["Source"],
        source_category=known["Source_category"],
        tags=[t.strip() for t in known["Tags"].split(",") if t.strip()],
        author=known["Author"],
        summary=known["Summary"],
        topic=known["Topic"],
        completeness=known["Completeness"],
        content_hash=known["Content_hash"],
        fetched=known["Fetched"],
        body=text[header.body_start :],
        extra=values,
    )


def read_post(path: Path) -> Post:
    return parse_post(read_text(path, PostFormatError), path)


def write_post(path: Path, post: Post) -> bool:
    """Write ``post`` atomically; False when the file already holds exactly this."""
    return atomic_write_text(Path(path), post.render())


def iter_post_files(content: Path) -> list[Path]:
    """Every post file under ``content`` (mirrored posts and samples), sorted by path."""
    return content_files(content, POST_DIRS)


def is_sample(path: Path | str) -> bool:
    """A demonstration post of content/samples/ (ids 9xxxx), not a mirrored one."""
    return Path(path).parent.name == "samples"


def samples_shown(content: Path, setting: bool | str = "auto") -> bool:
    """Whether the site shows the sample posts: ``"auto"`` (the default) only while
    content/ holds no real post; True or False to decide."""
    if setting != "auto":
        return bool(setting)
    return not any(not is_sample(p) for p in iter_post_files(content))


def shown_post_files(content: Path, setting: bool | str = "auto") -> list[Path]:
    """The post files the site builds pages for, as far as the folder says: samples only
    while :func:`samples_shown` (a post's own Status is the caller's to read)."""
    samples = samples_shown(content, setting)
    return [p for p in iter_post_files(content) if samples or not is_sample(p)]


def check_post_headers(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: each post's Slug is its file name.  A file that does not parse is
    the content-files check's (kexue.site.authored), reported there once."""
    for path in iter_post_files(ctx.content):
        try:
            post = read_post(path)
        except PostFormatError:
            continue
        if post.id != path.stem:
            yield Problem(str(path), 0, f"Slug {post.id!r} differs from the file name {path.stem}")
