"""Every setting a kexue plugin reads, in one table: its default (written only here) and the
types it may have.  A feature's settings are one dict in pelicanconf.py (``KEXUE_THEME =
{...}``), merged over its defaults; the other plugin settings are single values.  An unknown
key or a value of the wrong type is reported by name (a logged error) and the default used.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kexue.core.paths import NODE_MODULES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    default: object
    types: tuple[type, ...]
    help: str


_PATH = (str, Path)
_OPTIONAL_PATH = (str, Path, type(None))

#: {name: {key: Setting}}: the dicts of feature plugins.
FEATURES: dict[str, dict[str, Setting]] = {
    "KEXUE_THEME": {
        "toc_depth": Setting(2, (int,), "heading levels in a page's contents"),
        "related": Setting(5, (int,), "related posts under a post"),
    },
    "KEXUE_DERIVATIONS": {
        "path": Setting("derivations", (str,), "the notes' folder, under PATH"),
        "unpublished": Setting(False, (bool,), "attach stubs and drafts, marked (development)"),
    },
    "KEXUE_TAGS": {
        "min_posts": Setting(2, (int,), "a tag is shown when at least this many posts carry it"),
    },
    "KEXUE_SEARCH": {
        "cache": Setting(
            ".cache/search",
            (str, type(None)),
            "index bundles kept by input digest (relative to the repository); None: none",
        ),
    },
}

#: {name: Setting}: single-valued plugin settings.
VALUES: dict[str, Setting] = {
    "MATH_PRERENDER": Setting(True, (bool,), "typeset formulas at build time"),
    "MATH_CACHE_PATH": Setting(None, _OPTIONAL_PATH, "typeset formulas' cache (CACHE_PATH/…)"),
    "TOPICS_TAXONOMY": Setting(None, _OPTIONAL_PATH, "the taxonomy (data/topics.toml)"),
    "TOPICS_LEGACY_OVERRIDES": Setting(False, (bool,), "apply the earlier mirror's topics"),
    "KEXUE_SAMPLES": Setting("auto", (str, bool), '"auto": samples only while no real post'),
    "NODE_MODULES": Setting(str(NODE_MODULES), _PATH, "the npm packages' folder"),
}


def _checked(where: str, value, setting: Setting):
    # bool is an int: a toc_depth of True is a mistake, not 1
    wrong = isinstance(value, bool) and bool not in setting.types
    if wrong or not isinstance(value, setting.types):
        kinds = " or ".join("None" if t is type(None) else t.__name__ for t in setting.types)
        logger.error(
            "%s: %r is not %s (%s); using %r", where, value, kinds, setting.help, setting.default
        )
        return setting.default
    return value


def feature_settings(settings: Mapping, name: str) -> dict:
    """``settings[name]`` over the defaults of FEATURES[name]; each unknown key and each
    value of the wrong type is logged as an error."""
    known = FEATURES[name]
    given = settings.get(name) or {}
    for key in sorted(set(given) - set(known)):
        logger.error("%s: unknown key %r (known: %s)", name, key, ", ".join(known))
    return {
        key: _checked(f"{name}[{key!r}]", given[key], s) if key in given else s.default
        for key, s in known.items()
    }


def plugin_setting(settings: Mapping, name: str):
    """``settings[name]``, or its default from VALUES when absent or None."""
    setting = VALUES[name]
    value = settings.get(name)
    return setting.default if value is None else _checked(name, value, setting)
