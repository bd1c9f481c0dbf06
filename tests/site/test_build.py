"""Functional test: build the sample site and check what the output holds."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from kexue.math.prerender import STYLESHEET
from tests.conftest import build_site

SAMPLE_IDS = ["90001", "90002", "90003", "90004"]
ASSET_RE = re.compile(
    r"<(?:script|link|img|source|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I
)
CSS_URL_RE = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])([^\"')]+)", re.I)


def _external(url: str) -> bool:
    parsed = urlparse(url)
    return bool(parsed.netloc) or parsed.scheme not in ("", "data")


def test_each_sample_post_is_at_its_archive_id(sample_site: Path):
    for post_id in SAMPLE_IDS:
        page = sample_site / "archives" / post_id / "index.html"
        assert page.is_file(), f"missing {page}"
        assert "示例" in page.read_text(encoding="utf-8")


def test_html_lang_is_zh_cn(sample_site: Path):
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html


def test_math_styles_are_loaded_from_the_sites_own_path(sample_site: Path):
    """The sample posts are typeset at build time: MathJax 4's stylesheet and fonts come
    from the site, and no page loads MathJax in the browser."""
    page = sample_site / "archives" / "90001" / "index.html"
    html = page.read_text(encoding="utf-8")
    srcs = [u for u in ASSET_RE.findall(html) if "mathjax" in u.lower()]
    assert any(u.endswith("vendor/mathjax4/chtml.css") for u in srcs), srcs
    for url in srcs:
        assert not _external(url), url
        assert (page.parent / url.split("?")[0]).resolve().is_file(), url
    fonts = re.findall(r'url\("([^"]+\.woff2)"\)', (sample_site / STYLESHEET).read_text("utf-8"))
    assert fonts and all((sample_site / STYLESHEET).parent.joinpath(u).is_file() for u in fonts)
    for html_file in sample_site.rglob("*.html"):
        assert "tex-chtml.js" not in html_file.read_text(encoding="utf-8"), html_file


def test_no_page_loads_anything_from_another_host(sample_site: Path):
    offenders = []
    for html_file in sample_site.rglob("*.html"):
        for url in ASSET_RE.findall(html_file.read_text(encoding="utf-8")):
            if _external(url):
                offenders.append(f"{html_file.relative_to(sample_site)}: {url}")
    for css in sample_site.rglob("*.css"):
        for url in CSS_URL_RE.findall(css.read_text(encoding="utf-8")):
            if _external(url):
                offenders.append(f"{css.relative_to(sample_site)}: {url}")
    assert not offenders, "\n".join(offenders)


def test_pagination_of_similar_tags_cannot_collide(tmp_path: Path):
    """Page 2 of tag 标签1 lives under tag/标签1/page/2/, never beside tag 标签12."""
    content = tmp_path / "content"
    (content / "samples").mkdir(parents=True)
    for i in range(3):
        (content / "samples" / f"9100{i}.md").write_text(
            f"Title: t{i}\nDate: 2026-01-0{i + 1}\nSlug: 9100{i}\nTags: 标签1\n\n正文{i}\n",
            encoding="utf-8",
        )
    for slug in ("91008", "91009"):  # two posts: a tag of one post has no page
        (content / "samples" / f"{slug}.md").write_text(
            f"Title: x\nDate: 2026-02-01\nSlug: {slug}\nTags: 标签12\n\n正文\n", encoding="utf-8"
        )
    out = tmp_path / "output"
    build_site(content, out, DEFAULT_PAGINATION=1)
    assert (out / "tag" / "标签1" / "page" / "2" / "index.html").is_file()
    assert (out / "tag" / "标签12" / "index.html").is_file()
    assert "t1" in (out / "tag" / "标签1" / "page" / "2" / "index.html").read_text(encoding="utf-8")
