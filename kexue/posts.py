"""The Post model, and reading and writing content files (Pelican metadata + Markdown).

A content file is a block of ``Key: value`` header lines, a blank line, then the Markdown
body.  Keys are written in FIELDS order; empty fields are written empty (never invented).

    Title: 从谱范数梯度到新式权重衰减的思考
    Date: 2024-12-25
    Slug: 10648
    Source: https://spaces.ac.cn/archives/10648
    ...

The body is kept byte for byte.  Unknown header keys are preserved in ``extra``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kexue.fsutil import atomic_write_text

SOURCE_BASE = "https://spaces.ac.cn"
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
_HEADER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]?(.*)$")


class PostFormatError(ValueError):
    """A content file whose header cannot be read; the message names the file."""


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
        return self.source or f"{SOURCE_BASE}/archives/{self.id}"

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
    """Parse a content file's text; ``path`` only names the file in errors."""
    header, sep, body = text.partition("\n\n")
    if not sep:
        header, body = text, ""
    values: dict[str, str] = {}
    for lineno, line in enumerate(header.split("\n"), 1):
        m = _HEADER_RE.match(line)
        if not m:
            raise PostFormatError(f"{path}:{lineno}: not a `Key: value` header line: {line!r}")
        values[m.group(1).capitalize() if m.group(1).islower() else m.group(1)] = m.group(2)
    if not values.get("Slug"):
        raise PostFormatError(f"{path}: the header has no `Slug:` (the post's archive id)")
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
        body=body,
        extra=values,
    )


def read_post(path: Path) -> Post:
    return parse_post(Path(path).read_text(encoding="utf-8"), path)


def write_post(path: Path, post: Post) -> bool:
    """Write ``post`` atomically; False when the file already holds exactly this."""
    return atomic_write_text(Path(path), post.render())


def iter_post_files(content: Path) -> list[Path]:
    """Every post file under ``content`` (mirrored posts and samples), sorted by path."""
    files = []
    for sub in ("posts", "samples"):
        files.extend(sorted((Path(content) / sub).glob("*.md")))
    return files
