"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

import re
import subprocess
import sys

import tests.unit.test_topics as unit_tier
from kexue.core.posts import iter_post_files, read_post
from kexue.legacy.importer import import_legacy
from kexue.topics import (
    classify,
)
from tests.conftest import ROOT, build_site
from tests.unit.test_topics import SAMPLE_TOPICS, read_labels

# fixtures of the unit module these tests came from
taxonomy = unit_tier.taxonomy


def test_invoke_topics_explain_and_report():
    def run(*args):
        cmd = [sys.executable, "-m", "invoke", "topics", *args]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)

    out = run("--explain", "90004")
    assert out.returncode == 0, out.stderr
    assert "topic: matrix (矩阵与线性代数)" in out.stdout
    out = run("--report")
    assert out.returncode == 0, out.stderr
    assert re.search(r"^\s+matrix\s+1\s", out.stdout, re.M)
    assert "left in other (0, 0.0%)" in out.stdout
    out = run("--explain", "12345678")
    assert out.returncode != 0 and "no post 12345678" in out.stderr


def test_sample_site_files_posts_under_their_topics(sample_site):
    for post_id, slug in SAMPLE_TOPICS.items():
        page = sample_site / "category" / slug / "index.html"
        assert page.is_file(), f"no category page for {slug}"
        assert f'href="../../archives/{post_id}/"' in page.read_text(encoding="utf-8")
        article = (sample_site / "archives" / post_id / "index.html").read_text(encoding="utf-8")
        assert f'data-topic="{slug}"' in article
    index = (sample_site / "index.html").read_text(encoding="utf-8")
    assert 'class="topic-filters"' in index and 'href="./topics/"' in index
    topics_page = (sample_site / "topics" / "index.html").read_text(encoding="utf-8")
    for slug in SAMPLE_TOPICS.values():
        assert f'data-topic="{slug}"' in topics_page


def test_built_site_has_a_category_page_per_topic(tmp_path, taxonomy):
    """One post per topic (written here, set by `Topic:`); secondary topics are 相关主题,
    not tags (a tag named like a topic would repeat the topic chips)."""
    content = tmp_path / "content"
    (content / "samples").mkdir(parents=True)
    for i, topic in enumerate(taxonomy.topics):
        (content / "samples" / f"9200{i:02d}.md").write_text(
            f"Title: 主题测试 {topic.slug}\nDate: 2026-01-01\nSlug: 9200{i:02d}\n"
            f"Tags: 测试\nTopic: {topic.name}\n\n正文。\n",
            encoding="utf-8",
        )
    (content / "samples" / "920099.md").write_text(
        "Title: 扩散模型里的VAE\nDate: 2026-01-02\nSlug: 920099\nTags: 测试\n\n"
        + "扩散模型的DDPM与VAE、GAN。 " * 20
        + "\n",
        encoding="utf-8",
    )
    (content / "samples" / "920098.md").write_text(
        "Title: 扩散模型的采样\nDate: 2026-01-03\nSlug: 920098\n\n" + "扩散模型与DDPM。" * 9,
        encoding="utf-8",
    )
    (content / "overrides").mkdir()
    (content / "overrides" / "topics.json").write_text('{"920098": "RNN/SSM"}', encoding="utf-8")
    out = tmp_path / "output"
    build_site(content, out)
    assert "920098/" in (out / "category" / "ssm" / "index.html").read_text(encoding="utf-8")
    for topic in taxonomy.topics:
        page = out / "category" / topic.slug / "index.html"
        assert page.is_file(), f"no category page for {topic.slug}"
        assert f"主题测试 {topic.slug}" in page.read_text(encoding="utf-8")
    article = (out / "archives" / "920099" / "index.html").read_text(encoding="utf-8")
    assert 'data-topic="diffusion"' in article
    assert "相关主题：" in article and "生成模型（VAE、GAN、流）" in article
    tag_list = article.partition('class="tag-list"')[2].partition("</ul>")[0]
    assert "测试" in tag_list and "生成模型（VAE、GAN、流）" not in tag_list
    assert not any("生成模型" in p.name for p in (out / "tag").iterdir())
    assert (out / "tag" / "测试" / "index.html").is_file()  # the posts' own tags stay


def test_built_site_topics_are_the_classifiers(taxonomy, legacy_corpus, tmp_path):
    """The imported mirror, built: every post's topic is the classifier's (the earlier
    mirror's assignments are not applied by default), and so is the labelled accuracy."""
    content = tmp_path / "content"
    import_legacy(legacy_corpus, content)
    out = tmp_path / "output"
    build_site(content, out)
    labels = read_labels()
    built, right = {}, 0
    for path in iter_post_files(content):
        post = read_post(path)
        page = out / "archives" / post.id / "index.html"
        if not page.is_file():
            continue  # not published (an excerpt without text)
        m = re.search(r'data-topic="([^"]+)"', page.read_text(encoding="utf-8"))
        built[post.id] = m.group(1)
        assert built[post.id] == classify(post, taxonomy).primary, post.id
    scored = [i for i in labels if i in built]
    right = sum(built[i] in labels[i] for i in scored)
    print(f"\nbuilt site: topic accuracy {right / len(scored):.3f} on {len(scored)} labelled posts")
    assert len(scored) > 200 and right / len(scored) >= 0.9
