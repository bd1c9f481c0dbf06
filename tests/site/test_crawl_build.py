"""`invoke crawl --all` from the fixture source site, then a build: exact TeX on every page."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.conftest import build_site
from tests.fixtures.crawling import run_invoke
from tests.fixtures.source_site import EXPECTED_TEX, FAILING, MATH_POSTS


def test_crawl_all_then_build_gives_a_page_per_math_post_with_exact_tex(tmp_path, source_site):
    content = tmp_path / "content"
    proc = run_invoke(
        "crawl",
        "--all",
        "--source",
        source_site.url,
        "--delay",
        "0",
        "--backoff",
        "0.05",
        "--retries",
        "1",
        "--content",
        str(content),
        "--cache",
        str(tmp_path / "cache"),
        "--ledger",
        str(tmp_path / "blog_list.txt"),
    )
    out, _ = proc.communicate(timeout=120)
    assert f"new: {len(MATH_POSTS)}, updated: 0, unchanged: 0, skipped: 1" in out, out
    output = tmp_path / "output"
    build_site(content, output)
    for pid in MATH_POSTS:
        html = (output / "archives" / pid / "index.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "lxml")
        # A formula typeset at build time keeps its TeX in data-tex.
        tex = [el.get("data-tex", el.get_text()) for el in soup.select(".math")]
        assert tex == EXPECTED_TEX[pid], pid
        # what the source's body held, not the theme's own style rules (a display's phone
        # form is hidden by the page's container queries)
        lowered = str(soup.select_one(".post-body") or soup.body).lower()
        for bad in ("alert(", "onclick", "javascript:", "<iframe", "<form", "display:none"):
            assert bad not in lowered, (pid, bad)
    assert not (output / "archives" / "7003").exists()
    for pid in FAILING:
        assert not (output / "archives" / pid).exists()
    page = (output / "archives" / "7001" / "index.html").read_text(encoding="utf-8")
    assert (output / "images" / "7001" / "3021.png").is_file()
    assert 'src="../../images/7001/3021.png"' in page
    assert 'href="../../archives/7002/"' in page
