"""Topics: the taxonomy file, the classifier, its explanations, the evaluation on real posts,
and the category pages of the built site."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest

from kexue.core.posts import Post, iter_post_files, read_post
from kexue.legacy.importer import import_legacy
from kexue.site.checks import CheckContext, run_checks
from kexue.topics import (
    TaxonomyError,
    UnknownTopicError,
    classify,
    classify_all,
    explain,
    load_overrides,
    load_taxonomy,
)
from tests.conftest import ROOT, build_site

LABELS = ROOT / "tests" / "data" / "topic_labels.tsv"
OTHER_ONLY = '[[topic]]\nslug = "other"\nname = "O"\ndescription = "d"\n'
DEFAULT_TOPICS = {
    "transformer": "Transformer与注意力",
    "optimization": "优化器与训练",
    "diffusion": "扩散模型",
    "generative": "生成模型（VAE、GAN、流）",
    "probability": "概率与随机矩阵",
    "matrix": "矩阵与线性代数",
    "loss": "损失函数",
    "ssm": "RNN与状态空间模型",
    "vq": "向量量化",
    "nlp": "语言模型与NLP",
    "moe": "混合专家",
    "math": "数学（分析、数论、几何等）",
    "other": "其他",
}
SAMPLE_TOPICS = {"90001": "transformer", "90002": "optimization", "90003": "probability"}
SAMPLE_TOPICS["90004"] = "matrix"
SAMPLE_TOPICS["90005"] = "probability"
SAMPLE_TOPICS["90006"] = "optimization"  # the search sample (Muon)


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def read_labels() -> dict[str, list[str]]:
    labels = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            post_id, slugs, why = line.split("\t")
            assert why.strip(), f"{LABELS}: label for {post_id} has no reason"
            labels[post_id] = slugs.split(",")
    return labels


@pytest.fixture(scope="module")
def real_corpus(legacy_corpus, tmp_path_factory) -> tuple[dict[str, Post], dict[str, str]]:
    """The legacy corpus imported with kexue.legacy.importer: (posts by id, the earlier mirror's
    topic assignments by id, which apply only when asked for)."""
    content = tmp_path_factory.mktemp("legacy-content")
    import_legacy(legacy_corpus, content)
    posts = {p.id: p for p in map(read_post, iter_post_files(content))}
    assert load_overrides(content) == {}  # not applied by default
    return posts, load_overrides(content, legacy=True)


@pytest.fixture(scope="module")
def real_posts(real_corpus) -> dict[str, Post]:
    return real_corpus[0]


# -- the taxonomy ------------------------------------------------------------------------


def test_default_taxonomy_has_the_agreed_topics(taxonomy):
    assert {t.slug: t.name for t in taxonomy.topics} == DEFAULT_TOPICS
    for topic in taxonomy.topics:
        assert topic.description
        fields = {s.field for s in topic.signals}
        assert {"title", "body", "tags"} <= fields, topic.slug


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[[topic]]\nslug = "a"\nname = "A"\n', "topic[0].description"),
        (
            '[settings]\nmin_scor = 1\n[[topic]]\nslug = "other"\nname = "O"\ndescription = "d"\n',
            "settings.min_scor",
        ),
        (
            OTHER_ONLY + '[topic.body]\n"x" = "heavy"\n',
            "topic 'other'.body.'x'",
        ),
        (
            '[legacy_names]\n"旧" = "nope"\n' + OTHER_ONLY,
            "legacy_names.'旧'",
        ),
        (
            '[[topic]]\nslug = "Big Topic"\nname = "B"\ndescription = "d"\n',
            "topic 'Big Topic'.slug",
        ),
        ('[[topic]]\nslug = "x"\nname = "X"\ndescription = "d"\n', "settings.fallback"),
        ("[[topic]\n", "not valid TOML"),
    ],
)
def test_taxonomy_errors_name_the_file_and_the_key(tmp_path, toml, key):
    path = tmp_path / "topics.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)
    assert key in str(err.value)


# -- the classifier ----------------------------------------------------------------------


def test_every_sample_post_gets_its_topic(taxonomy):
    for path in (ROOT / "content" / "samples").glob("*.md"):
        post = read_post(path)
        result = classify(post, taxonomy)
        assert result.primary == SAMPLE_TOPICS[post.id], explain(result, taxonomy)


def test_a_topic_header_overrides_the_classifier(taxonomy):
    post = read_post(ROOT / "content" / "samples" / "90001.md")
    assert classify(post, taxonomy).primary == "transformer"
    for value, slug in [
        ("moe", "moe"),
        ("混合专家", "moe"),
        ("RNN/SSM", "ssm"),
        ("梯度分析", "optimization"),
    ]:
        post.topic = value
        result = classify(post, taxonomy)
        assert result.primary == slug
        assert result.override == value
        assert "overrides" in explain(result, taxonomy)
    post.topic = "其他"  # the legacy mirror's "no topic": the classifier decides
    assert classify(post, taxonomy).primary == "transformer"
    post.topic = "moe"
    assert classify(post, taxonomy, use_override=False).primary == "transformer"


def test_the_header_beats_the_overrides_file_which_beats_the_classifier(taxonomy):
    post = read_post(ROOT / "content" / "samples" / "90001.md")
    overrides = {"90001": "VQ/量化"}
    result = classify(post, taxonomy, overrides=overrides)
    assert result.primary == "vq" and result.classifier_choice == "transformer"
    assert "overrides/topics.json" in result.reason
    post.topic = "moe"
    assert classify(post, taxonomy, overrides=overrides).primary == "moe"
    assert classify(post, taxonomy, False, overrides).primary == "transformer"


def test_an_unknown_topic_header_is_an_error_naming_the_post(taxonomy):
    post = Post(id="90009", title="x", topic="量子引力", body="")
    with pytest.raises(UnknownTopicError) as err:
        classify(post, taxonomy)
    assert "90009" in str(err.value) and "量子引力" in str(err.value)
    assert str(taxonomy.path) in str(err.value)


def test_a_post_without_signals_goes_to_other_and_says_why(taxonomy):
    result = classify(Post(id="90010", title="无题", body="今天天气不错。"), taxonomy)
    assert result.primary == "other"
    assert "min_score" in result.reason
    assert result.secondary == ()


def test_latin_terms_match_whole_words_only(taxonomy):
    post = Post(id="90011", title="Javascript与MoEbius", body="")
    scores = {s.slug: s for s in classify(post, taxonomy).scores}
    assert not any(e.term == "MoE" for e in scores["moe"].evidence)
    post.title = "MoEs的路由"
    scores = {s.slug: s for s in classify(post, taxonomy).scores}
    assert any(e.term == "MoE" for e in scores["moe"].evidence)


def test_explain_accounts_for_the_topic(taxonomy):
    post = read_post(ROOT / "content" / "samples" / "90002.md")
    result = classify(post, taxonomy)
    text = explain(result, taxonomy, evidence=100)
    assert f"topic: {result.primary} (" in text
    lines = text.split(f"* {result.primary}")[1].splitlines()[1:]
    block = [
        line
        for line in lines[
            : next((i for i, x in enumerate(lines) if not x.startswith(" " * 7)), len(lines))
        ]
    ]
    points = [float(line.rsplit(" ", 1)[1]) for line in block]
    assert points and sum(points) == pytest.approx(result.score_of(result.primary).score, abs=0.1)


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


# -- evaluation on the real corpus -------------------------------------------------------


def test_labelled_set_is_valid(taxonomy):
    labels = read_labels()
    assert len(labels) >= 80
    for post_id, slugs in labels.items():
        assert post_id.isdigit()
        assert set(slugs) <= set(taxonomy.slugs), post_id


def test_accuracy_on_the_labelled_set(taxonomy, real_posts):
    """Without overrides (the legacy mirror's assignments are overrides in production)."""
    labels = read_labels()
    missing = sorted(set(labels) - set(real_posts))
    assert not missing, f"labelled posts not in the corpus: {missing}"
    wrong = []
    for post_id, acceptable in labels.items():
        result = classify(real_posts[post_id], taxonomy, use_override=False)
        if result.primary not in acceptable:
            wrong.append(f"{post_id}: {result.primary} (acceptable: {','.join(acceptable)})")
    accuracy = 1 - len(wrong) / len(labels)
    print(f"\ntopic accuracy on {len(labels)} labelled posts: {accuracy:.3f}")
    print("\n".join(wrong))
    assert accuracy >= 0.9, "\n".join(wrong)


@pytest.mark.parametrize("use_override", [False, True], ids=["classifier", "with-overrides"])
def test_every_real_post_gets_a_topic(taxonomy, real_corpus, use_override):
    real_posts, overrides = real_corpus
    assert overrides  # the earlier mirror's assignments
    report = classify_all(real_posts.values(), taxonomy, use_override, overrides)
    assert len(report.results) == len(real_posts)
    assert all(r.primary in taxonomy.slugs for r in report.results)
    counts = Counter(r.primary for r in report.results)
    print(
        f"\n{len(real_posts)} real posts, overrides {use_override}: "
        f"other {report.fallback_share:.1%}"
    )
    print(dict(counts.most_common()))
    assert report.fallback_share < 0.15
    assert len(counts) >= 10  # the corpus spreads over the taxonomy


def test_explain_accounts_for_every_real_post(taxonomy, real_posts):
    for post in real_posts.values():
        result = classify(post, taxonomy, use_override=False)
        text = explain(result, taxonomy)
        assert f"topic: {result.primary} (" in text
        if result.primary != taxonomy.fallback:
            assert result.score_of(result.primary).evidence, post.id
            assert f"* {result.primary}" in text


# -- the built site ----------------------------------------------------------------------


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


def test_repository_posts_all_resolve_their_topic_headers(taxonomy):
    for path in iter_post_files(ROOT / "content"):
        post = read_post(path)
        taxonomy.resolve(post.topic, str(path))


def test_invoke_check_reports_unknown_topic_headers(tmp_path):
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "90020.md").write_text(
        "Title: t\nSlug: 90020\nTopic: 天体物理\n\nx\n", encoding="utf-8"
    )
    (tmp_path / "samples" / "90021.md").write_text(
        "Title: t\nSlug: 90021\nTopic: 其他\n\nx\n", encoding="utf-8"
    )
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides" / "topics.json").write_text(
        '{"90021": "随机矩阵/概率", "90022": "弦论"}', encoding="utf-8"
    )
    [(name, problems)] = run_checks(CheckContext(tmp_path, tmp_path, tmp_path), ["topics"])
    overrides = str(tmp_path / "overrides" / "topics.json")
    assert [p.file for p in problems] == [str(tmp_path / "samples" / "90020.md"), overrides]
    assert "90022" in problems[1].message and "弦论" in problems[1].message
    assert "天体物理" in problems[0].message and "use one of" in problems[0].message


@pytest.mark.corpus
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
