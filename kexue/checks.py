"""`invoke check`: the site's checks, each reporting problems as ``file:line: message``.

A check is a function ``check(ctx: CheckContext) -> Iterable[Problem]``.  Each area adds
its checks to CHECKS (one line here), so `invoke check` and `invoke publish` run them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kexue.figures import check_figure_directives
from kexue.mathcheck import check_math_pages
from kexue.search import check_search_index


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class CheckContext:
    root: Path  # the project folder
    content: Path  # content/
    output: Path  # a built site (output/), for checks that read pages


Check = Callable[[CheckContext], Iterable[Problem]]


def check_post_headers(ctx: CheckContext) -> Iterable[Problem]:
    """Every post file parses, and its Slug is its file name."""
    from kexue.posts import PostFormatError, iter_post_files, read_post

    for path in iter_post_files(ctx.content):
        try:
            post = read_post(path)
        except PostFormatError as e:
            yield Problem(str(path), 0, str(e))
            continue
        if post.id != path.stem:
            yield Problem(str(path), 0, f"Slug {post.id!r} differs from the file name {path.stem}")


def check_topics(ctx: CheckContext) -> Iterable[Problem]:
    """The taxonomy loads, and every post's `Topic:` names a topic of it."""
    from kexue.topics import check_topic_headers

    yield from check_topic_headers(ctx.content)


def check_crawled(ctx: CheckContext) -> Iterable[Problem]:
    """Crawled posts hold no conversion leftovers, and their local images exist."""
    from kexue.convert import check_crawled_posts

    yield from check_crawled_posts(ctx)


def check_derivation_notes(ctx: CheckContext) -> Iterable[Problem]:
    """Derivation notes: post exists, anchors resolve, no auto-numbering, formulas parse."""
    from kexue.derivations import check_notes

    return check_notes(ctx.content)


CHECKS: list[tuple[str, Check]] = [
    ("post headers", check_post_headers),
    ("topics", check_topics),
    ("figure directives", check_figure_directives),
    ("crawled posts", check_crawled),
    ("derivation notes", check_derivation_notes),
    ("search index", check_search_index),
    ("math on built pages", check_math_pages),
]


def notice_remote_images(ctx: CheckContext) -> Iterable[Problem]:
    """Posts whose images are still the source's (`invoke crawl --images` mirrors them)."""
    from kexue.images import remote_images

    by_post: dict[Path, list[tuple[int, str]]] = {}
    for path, line, url in remote_images(ctx.content):
        by_post.setdefault(path, []).append((line, url))
    for path, refs in by_post.items():
        yield Problem(
            str(path),
            refs[0][0],
            f"{len(refs)} image(s) linked to the source, not local (first {refs[0][1]}); "
            f"`invoke crawl --images --ids {path.stem}` mirrors them",
        )


#: Reported by `invoke check` without failing it (nothing is broken; work to do).
NOTICES: list[tuple[str, Check]] = [("images not mirrored", notice_remote_images)]


def run_checks(ctx: CheckContext, only: Iterable[str] = ()) -> list[tuple[str, list[Problem]]]:
    """Run every check (or those named in ``only``); return (name, problems) per check."""
    wanted = set(only)
    return [(name, list(check(ctx))) for name, check in CHECKS if not wanted or name in wanted]
