"""The one boundary with Pelican's internals: every private attribute of Pelican's objects
and every memo of Pelican's that kexue reads, writes or clears is touched here and nowhere
else (ruff's SLF001 is waived for this module only), and the refusals every build runs.

- a content object's HTML (``_content``): :func:`page_html`, :func:`set_page_html`;
- Pelican's per-run memos: :func:`forget_rendered` (the HTML of some contents),
  :func:`reset_between_runs` (all of it, and the warnings shown once per process);
- where kexue keeps its caches of a run: :func:`cache_folder` (CACHE_PATH when the content
  cache is on), :func:`derived_folder` (kexue.core.memo's entries in it);
- the refusals, run inside Pelican (``get_generators``: before anything is written or
  deleted; ``finalized``: after the pages are written), so `invoke build`, `invoke serve`,
  a bare ``pelican`` and the tests' builds refuse bad input and guard the output folder
  alike: :func:`refuse_bad_input`, :func:`refuse_dropped_posts` (plugins/kexue_output
  connects them).  A refusal is a :class:`~kexue.core.errors.BuildRefusedError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pelican.contents import Content
from pelican.log import LimitFilter

from kexue.core.errors import BuildRefusedError
from kexue.core.paths import DATA, NODE_MODULES
from kexue.site.authored import build_problems, unbuilt_posts
from kexue.site.outputs import output_problem


def page_html(content) -> str:
    """The HTML Pelican read for an article or page, before any plugin of the write phase."""
    return content._content or ""


def set_page_html(content, html: str) -> None:
    content._content = html


def forget_rendered(contents: Iterable[Content]) -> None:
    """Drop what Pelican memoized of these contents' HTML (one pass over its memo), after
    their HTML changed."""
    cache = Content.get_content.cache  # pelican.utils.memoized, keyed on (self, siteurl)
    ids = {id(c) for c in contents}
    for key in [k for k in cache if k and id(k[0]) in ids]:
        del cache[key]


def reset_between_runs() -> None:
    """Before another run in the same process (`invoke serve`): Pelican shows a warning once
    per process, and memoizes each content object's HTML for one run (the objects of the last
    run are not used again, and would be kept alive, and scanned, forever)."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    Content.get_content.cache.clear()
    Content.get_summary.cache.clear()


def cache_folder(settings) -> Path | None:
    """CACHE_PATH when Pelican's content cache is on (read and written), else None."""
    if settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE"):
        return Path(settings["CACHE_PATH"])
    return None


def derived_folder(settings) -> Path | None:
    """Where kexue.core.memo keeps its entries: CACHE_PATH/derived, or None (no file)."""
    folder = cache_folder(settings)
    return folder / "derived" if folder else None


def refuse_bad_input(pelican) -> None:
    """Before Pelican reads or deletes anything: an output folder that is not a build's
    (kexue.site.outputs), and one message per bad content or data file (kexue.site.authored)."""
    refused = output_problem(Path(pelican.output_path))
    if refused:
        raise BuildRefusedError([], refused)
    node_modules = Path(pelican.settings.get("NODE_MODULES") or NODE_MODULES)
    problems = [str(p) for p in build_problems(Path(pelican.path), DATA, node_modules)]
    if problems:
        raise BuildRefusedError(problems, f"{len(problems)} problem(s) above; nothing was built")


def refuse_dropped_posts(pelican) -> None:
    """After the pages are written: a post Pelican could not read (it logs an error and goes
    on) is an error, never a page silently missing."""
    save_as = pelican.settings.get("ARTICLE_SAVE_AS") or "archives/{slug}/index.html"
    found = unbuilt_posts(Path(pelican.path), Path(pelican.output_path), save_as)
    problems = [str(p) for p in found]
    if problems:
        raise BuildRefusedError(problems, f"{len(problems)} post(s) were not built (above)")
