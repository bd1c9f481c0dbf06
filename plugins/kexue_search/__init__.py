"""Pelican adapter: the search index of the built site, on Pelican's ``finalized`` signal.

After every build (`invoke build`, `invoke serve`, `invoke publish`, the tests' builds)
kexue.search.index.build_site_search indexes the post pages of the output folder with Pagefind
(output/pagefind/, output/search/posts.json) and writes the contract module the search page
imports (output/<THEME_STATIC_DIR>/search/contract.js).  A bad page stops the build with
a message naming it.

Settings: ``KEXUE_SEARCH = {"cache": ".cache/search"}``: where index bundles are kept by
input digest (relative to the repository), so an unchanged site, even rebuilt into an
emptied output folder, gets the same bytes; ``None`` keeps none.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from kexue.core.errors import BuildRefusedError
from kexue.core.paths import ROOT
from kexue.search.index import SearchIndexError, build_site_search
from kexue.site.plugin_settings import feature_settings

logger = logging.getLogger(__name__)


def _settings(settings) -> dict:
    return feature_settings(settings, "KEXUE_SEARCH")


def index_site(pelican):
    settings = _settings(pelican.settings)
    cache = ROOT / settings["cache"] if settings["cache"] else None
    output = Path(pelican.output_path)
    static = output / pelican.settings.get("THEME_STATIC_DIR", "theme")
    try:
        build_site_search(output, static, cache)
    except SearchIndexError as e:
        # The message names the page and what to do; a traceback would bury it.
        raise BuildRefusedError([], f"search index: {e}") from e


def register():
    signals.finalized.connect(index_site)
