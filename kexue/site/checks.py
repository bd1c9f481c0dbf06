"""`invoke check`: the registry of the site's checks.

Every check is ``check_x(ctx: CheckContext) -> Iterator[Problem]`` (kexue/core/problems.py),
defined beside the code it checks; each area adds its check to CHECKS (one line here), so
`invoke check` and `invoke publish` run them all.  A check marks a finding that must not
block publishing as a notice (``Problem.notice``); NOTICES are checks whose findings are
all notices.  :func:`check_site` sorts everything into problems, problems a person
accepted in data/accepted.toml (kexue/site/accepted.py) and notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from kexue.core.header import HeaderError
from kexue.core.posts import check_post_headers
from kexue.core.problems import Check, CheckContext, Problem
from kexue.crawl.convert import check_crawled_posts
from kexue.figures.directive import check_figure_directives
from kexue.legacy.images import remote_images
from kexue.math.checks import check_math_pages
from kexue.notes.checks import check_notes, notice_note_tags, notice_unsourced
from kexue.search.index import check_search_index
from kexue.site.accepted import Acceptance, Sorted, acceptance_entry, sort_problems
from kexue.site.authored import check_content_files
from kexue.site.sanitize import check_authored_html
from kexue.steps.run import notice_step_funnel
from kexue.topics import check_topics

__all__ = [
    "CHECKS",
    "CheckContext",
    "Problem",
    "check_site",
    "report_lines",
    "run_checks",
    "run_notices",
]

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
            notice=True,
        )


#: Reported by `invoke check` without failing it (nothing is broken; work to do).
NOTICES: list[tuple[str, Check]] = [
    ("images not mirrored", notice_remote_images),
    ("note tags the post shows too", notice_note_tags),
    ("note material not in the post", notice_unsourced),
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


def check_site(
    ctx: CheckContext, acceptances: list[Acceptance], only: Iterable[str] = ()
) -> tuple[list[tuple[str, Sorted]], Sorted]:
    """Every check and notice, each check's findings sorted into problems (which block
    publishing), accepted problems (data/accepted.toml) and notices; returns them per
    check and in total (with the acceptances nothing matched any more)."""
    notices = [(n, [replace(p, notice=True) for p in found]) for n, found in run_notices(ctx)]
    per_check = [
        (name, sort_problems(found, acceptances, ctx.content))
        for name, found in [*run_checks(ctx, only), *notices]
    ]
    total = Sorted([], [], [], [])
    for _, s in per_check:
        total.problems += s.problems
        total.accepted += s.accepted
        total.notices += s.notices
    used = {id(a) for _, a in total.accepted}
    total.stale = [a for a in acceptances if id(a) not in used]
    return per_check, total


def report_lines(
    per_check: list[tuple[str, Sorted]], total: Sorted, accepted_path: Path, content: Path
) -> Iterator[tuple[str, bool]]:
    """What `invoke check` prints: (line, is a headline)."""
    for name, found in per_check:
        yield from ((str(p), False) for p in found.problems)
        yield from ((f"notice: {p}", False) for p in found.notices)
        counts = [f"{len(found.problems)} problem(s)"] if found.problems else ["ok"]
        counts += [f"{len(found.accepted)} accepted"] if found.accepted else []
        counts += [f"{len(found.notices)} notice(s)"] if found.notices else []
        yield f"check {name}: {', '.join(counts)}", True
    if total.accepted:
        yield f"accepted problems ({len(total.accepted)}, {accepted_path}):", True
        for problem, why in total.accepted:
            yield f"accepted: {problem}\n    reason: {why.reason}", False
    if total.stale:
        yield "acceptances that match nothing now (text changed or fixed; remove them):", True
        yield from ((f"stale: {accepted_path}: {a}", False) for a in total.stale)
    if total.problems:
        yield f"to accept a problem, add its entry to {accepted_path} with a reason:", True
        entries = dict.fromkeys(acceptance_entry(p, content) for p in total.problems)
        yield from ((entry, False) for entry in entries)  # one per text, however many checks
