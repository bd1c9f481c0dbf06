"""Stub and draft notes: left out of the production build (publishconf.py), shown and
marked by the development build (pelicanconf.py), never badged or counted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from tests.conftest import build_site

STUB = "Post: 90002\nStatus: done\n\n## 公式推导与注释\n\nTODO: 添加详细的数学公式推导和注释\n"
DRAFT = "Post: 90004\nStatus: draft\nAuthors: 乙\n\n草稿里的一句话，关于 $x$。\n"
ORPHAN_STUB = "Post: 12345\nStatus: draft\n\nTODO: 添加详细的数学公式推导和注释\n"


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notes-published") / "content"
    (root / "samples").mkdir(parents=True)
    for post_id in ("90001", "90002", "90004"):
        shutil.copy(ROOT / "content" / "samples" / f"{post_id}.md", root / "samples")
    notes = root / "derivations"
    notes.mkdir()
    shutil.copy(ROOT / "content" / "derivations" / "90001.md", notes)
    (notes / "90002.md").write_text(STUB, encoding="utf-8")
    (notes / "90004.md").write_text(DRAFT, encoding="utf-8")
    (notes / "12345.md").write_text(ORPHAN_STUB, encoding="utf-8")
    return root


def _build(content: Path, out: Path, settings: str, monkeypatch) -> Path:
    monkeypatch.setenv("KEXUE_SITEURL", "https://example.org/kexue")
    build_site(content, out, settings)
    return out


def _page(site: Path, post_id: str) -> str:
    return (site / "archives" / post_id / "index.html").read_text(encoding="utf-8")


def test_production_leaves_out_stubs_and_drafts(content, tmp_path, monkeypatch):
    site = _build(content, tmp_path / "prod", "publishconf.py", monkeypatch)
    assert "deriv-notice" in _page(site, "90001")
    for post_id in ("90002", "90004"):
        page = _page(site, post_id)
        assert "deriv-notice" not in page and 'id="derivations"' not in page, post_id
        assert "TODO" not in page and "草稿里的一句话" not in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('class="deriv-badge"') == 2  # 90001's: in its summary, in the filter
    assert '有推导<span class="deriv-filter-count">（1）' in index
    assert not (site / "archives" / "12345").exists()


def test_development_shows_them_marked_and_uncounted(content, tmp_path, monkeypatch):
    site = _build(content, tmp_path / "dev", "pelicanconf.py", monkeypatch)
    stub, draft = _page(site, "90002"), _page(site, "90004")
    assert "deriv-unpublished" in stub and "桩：尚无内容" in stub and "TODO" not in stub
    assert "deriv-unpublished" in draft and "草稿里的一句话" in draft
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('class="deriv-badge"') == 2  # 90001's: in its summary, in the filter
    assert '有推导<span class="deriv-filter-count">（1）' in index
