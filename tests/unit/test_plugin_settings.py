"""The plugins' settings (kexue/site/plugin_settings.py): defaults written once, given keys
over them, an unknown key or a value of the wrong type named and the default used."""

from __future__ import annotations

import logging

from kexue.site.plugin_settings import FEATURES, feature_settings, plugin_setting


def test_given_keys_override_the_defaults_and_unknown_ones_are_reported(caplog):
    defaults = {key: s.default for key, s in FEATURES["KEXUE_SEARCH"].items()}
    with caplog.at_level(logging.ERROR, logger="kexue.site.plugin_settings"):
        assert feature_settings({}, "KEXUE_SEARCH") == defaults
        got = feature_settings({"KEXUE_SEARCH": {"cache": None, "cahce": "x"}}, "KEXUE_SEARCH")
    assert got == {"cache": None}
    [record] = caplog.records
    assert record.getMessage() == "KEXUE_SEARCH: unknown key 'cahce' (known: cache)"


def test_a_value_of_the_wrong_type_is_named_and_the_default_used(caplog):
    with caplog.at_level(logging.ERROR, logger="kexue.site.plugin_settings"):
        got = feature_settings({"KEXUE_THEME": {"toc_depth": "3", "related": 2}}, "KEXUE_THEME")
        assert plugin_setting({"MATH_PRERENDER": "no"}, "MATH_PRERENDER") is True
    assert got == {"toc_depth": 2, "related": 2}
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("KEXUE_THEME['toc_depth']: '3' is not int (")
    assert messages[1].startswith("MATH_PRERENDER: 'no' is not bool (")


def test_an_absent_single_value_is_its_default():
    assert plugin_setting({}, "TOPICS_LEGACY_OVERRIDES") is False
    assert plugin_setting({"TOPICS_LEGACY_OVERRIDES": True}, "TOPICS_LEGACY_OVERRIDES") is True
