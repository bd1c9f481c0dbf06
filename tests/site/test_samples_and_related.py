"""Sample posts only while there is no real post (kexue_posts, KEXUE_SAMPLES); related
posts chosen by content and never a sample for a real post (kexue_theme)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.core.posts import samples_shown
from kexue.reading.structure import Entry, content_terms, related_posts
from tests.conftest import build_site

REAL = """Title: {title}
Date: 2024-03-{day:02d}
Slug: {slug}
Author: 苏剑林
Tags:
Topic:

{body}
"""
POSTS = {
    "101": (
        "注意力的缩放与 Transformer",
        "点积注意力 Transformer 的 Transformer 打分 $\\softmax(x)$。",
    ),
    "102": (
        "Transformer 里的注意力矩阵",
        "再谈 Transformer 与 Transformer 的注意力 $\\softmax(y)$。",
    ),
    "103": ("随机微分方程与扩散模型", "扩散 diffusion 与 diffusion 模型 $\\mathrm{d}x_t$。"),
}


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("samples") / "content"
    shutil.copytree(ROOT / "content" / "samples", root / "samples")
    shutil.copytree(ROOT / "content" / "derivations", root / "derivations")
    (root / "posts").mkdir()
    for i, (slug, (title, body)) in enumerate(POSTS.items(), 1):
        text = REAL.format(title=title, day=i, slug=slug, body=body)
        (root / "posts" / f"{slug}.md").write_text(text, encoding="utf-8")
    return root


def test_samples_are_shown_only_without_real_posts(content, tmp_path):
    assert samples_shown(ROOT / "content") and not samples_shown(content)
    assert samples_shown(content, True) and not samples_shown(ROOT / "content", False)


def test_production_with_real_posts_has_no_sample_and_relates_by_content(
    content, tmp_path, monkeypatch
):
    monkeypatch.setenv("KEXUE_SITEURL", "https://example.org/kexue")
    site = tmp_path / "out"
    build_site(content, site, "publishconf.py")
    assert not list((site / "archives").glob("9000*"))
    assert "90001" not in (site / "index.html").read_text(encoding="utf-8")
    page = (site / "archives" / "101" / "index.html").read_text(encoding="utf-8")
    related = re.search(r'<section class="related".*?</section>', page, re.S)
    assert related and "archives/102/" in related.group(0)
    assert "archives/103/" not in related.group(0)  # shares no term with 101


def test_a_real_post_never_lists_a_sample_even_with_samples_shown(content, tmp_path):
    site = tmp_path / "out"
    build_site(content, site, KEXUE_SAMPLES=True)
    assert (site / "archives" / "90001" / "index.html").is_file()
    for slug in POSTS:
        page = (site / "archives" / slug / "index.html").read_text(encoding="utf-8")
        assert not re.search(r'<section class="related".*?archives/900', page, re.S), slug


def test_content_terms_relate_posts_that_share_rare_words():
    a = Entry("a", "", content_terms("Transformer 的注意力", "Transformer 与 Transformer"))
    b = Entry("b", "", content_terms("再谈注意力", "Transformer Transformer"))
    c = Entry("c", "", content_terms("扩散模型", "diffusion diffusion"))
    assert related_posts([a, b, c])["a"] == ["b"]
