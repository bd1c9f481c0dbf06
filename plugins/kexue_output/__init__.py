"""Pelican adapter: before a build, refuse bad input and an output folder that is not a
build's, and remove a damaged content cache (a killed build's); after it, refuse a post
Pelican dropped, remove the pages and feeds it did not write (a deleted post's page), and
mark the folder as a build output (kexue.site.outputs, kexue.site.pelican)."""

import logging
from pathlib import Path

from blinker import signal
from pelican import signals

from kexue.site.cachekey import remove_damaged_caches, writable_cache_path
from kexue.site.outputs import mark, output_problem, prune_stale
from kexue.site.pelican import refuse_bad_input, refuse_dropped_posts

logger = logging.getLogger(__name__)
_written: set[str] = set()
_partial: list[bool] = []

#: Sent by a writer that leaves pages it did not need to render in place (kexue_incremental):
#: those pages are not stale, so this run prunes nothing.
PARTIAL_RUN = signal("kexue-partial-run")


def partial(sender=None):
    _partial.append(True)


def remember(path, context=None, feed=None):
    _written.add(str(path))


def start(pelican):
    _written.clear()
    _partial.clear()
    settings = pelican.settings
    settings["CACHE_PATH"], why = writable_cache_path(settings["CACHE_PATH"])
    if why:
        logger.warning(why)
    if settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE"):
        for path in remove_damaged_caches(settings["CACHE_PATH"], settings.get("GZIP_CACHE", True)):
            logger.warning(
                "Pelican's cache %s was damaged (a build interrupted while writing it?): "
                "removed; this build reads every file again and writes a new one",
                path,
            )


def before_run(pelican):
    """Every run (also a rebuild of `invoke serve`), before Pelican deletes or writes."""
    refuse_bad_input(pelican)
    # Marked before anything is written: a first build stopped half-way leaves a folder
    # later builds accept (and complete), not one they refuse.
    if output_problem(pelican.output_path) is None:
        Path(pelican.output_path).mkdir(parents=True, exist_ok=True)
        mark(pelican.output_path)


def finish(pelican):
    if not _partial:  # a deleted post makes a full run, which prunes its page
        for rel in prune_stale(pelican.output_path, _written):
            logger.info("removed %s: this build did not write it (its post is gone)", rel)
    mark(pelican.output_path)
    _written.clear()
    _partial.clear()
    refuse_dropped_posts(pelican)  # after the pruning: a page missing now was not written


def register():
    signals.initialized.connect(start)
    signals.get_generators.connect(before_run)
    signals.content_written.connect(remember)
    signals.feed_written.connect(remember)
    signals.finalized.connect(finish)
    PARTIAL_RUN.connect(partial)
