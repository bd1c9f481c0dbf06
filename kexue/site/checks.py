"""`invoke check`: the registry of the site's checks.

Every check is ``check_x(ctx: CheckContext) -> Iterator[Problem]`` (kexue/core/problems.py),
defined beside the code it checks; each area adds its check to CHECKS (one line here), so
`invoke check` and `invoke publish` run them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kexue.core.header import HeaderError
from kexue.core.posts import check_post_headers
from kexue.core.problems import Check, CheckContext, Problem
from kexue.crawl.convert import check_crawled_posts
from kexue.figures.directive import check_figure_directives
from kexue.legacy.images import remote_images
from kexue.math.checks import check_math_pages
from kexue.notes import check_notes
from kexue.search.index import check_search_index
from kexue.site.authored import check_content_files
from kexue.site.sanitize import check_authored_html
from kexue.steps.run import notice_step_funnel
from kexue.topics import check_topics

__all__ = ["CHECKS", "CheckContext", "Problem", "run_checks", "run_notices"]

CHECKS: list[tuple[str, Check]] = [
    ("content files", check_content_files),
    ("post headers", check_post_headers),
    ("HTML allowlist", check_authored_html),
    ("topics", check_topics),
    ("figure directives", check_figure_directives),
    ("crawled posts", check_crawled_posts),
    ("derivation notes", check_notes),
    ("search index", check_search_index),
    ("math on built pages", check_math_pages),
]


def notice_remote_images(ctx: CheckContext) -> Iterable[Problem]:
    """Posts whose images are still the source's (`invoke crawl --images` mirrors them)."""
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
NOTICES: list[tuple[str, Check]] = [
    ("images not mirrored", notice_remote_images),
    ("derivation steps checked numerically", notice_step_funnel),
]


def _run(name: str, check: Check, ctx: CheckContext) -> list[Problem]:
    problems = []
    try:
        problems.extend(check(ctx))
    except HeaderError as e:  # a post or note whose header does not parse
        problems.append(Problem(e.path, e.line, f"{e.message} (the {name} check stopped here)"))
    return problems


def run_checks(ctx: CheckContext, only: Iterable[str] = ()) -> list[tuple[str, list[Problem]]]:
    """Run every check (or those named in ``only``); return (name, problems) per check.
    A file that stops a check is one of its problems, and the other checks still run."""
    wanted = set(only)
    return [
        (name, _run(name, check, ctx)) for name, check in CHECKS if not wanted or name in wanted
    ]


def run_notices(ctx: CheckContext) -> list[tuple[str, list[Problem]]]:
    """The notices (work to do, not failures), as :func:`run_checks` runs the checks."""
    return [(name, _run(name, notice, ctx)) for name, notice in NOTICES]
