"""The output folder: what marks it as a build's, and pruning what a build did not write.

* A build writes :data:`MARKER` into its output folder.  `invoke build` and `invoke
  publish` refuse a folder that holds files but is not a previous build output
  (:func:`output_problem`): publishconf.py empties the output folder first, and a
  publish would push whatever is in it.
* After a build, every page and feed (``.html``, ``.xml``) that this build did not write
  is removed (:func:`prune_stale`): a deleted post's page disappears from the site, and
  then from search (the index is built from the pages).  Our own folders (theme/,
  vendor/, figures/, pagefind/, search/) are left to the steps that write them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kexue.core import layout

MARKER = ".kexue-build"
PRUNED_SUFFIXES = (".html", ".xml")
OWN_FOLDERS = layout.OWN_FOLDERS


def is_build_output(folder: Path) -> bool:
    """True for a folder a kexue-notes build wrote (its marker, or, for builds older than
    the marker, the theme's stylesheet next to an index page)."""
    folder = Path(folder)
    if (folder / MARKER).is_file():
        return True
    return (folder / "index.html").is_file() and (folder / layout.THEME_MAIN_CSS).is_file()


def output_problem(folder: Path) -> str | None:
    """Why a build or publish must not use ``folder``, or None when it may."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return f"--output {folder} is a file, not a folder; give a folder for the site"
    if not folder.is_dir() or not any(folder.iterdir()) or is_build_output(folder):
        return None
    return (
        f"--output {folder} holds files but is not a kexue-notes build output (no {MARKER}); "
        "a build empties or overwrites it and a publish pushes all of it: give a new or "
        "empty folder, or one an earlier `invoke build` wrote (a build stopped before "
        "it began writing can leave such a folder: `invoke clean` removes output/)"
    )


def mark(folder: Path) -> None:
    (Path(folder) / MARKER).write_text("kexue-notes build output\n", encoding="utf-8")


def prune_stale(output: Path, written: Iterable[Path]) -> list[Path]:
    """Remove the pages and feeds under ``output`` that are not in ``written``; return
    them (relative to ``output``).  Folders left empty are removed too."""
    output = Path(output).resolve()
    keep = {Path(p).resolve() for p in written}
    removed = []
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output)
        if rel.parts[0] in OWN_FOLDERS or path.suffix not in PRUNED_SUFFIXES:
            continue
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
            removed.append(rel)
            parent = path.parent
            while parent != output and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return removed
