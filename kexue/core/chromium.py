"""Debian's headless Chromium, driven by Playwright (no browser download).

Shared by the browser tests (tests/conftest.py), `invoke screenshots` and
`invoke crawl --via browser`.
"""

from __future__ import annotations

import os
import shutil

from kexue.core.errors import ToolError

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


class ChromiumMissingError(ToolError):
    """No headless Chromium found; the message says where to put one."""


def chromium_path() -> str | None:
    """KEXUE_CHROMIUM, else `chromium` on PATH, else None."""
    return os.environ.get("KEXUE_CHROMIUM") or shutil.which("chromium")


def launch(playwright):
    """A headless Chromium browser (Playwright's Browser) from Debian's package."""
    exe = chromium_path()
    if exe is None:
        raise ChromiumMissingError(
            "chromium is not installed: `apt-get install chromium` (./run test does it), "
            "or point KEXUE_CHROMIUM at a Chromium binary"
        )
    return playwright.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
