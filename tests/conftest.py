"""Shared fixtures: a built sample site, a local HTTP server, headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kexue.core.chromium import CHROMIUM_ARGS, chromium_path
from kexue.core.paths import ROOT
from kexue.site.serve import ServedSite
from tests.fixtures.source_site import SourceSite

LEGACY_DEFAULT = ROOT.parent / "shared" / "corpus" / "legacy"


def build_site(content: Path, output: Path, settings: str = "pelicanconf.py", **extra) -> None:
    """Build ``content`` into ``output`` with Pelican, as `invoke build` does (the search
    index included, by plugins/kexue_search), with caches beside ``output``.

    ``extra`` overrides settings (values are given to Pelican's ``-e`` as JSON).
    """
    cache = output.parent / (output.name + "-cache")
    search = {"cache": str(output.parent / (output.name + "-search-cache"))}
    cmd = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(ROOT / settings),
        "-o",
        str(output),
        "-e",
        f"CACHE_PATH={json.dumps(str(cache))}",
        f"KEXUE_SEARCH={json.dumps(search)}",
        *(f"{k}={json.dumps(v)}" for k, v in extra.items()),
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"pelican failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The repository's sample content (content/), built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "output"
    build_site(ROOT / "content", out)
    return out


@pytest.fixture(scope="session")
def legacy_corpus() -> Path:
    """The earlier mirror's files; tests that need them skip when they are absent."""
    path = Path(os.environ.get("KEXUE_LEGACY_CORPUS", LEGACY_DEFAULT))
    if not (path / "blogs_raw").is_dir():
        pytest.skip(f"legacy corpus not found at {path} (set KEXUE_LEGACY_CORPUS)")
    return path


# A test starts Chromium only through one of these fixtures (directly or through another
# fixture), so every such test gets the `browser` marker: `pytest -m "not browser"` runs
# the rest without a browser.  Likewise a test reads the real corpus only through
# `legacy_corpus`, and gets the `corpus` marker (`invoke test --fast` leaves those out).
CHROMIUM_FIXTURES = {"browser", "chromium"}
CORPUS_FIXTURES = {"legacy_corpus"}


def pytest_collection_modifyitems(items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if CHROMIUM_FIXTURES & used:
            item.add_marker(pytest.mark.browser)
        if CORPUS_FIXTURES & used:
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium executable, for tests whose code under test starts it itself."""
    exe = chromium_path()
    if exe is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (./run test does it)")
    return exe


@pytest.fixture(scope="session")
def browser(tmp_path_factory, chromium):
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    exe = chromium
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for browser tests)

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=exe, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


@pytest.fixture(scope="session")
def served_sample_site(sample_site):
    with ServedSite(sample_site) as site:
        yield site


@pytest.fixture
def source_site():
    """The fixture copy of the source site (tests/fixtures/source_site.py) on 127.0.0.1."""
    with SourceSite() as site:
        yield site


# -- the sample content, for the tests of notes, the ledger and the tasks -----------------

SAMPLES = ROOT / "content" / "samples"


def write_note(content: Path, name: str, text: str) -> Path:
    path = content / "derivations" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def content(tmp_path) -> Path:
    """A content folder holding the sample posts and no notes."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLES, root / "samples")
    return root


def run_tasks(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run this repository's tasks in ``tmp_path`` (content/ there is the default)."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def serve_post_with_note(tmp_path_factory, name: str, post: str, note: str):
    """Build a site of one sample post (91201) with its note and the site's pages, and
    serve it (a generator for a module fixture: yields the ServedSite)."""
    root = tmp_path_factory.mktemp(name)
    content = root / "content"
    (content / "samples").mkdir(parents=True)
    (content / "derivations").mkdir()
    (content / "samples" / "91201.md").write_text(post, encoding="utf-8")
    (content / "derivations" / "91201.md").write_text(note, encoding="utf-8")
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    build_site(content, root / "output")
    with ServedSite(root / "output") as site:
        yield site


@pytest.fixture
def desktop_page(browser):
    """A fresh page of the session's Chromium at 1280×800."""
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    yield page
    page.close()
