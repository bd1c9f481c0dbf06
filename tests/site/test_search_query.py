"""The search page's query module (theme/static/search/query.js) in Node, with the contract
the build emits from kexue/search/index.py: the browser cuts a query as the index cuts text."""

from __future__ import annotations

import bisect
import shutil
import unicodedata

import pytest

from kexue.core.paths import THEME
from kexue.dev.search_eval import occurs
from kexue.search.index import (
    CONTRACT_MODULE,
    contract_module,
    encode_tex,
    index_words,
    is_word_char,
    write_contract_module,
)
from tests import nodejs

# Mixed Chinese/Latin queries (ours): full-width forms, CJK punctuation, slashes, digits,
# camel case, an extension-B character, combining marks, circled letters, U+3000.
QUERIES = [
    "用Adam优化器（AdamW）做Newton-Schulz迭代，layerNorm",
    "变分自编码器 VAE",
    "比PixelRNN/PixelCNN快得多",
    "ＧＰＴ４的「注意力」",
    "RoPE位置编码",
    "KL散度与L2正则化",
    "bert4keras的Ｌayer",
    "𠀀字与〇",
    "x/y 与 a / b 和 //",
    "café naïve e\u0301 的重音",
    "Ⓐ圈字母与🄰方框",
    "snake_case变量",
    "Ⅻ章的²次方",
    "“引号”…‘单引号’·间隔",
    "全角\u3000空格\t制表",
    "RMSNorm、SwiGLU和MoE",
    "",
    "   ",
    "！？",
]


@pytest.fixture(scope="module")
def query_js(tmp_path_factory) -> str:
    """theme/static/search/query.js beside the contract module, as the build lays them out."""
    static = tmp_path_factory.mktemp("theme")
    (static / "search").mkdir()
    shutil.copy(THEME / "static" / "search" / "query.js", static / "search" / "query.js")
    assert write_contract_module(static)
    assert (static / CONTRACT_MODULE).read_text(encoding="utf-8") == contract_module()
    return str(static / "search" / "query.js")


def test_python_and_javascript_cut_queries_into_the_same_words(query_js):
    got = nodejs.js(query_js, *(("words", q) for q in QUERIES))
    assert got == [index_words(q) for q in QUERIES]
    assert got[0][:4] == ["用", "adam", "优", "化"] and got[2][1:3] == ["pixelrnn", "pixelcnn"]
    assert got[12] == ["ⅻ", "章", "的", "次", "方"]  # ² is no word character (No), Ⅻ is (Nl)


def test_the_contract_keeps_the_word_characters_pagefind_keeps(query_js):
    module, rust = nodejs.js(
        "tests/js/word_chars.mjs", ("moduleWordRanges", query_js), ("rustWordRanges",)
    )
    assert module == rust  # the same Unicode version on both sides: exactly Rust's \w
    starts = [lo for lo, _ in rust]

    def rust_word(cp: int) -> bool:
        i = bisect.bisect_right(starts, cp) - 1
        return i >= 0 and rust[i][0] <= cp <= rust[i][1]

    # Python's Unicode database may be older than Node's: compare where Python knows the
    # character.
    differ = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) not in ("Cn", "Cs")
        and is_word_char(chr(cp)) != rust_word(cp)
    ]
    assert not differ, differ[:20]


def test_a_query_is_planned_as_ranked_words_and_one_exact_phrase_per_chunk(query_js):
    queries, plan, empty = nodejs.js(
        query_js,
        ("pagefindQueries", "变分 Adam优化器 VAE"),
        ("plan", "  变分  Adam优化器 VAE "),
        ("pagefindQueries", " ！？ "),
    )
    assert queries == ["变 分 adam 优 化 器 vae", '"变 分"', '"adam 优 化 器"']
    assert plan["chunks"] == ["变分", "Adam优化器", "VAE"]
    assert plan["mixed"] == ["Adam优化器"]  # checked as written (holds)
    assert empty == []  # nothing to search: no request at all


def test_holds_reads_latin_ends_at_word_boundaries_and_spaces_next_to_han(query_js):
    results = nodejs.js(
        query_js,
        ("holds", "我们用 Adam 优化器训练", "Adam优化器"),
        ("holds", "用AdamW优化器", "Adam优化器"),
        ("holds", "用 bert4keras 实现", "keras实现"),
        ("holds", "layerNorm层", "Norm层"),
        ("holds", "madam说", "adam说"),
    )
    assert results == [True, False, True, True, False]


def test_readable_text_and_the_excerpt_escape_and_mark_the_hits(query_js):
    text, marked, plain = nodejs.js(
        query_js,
        ("readable", " 示 例 · · 用 Adam 优 化 器 ⋯  和 PixelRNN/ PixelCNN · "),
        ("excerpt", "若 a<b 则用 Adam 优化器，Adam优化器收敛", ["Adam优化器"]),
        ("excerpt", "<script>", []),
    )
    assert text == "示例 · 用Adam优化器 ⋯ 和PixelRNN/PixelCNN"
    assert marked == ("若 a&lt;b 则用 <mark>Adam 优化器</mark>，<mark>Adam优化器</mark>收敛")
    assert plain == "&lt;script&gt;"


def test_excerpts_show_short_formulas_and_say_when_a_hit_is_in_a_note(query_js):
    meta = "|".join(encode_tex(t) for t in ["d", "", "a<b"])
    text = "设 ⋯ 为维度，⋯ 之后 ⋯ 成立 ·  ⟦ 注释里说 ⋯ 饱和 ⟧  原文说饱和"
    formulas, shown, far, note, original = nodejs.js(
        query_js,
        ("decodeFormulas", meta),
        ("excerpt", text, ["维度"], 24, 66, ["d", "", "a<b"]),
        ("excerpt", text, ["饱和"], 4, 8, ["d", "", "a<b", "x^2"]),
        ("inNote", text, text.index("饱和")),
        ("inNote", text, text.rindex("饱和")),
    )
    assert formulas == ["d", "", "a<b"]
    assert shown.startswith('设 <code class="kx-tex">d</code> 为<mark>维度</mark>，⋯ 之后 ')
    assert '<code class="kx-tex">a&lt;b</code> 成立' in shown  # escaped, in page order
    # the fourth formula: counted from the text's start; the note's end mark is a space
    assert far == '…说 <code class="kx-tex">x^2</code> <mark>饱和</mark> 原文…'
    assert "⟦" not in shown + far and "⟧" not in shown + far
    assert note is True and original is False


# (text, mixed chunk): the page's holds and the evaluation's occurs (kexue/dev/search_eval.py,
# which decides the expected posts) must agree on what "as written" means.
HOLDS_TABLE = [
    ("我们用 Adam 优化器训练", "Adam优化器"),
    ("我们用Adam优化器训练", "adam优化器"),
    ("用AdamW优化器", "Adam优化器"),
    ("用 bert4keras 实现", "keras实现"),
    ("用 bert4keras 实现", "bert4keras实现"),
    ("layerNorm层", "Norm层"),
    ("RMSNorm层", "Norm层"),
    ("madam说", "adam说"),
    ("矩阵的SVD分解", "的SVD"),
    ("矩阵的SVDs", "的SVD"),
    ("Newton-Schulz迭代", "Newton-Schulz迭代"),
    ("Newton-Schulz 迭代", "Schulz迭代"),
]


def test_holds_agrees_with_the_evaluations_occurs(query_js):
    got = nodejs.js(query_js, *(("holds", text, chunk) for text, chunk in HOLDS_TABLE))
    assert got == [occurs(text, chunk) for text, chunk in HOLDS_TABLE]
    assert True in got and False in got
