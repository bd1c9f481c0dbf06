"""Images mirrored from a source serving PNG bytes under .jpg names and clean and hostile
SVGs (tests/fixtures/source_site.py): in Chromium, neither the post nor any mirrored SVG
opened on its own fires a dialog, and each image the post shows is loaded (none broken);
the same listener catches a hostile SVG when one is served."""

from __future__ import annotations

from pathlib import Path

from kexue.site.serve import ServedSite
from tests.conftest import build_site
from tests.fixtures.live_markup import live_svg
from tests.fixtures.source_site import HOSTILE_SVGS
from tests.site.test_legacy_images import mirror_mixed


def test_mirrored_images_show_and_nothing_runs(browser, tmp_path: Path):
    content, report = mirror_mixed(tmp_path)
    out = tmp_path / "output"
    build_site(content, out)
    svgs = sorted(p.name for p in (out / "images" / "7001").glob("*.svg"))
    assert svgs == ["inkscape.svg", "plot.svg"]
    dialogs: list[str] = []
    with ServedSite(out) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        page.goto(f"{site.url}/archives/7001/", wait_until="load")
        page.wait_for_timeout(300)
        shown = page.eval_on_selector_all(
            "article img[src*='/images/7001/']",
            "els => els.map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])",
        )
        for name in svgs:
            assert page.goto(f"{site.url}/images/7001/{name}").status == 200
            page.wait_for_timeout(100)
        page.close()
    assert dialogs == []
    assert len(shown) == 4 and all(ok for _, ok in shown), shown  # photo, chart, 2 SVGs


def test_the_listener_and_the_scan_catch_a_hostile_svg(browser, tmp_path: Path):
    """The two detectors above can fail: a hostile SVG served as a file fires a dialog,
    and the scan names it."""
    svg = HOSTILE_SVGS["onload.svg"][0].encode()
    (tmp_path / "evil.svg").write_bytes(svg)
    assert live_svg(svg, "evil.svg")
    dialogs: list[str] = []
    with ServedSite(tmp_path) as site:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{site.url}/evil.svg", wait_until="load")
        page.wait_for_timeout(200)
        page.close()
    assert dialogs == ["1"]
