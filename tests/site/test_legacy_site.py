"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

import time
from pathlib import Path

import tests.unit.test_legacy as unit_tier
from kexue.core.posts import read_post
from tests.conftest import ROOT, build_site

# fixtures of the unit module these tests came from
imported = unit_tier.imported


def test_real_corpus_builds_with_pelican(imported, tmp_path: Path):
    content, report = imported
    (content / "pages").mkdir(exist_ok=True)
    (content / "pages" / "about.md").write_bytes((ROOT / "content/pages/about.md").read_bytes())
    out = tmp_path / "output"
    t0 = time.monotonic()
    build_site(content, out)
    print(f"built the imported corpus in {time.monotonic() - t0:.1f} s")
    built = {p.parent.name for p in (out / "archives").glob("*/index.html")}
    posts = {p.stem: read_post(p) for p in (content / "posts").glob("*.md")}
    drafts = {i for i, p in posts.items() if p.extra.get("Status") == "draft"}
    # A post without its text is not published (no empty page), and none other is a draft.
    assert drafts == set(report.unpublished) and len(drafts) == 32
    assert all(not posts[i].body.strip() and posts[i].completeness == "excerpt" for i in drafts)
    assert built >= set(posts) - drafts and not built & drafts
    assert not list(out.rglob("drafts/*"))
    html = (out / "archives" / "11307" / "index.html").read_text(encoding="utf-8")
    # a display, typeset at build time (class "math display mjx-server") or left to the browser
    assert 'class="math display' in html
