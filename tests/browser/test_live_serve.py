"""`invoke serve` on a copy of the samples: an edited note shows in the open page (live
reload, no manual rebuild), a broken note is named as file:line on the page, and a
missing address gets the styled 404 page."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.dev.bench_build import (
    CONNECTED,
    SITE_SETTINGS,
    _count,
    _free_port,
    _wait,
    _wait_for_http,
)

NOTE = "90001"


@pytest.fixture
def live_site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts"))
    settings = tmp_path / "liveconf.py"
    settings.write_text(SITE_SETTINGS.format(root=str(ROOT), cache=str(tmp_path / "cache")))
    port = _free_port()
    log = tmp_path / "serve.log"
    cmd = [sys.executable, "-m", "invoke", "serve", "--settings", str(settings), "--port"]
    cmd += [str(port), "--content", str(content), "--output", str(tmp_path / "output")]
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_http(f"http://127.0.0.1:{port}/archives/{NOTE}/", server, timeout=300)
            yield content, f"http://127.0.0.1:{port}", log
        finally:
            server.terminate()
            server.wait(timeout=30)


def _connected(log: Path, n: int) -> None:
    _wait(lambda: _count(log, CONNECTED) >= n, 60)


def test_edited_note_reloads_the_open_page(live_site, browser):
    content, base, log = live_site
    page = browser.new_page()
    page.goto(f"{base}/archives/{NOTE}/")
    _connected(log, 1)
    assert "LIVE-EDIT-MARK" not in page.content()
    page.evaluate("window.kexueBeforeReload = true")
    note = content / "derivations" / f"{NOTE}.md"
    note.write_text(note.read_text("utf-8") + "\n\nLIVE-EDIT-MARK 推导已更新\n", "utf-8")
    page.wait_for_function(
        "() => document.documentElement.textContent.includes('LIVE-EDIT-MARK')", timeout=60000
    )
    assert page.evaluate("window.kexueBeforeReload === undefined"), "the page was reloaded"
    assert page.locator("#kexue-build-problems").count() == 0

    # A broken note: the terminal and the page name the file and line; fixing it clears both.
    _connected(log, 2)
    good = note.read_text("utf-8")
    note.write_text("这不是表头\n\n" + good, "utf-8")
    banner = page.locator("#kexue-build-problems")
    banner.wait_for(timeout=60000)
    text = banner.text_content()
    assert f"derivations/{NOTE}.md:1:" in text, text
    assert f"derivations/{NOTE}.md:1:" in log.read_text("utf-8")
    _connected(log, 3)
    note.write_text(good, "utf-8")
    page.wait_for_function("() => !document.getElementById('kexue-build-problems')", timeout=60000)
    time.sleep(0.2)
    assert "LIVE-EDIT-MARK" in page.content()

    # A missing address at any depth gets the site's 404 page, styled (links from the root).
    response = page.goto(f"{base}/no/such/deep/address/")
    assert response.status == 404
    colour = page.locator(".not-found-code").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(38, 152, 186)"  # main.css was found
