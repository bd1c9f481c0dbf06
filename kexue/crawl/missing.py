"""Posts whose text the mirror does not have yet (`invoke crawl --missing`)."""

from __future__ import annotations

from pathlib import Path

from kexue.core.posts import iter_post_files, read_post


def missing_text(content: Path) -> list[str]:
    """Ids of the posts that hold only an excerpt (`Completeness: excerpt`), in id order:
    what `invoke crawl --missing` fetches."""
    ids = []
    for path in iter_post_files(Path(content)):
        if path.parent.name == "posts" and read_post(path).completeness == "excerpt":
            ids.append(path.stem)
    return sorted(ids, key=int)
