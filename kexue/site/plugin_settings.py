"""The settings of a feature plugin: one dict in pelicanconf.py (``KEXUE_THEME = {...}``),
merged over the plugin's defaults, an unknown key reported by name."""

from __future__ import annotations

import logging
from collections.abc import Mapping

logger = logging.getLogger(__name__)


def feature_settings(settings: Mapping, name: str, defaults: dict) -> dict:
    """``settings[name]`` over ``defaults``; each unknown key is logged as an error."""
    given = settings.get(name) or {}
    for key in sorted(set(given) - set(defaults)):
        logger.error("%s: unknown key %r (known: %s)", name, key, ", ".join(defaults))
    return {**defaults, **given}
