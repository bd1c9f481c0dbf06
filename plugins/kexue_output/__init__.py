"""Pelican adapter: before a build, remove a damaged content cache (a killed build's);
after it, remove the pages and feeds it did not write (a deleted post's page), and mark
the folder as a build output (kexue.outputs)."""

import logging

from pelican import signals

from kexue.cachekey import remove_damaged_caches
from kexue.outputs import mark, prune_stale

logger = logging.getLogger(__name__)
_written: set[str] = set()


def remember(path, context=None, feed=None):
    _written.add(str(path))


def start(pelican):
    _written.clear()
    settings = pelican.settings
    if settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE"):
        for path in remove_damaged_caches(settings["CACHE_PATH"], settings.get("GZIP_CACHE", True)):
            logger.warning(
                "Pelican's cache %s was damaged (a build interrupted while writing it?): "
                "removed; this build reads every file again and writes a new one",
                path,
            )


def finish(pelican):
    for rel in prune_stale(pelican.output_path, _written):
        logger.info("removed %s: this build did not write it (its post is gone)", rel)
    mark(pelican.output_path)
    _written.clear()


def register():
    signals.initialized.connect(start)
    signals.content_written.connect(remember)
    signals.feed_written.connect(remember)
    signals.finalized.connect(finish)
