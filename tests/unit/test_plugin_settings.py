"""A feature plugin's settings dict: defaults, overrides, unknown keys named."""

from __future__ import annotations

import logging

from kexue.site.plugin_settings import feature_settings


def test_given_keys_override_the_defaults_and_unknown_ones_are_reported(caplog):
    defaults = {"cache": ".cache/search", "other": 1}
    with caplog.at_level(logging.ERROR, logger="kexue.site.plugin_settings"):
        assert feature_settings({}, "KEXUE_SEARCH", defaults) == defaults
        got = feature_settings(
            {"KEXUE_SEARCH": {"cache": None, "cahce": "x"}}, "KEXUE_SEARCH", defaults
        )
    assert got == {"cache": None, "other": 1, "cahce": "x"}
    [record] = caplog.records
    assert record.getMessage() == "KEXUE_SEARCH: unknown key 'cahce' (known: cache, other)"
