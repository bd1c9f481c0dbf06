"""test_tags tests that build a site or run a subprocess (the unit tier runs neither)."""

from __future__ import annotations

from tests.conftest import build_site


def test_built_site_shows_tags_of_two_posts_not_topic_names(tmp_path):
    content = tmp_path / "content"
    (content / "samples").mkdir(parents=True)
    posts = {"930001": "外推, 孤单, 损失函数, RoPE", "930002": "外推, rope, 损失函数"}
    for slug, tags in posts.items():
        (content / "samples" / f"{slug}.md").write_text(
            f"Title: 标签 {slug}\nDate: 2026-01-01\nSlug: {slug}\nTags: {tags}\n\n正文。\n",
            encoding="utf-8",
        )
    out = tmp_path / "output"
    build_site(content, out)
    pages = sorted(p.name for p in (out / "tag").iterdir())
    assert pages == ["rope", "外推"]
    page = (out / "archives" / "930001" / "index.html").read_text(encoding="utf-8")
    listed = page.partition('class="tag-list"')[2].partition("</ul>")[0]
    assert "RoPE" in listed and "外推" in listed and "孤单" not in listed
    assert "损失函数" not in listed
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'value="外推"' in index and 'value="孤单"' not in index
