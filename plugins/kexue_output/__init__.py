"""Pelican adapter: after a build, remove the pages and feeds it did not write (a deleted
post's page), and mark the folder as a build output (kexue.outputs)."""

import logging

from pelican import signals

from kexue.outputs import mark, prune_stale

logger = logging.getLogger(__name__)
_written: set[str] = set()


def remember(path, context=None, feed=None):
    _written.add(str(path))


def start(pelican):
    _written.clear()


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
