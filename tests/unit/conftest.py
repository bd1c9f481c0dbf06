"""The unit tier's guard: no subprocess, no Pelican.  (The sample content folder, writing a
note and running the tasks are tests/conftest.py's, shared with the site tier.)"""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import SAMPLES, content, run_tasks, write_note  # noqa: F401 (re-exported)


class TierError(AssertionError):
    """A unit test reached for a subprocess or Pelican."""


# Fixtures that build a site or start Chromium (tests/conftest.py): not for the unit tier.
SITE_FIXTURES = {"sample_site", "served_sample_site", "browser", "chromium"}


@pytest.fixture(autouse=True)
def _unit_tier(request, monkeypatch):
    """The unit tier starts no subprocess (Node, git, invoke, Chromium) and runs no Pelican:
    a test that needs them belongs in tests/site (or tests/browser when it drives Chromium).
    The attempt raises, and fails the test even when the code under test catches it."""
    tried: list[str] = []
    if SITE_FIXTURES & set(request.fixturenames):
        pytest.fail("a unit test uses a built site or Chromium: move it to tests/site")

    def refuse(what: str):
        def refused(*args, **kwargs):
            tried.append(what)
            raise TierError(f"a unit test {what}: move it to tests/site")

        return refused

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("started a subprocess"))
    try:
        import pelican  # noqa: PLC0415 (only to guard it; the unit tier never runs it)
    except ImportError:
        pelican = None
    if pelican is not None:
        monkeypatch.setattr(pelican.Pelican, "run", refuse("ran Pelican"))
    yield
    if tried:
        pytest.fail(f"{tried[0]}: the unit tier runs no subprocess and no Pelican (tests/site)")
