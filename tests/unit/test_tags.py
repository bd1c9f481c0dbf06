"""Tags: cleaning (kexue.core.tags), the earlier mirror's padding (kexue.legacy.tags), and
which tags the built site shows (plugins/kexue_topics)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from kexue.core.tags import clean_tags, shown_tags, spellings
from kexue.legacy.tags import legacy_tags, legacy_tags_record, strip_padding
from kexue.topics import load_taxonomy


def test_clean_tags_drops_dates_categories_and_repeats():
    raw = ["RoPE", " 2020-07-04", "信息时代", "rope", "", "2021年", "外推", "外推 ", "数学研究"]
    assert clean_tags(raw) == ["RoPE", "外推"]


def test_legacy_padding_is_cut_from_the_five_slots_only():
    # the sidebar filler after the real tags, with repeats
    assert strip_padding("生活, 厨房, 美食, 生成模型, attention") == ["生活", "厨房", "美食"]
    assert strip_padding("邮箱, 生成模型, attention, 优化, 语言模型") == ["邮箱"]
    assert strip_padding("优化, 损失函数, 生成模型, attention, 优化") == ["优化", "损失函数"]
    # a filler word that is a real tag, before other real tags, stays
    assert strip_padding("微分方程, 生成模型, 采样, 扩散, 生成模型") == [
        "微分方程",
        "生成模型",
        "采样",
        "扩散",
    ]
    # the notes marker goes; tags after the five slots are kept
    assert strip_padding("详细推导, 模型, 优化, 梯度, 生成模型, attention, Fisher信息") == [
        "模型",
        "优化",
        "梯度",
        "Fisher信息",
    ]
    # fewer than five: nothing was padded
    assert strip_padding("详细推导, 优化") == ["优化"]
    assert strip_padding("语言模型, attention, 位置编码, 外推, rope") == [
        "语言模型",
        "attention",
        "位置编码",
        "外推",
        "rope",
    ]


def test_legacy_tags_merge_duplicate_files_and_keep_the_raw_record():
    lines = ["优化, 梯度, 生成模型, attention, 优化", "详细推导, 梯度, Adam, 2020年"]
    assert legacy_tags(lines) == ["优化", "梯度", "Adam"]
    assert legacy_tags_record(lines) == {
        "Legacy_tags": "优化, 梯度, 生成模型, attention, 详细推导, Adam, 2020年"
    }
    assert legacy_tags_record([""]) == {}


def test_shown_tags_need_two_posts_and_no_topic_name():
    lists = [["RoPE", "外推", "损失函数", "孤单"], ["rope", "外推", "损失函数"], ["rope"]]
    shown = shown_tags(lists, ["损失函数", "扩散模型"])
    assert shown == {"rope": "RoPE", "外推": "外推"}
    assert spellings([["lora"], ["lora"], ["LoRA"]])["lora"] == "LoRA"


def test_legacy_corpus_tags_are_real(legacy_corpus):
    """On the earlier mirror's files: the padding words stop dominating, and the shown tags
    are the ones of two or more posts, none a topic name."""
    raw: dict[str, list[str]] = defaultdict(list)
    for path in sorted((legacy_corpus / "blogs_raw").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        line = re.search(r"^tags:(.*)$", text, re.M)
        post = re.search(r"^source:.*?/archives/(\d+)", text, re.M)
        raw[post.group(1) if post else path.stem].append(line.group(1) if line else "")
    before = Counter(t.strip() for lines in raw.values() for ln in lines for t in ln.split(","))
    assert before["生成模型"] > len(raw)  # the filler: more often than there are posts
    cleaned = [legacy_tags(lines) for lines in raw.values()]
    after = Counter(t for tags in cleaned for t in tags)
    assert after["生成模型"] < len(raw) / 5 and "详细推导" not in after
    assert all(len(tags) == len({t.casefold() for t in tags}) for tags in cleaned)
    taxonomy = load_taxonomy()
    names = [t.name for t in taxonomy.topics]
    shown = shown_tags(cleaned, names)
    assert len(shown) > 60
    assert not {n.casefold() for n in names} & set(shown)
