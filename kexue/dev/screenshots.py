"""PNG screenshots of a built site in both colour schemes at desktop and phone widths.

For looking at the theme (`invoke screenshots`): each page is opened in headless Chromium
with the OS colour scheme emulated (the theme follows it until a reader chooses), after
MathJax has typeset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from playwright.sync_api import sync_playwright

from kexue.core.chromium import launch
from kexue.site.serve import ServedSite

logger = logging.getLogger(__name__)

WIDTHS = {"desktop": (1280, 900), "phone": (360, 740)}
THEMES = ("light", "dark")
WAIT_FOR_MATH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
}"""


def shot_name(page: str, theme: str, width: str) -> str:
    """``archives/90001/`` → ``archives-90001-dark-phone.png``; ``""`` → ``index-…``."""
    stem = page.strip("/").replace("/", "-") or "index"
    return f"{stem}-{theme}-{width}.png"


def take_screenshots(
    site: Path, out: Path, pages: Iterable[str], full_page: bool = True
) -> list[Path]:
    """Screenshot each page of the built ``site`` into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with ServedSite(site) as served, sync_playwright() as p:
        browser = launch(p)
        try:
            for width, (w, h) in WIDTHS.items():
                for theme in THEMES:
                    context = browser.new_context(
                        viewport={"width": w, "height": h}, color_scheme=theme
                    )
                    page = context.new_page()
                    for path in pages:
                        page.goto(f"{served.url}/{path.lstrip('/')}", wait_until="load")
                        page.evaluate(WAIT_FOR_MATH)
                        target = out / shot_name(path, theme, width)
                        page.screenshot(path=str(target), full_page=full_page)
                        logger.info("screenshot %s", target)
                        written.append(target)
                    context.close()
        finally:
            browser.close()
    return written
