"""The search evaluation: queries, the posts that contain them, and a run in Chromium.

Queries come from two places: a list of common terms of the field (below, ours) kept when
some post contains them, and substrings sampled from the posts themselves with a fixed
seed (2, 3 and 4 Han characters, Latin words, and a Latin word run together with Han
characters, such as ``Newton-Schulz迭代``).  The expected posts of a query are found by
scanning each post's text as the reader sees it (:func:`kexue.search.index.post_text`), not by
asking the index.  The run types each query into the real search page of a served
build, in headless Chromium, and reports recall@10, query times and the bytes the first
query fetched.  The sampled queries are made at run time, so no text of a real post is
ever written into the repository.
"""

from __future__ import annotations

import logging
import random
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

from kexue.core.chromium import launch
from kexue.search.index import CJK_PUNCT, HAN, iter_post_pages, post_text
from kexue.site.serve import ServedSite

logger = logging.getLogger(__name__)

# Common terms of the field (written by us); a term is used when some post contains it.
ENGLISH_TERMS = [
    "Muon", "RoPE", "Adam", "AdamW", "softmax", "Transformer", "attention", "LoRA", "BERT",
    "GPT", "SVD", "MoE", "VAE", "GAN", "Lipschitz", "Fourier", "Hessian", "Sinkhorn", "Lion",
    "Keras", "embedding", "token", "dropout", "warmup", "ODE", "diffusion", "entropy", "Norm",
    "momentum", "Newton-Schulz", "shell",
]  # fmt: skip
MIXED_TERMS = [
    "Newton-Schulz迭代", "Adam优化器", "softmax函数", "RoPE位置编码", "Muon优化器",
    "Transformer模型", "Attention机制", "BERT模型", "LoRA微调", "SVD分解", "KL散度",
    "GAN模型", "VAE模型", "Lipschitz约束", "Fourier变换", "Taylor展开", "Hessian矩阵",
    "MoE架构", "shell变量",
]  # fmt: skip
CHINESE_TERMS = [
    "注意力", "优化器", "梯度下降", "变分", "矩阵", "正交化", "谱范数", "奇异值", "位置编码",
    "学习率", "损失函数", "概率分布", "随机变量", "方差", "高斯分布", "最大似然", "交叉熵",
    "生成模型", "扩散模型", "语言模型", "词向量", "卷积", "特征值", "泰勒展开", "梯度",
    "动量", "收敛", "正则化", "归一化", "初始化", "权重衰减", "互信息", "采样", "重参数",
    "编码器", "解码器", "幂迭代", "示例",
]  # fmt: skip

_HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z]{2,}(?![A-Za-z0-9])")
_MIXED = re.compile(
    rf"(?<![A-Za-z0-9-])[A-Za-z][A-Za-z-]*[A-Za-z][{HAN}]{{2}}"  # Newton-Schulz迭代
    rf"|[{HAN}]{{2}}[A-Za-z][A-Za-z-]*[A-Za-z](?![A-Za-z0-9-])"  # 矩阵的SVD
)
_ALNUM = re.compile(r"[A-Za-z0-9]")
_SPACE_NEAR_CJK = re.compile(
    rf"[ \t\u00a0]+(?=[{HAN}{CJK_PUNCT}])|(?<=[{HAN}{CJK_PUNCT}])[ \t\u00a0]+"
)


@dataclass(frozen=True)
class Query:
    text: str
    kind: str  # "zh" (2-4 Han characters), "en" (a Latin word) or "mixed"
    expected: tuple[str, ...]  # URLs of the posts that contain it


def _boundary(text: str, i: int) -> bool:
    """Is position ``i`` of ``text`` a word boundary for Latin letters and digits?  Pagefind
    also indexes the parts of a word split at case and digit changes: layerNorm holds
    norm, bert4keras holds keras, RMSNorm holds norm."""
    if i <= 0 or i >= len(text):
        return True
    a, b = text[i - 1], text[i]
    if not (_ALNUM.match(a) and _ALNUM.match(b)):
        return True
    if a.isdigit() != b.isdigit() or (a.islower() and b.isupper()):
        return True
    return a.isupper() and b.isupper() and i + 1 < len(text) and text[i + 1].islower()


def _tight(text: str) -> str:
    """``text`` without spaces next to Han characters or CJK punctuation (使用 Adam 优化器
    reads as 使用Adam优化器: Chinese typesetting spaces are not part of the words)."""
    return _SPACE_NEAR_CJK.sub("", text)


def occurs(text: str, query: str) -> bool:
    """Does ``query`` occur in ``text``: case-insensitively, ignoring spaces next to Han
    characters, with the Latin letters at its ends starting (and, in a query with Han
    characters, ending) at word boundaries?  A Latin query matches a word it begins
    (Adam in AdamW), as a prefix search does."""
    text, query = _tight(text), _tight(query.strip())
    lower, q = text.lower(), query.lower()
    head_latin = bool(_ALNUM.match(query[0]))
    tail_latin = bool(_ALNUM.match(query[-1])) and bool(_HAN_RUN.search(query))
    start = lower.find(q)
    while start >= 0:
        end = start + len(q)
        if (not head_latin or _boundary(text, start)) and (not tail_latin or _boundary(text, end)):
            return True
        start = lower.find(q, start + 1)
    return False


def _expected(texts: dict[str, str], query: str) -> tuple[str, ...]:
    return tuple(url for url, text in texts.items() if occurs(text, query))


def make_queries(texts: dict[str, str], per_length: int = 30, words: int = 15, mixed: int = 10,
                 seed: int = 9) -> list[Query]:  # fmt: skip
    """The evaluation's queries for posts ``texts`` (URL -> text), each with the posts
    that contain it.  Deterministic for given texts and seed."""
    rng = random.Random(seed)
    urls = sorted(texts)
    chosen: dict[str, str] = {}

    def add(text: str, kind: str) -> None:
        chosen.setdefault(text, kind)

    for term in CHINESE_TERMS:
        add(term, "zh")
    for term in ENGLISH_TERMS:
        add(term, "en")
    for term in MIXED_TERMS:
        add(term, "mixed")
    runs = {url: [m.group() for m in _HAN_RUN.finditer(texts[url])] for url in urls}
    for length in (2, 3, 4):
        pool = [(url, run) for url in urls for run in runs[url] if len(run) >= length]
        for _ in range(per_length * 20):
            if not pool or sum(k == "zh" and len(t) == length for t, k in chosen.items()) >= (
                per_length + sum(len(t) == length for t in CHINESE_TERMS)
            ):
                break
            url, run = pool[rng.randrange(len(pool))]
            start = rng.randrange(len(run) - length + 1)
            add(run[start : start + length], "zh")
    for pattern, kind, want in ((_LATIN_WORD, "en", words), (_MIXED, "mixed", mixed)):
        found = sorted({m.group() for url in urls for m in pattern.finditer(texts[url])})
        rng.shuffle(found)
        for text in found[:want]:
            add(text, kind)
    queries = [Query(text, kind, _expected(texts, text)) for text, kind in chosen.items()]
    return [q for q in queries if q.expected]


def site_texts(output: Path) -> dict[str, str]:
    """URL (as the search returns it, "/archives/<id>/") -> text of each post of a build."""
    return {"/" + r.url: post_text(r) for r in iter_post_pages(output)}


@dataclass
class QueryResult:
    query: Query
    urls: list[str]  # the top 10 the search page showed
    ms: float

    @property
    def recall(self) -> float:
        want = set(self.query.expected)
        return len(want & set(self.urls[:10])) / min(10, len(want))

    @property
    def missing(self) -> list[str]:
        """Expected posts absent from the top 10 (all of them when 10 or fewer)."""
        if self.recall == 1.0:
            return []
        return [u for u in self.query.expected if u not in self.urls[:10]]


@dataclass
class EvalReport:
    results: list[QueryResult]
    first_query_bytes: int
    first_query_requests: int
    first_query_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def recall_at_10(self) -> float:
        return statistics.fmean(r.recall for r in self.results)

    def recall_by_kind(self) -> dict[str, tuple[int, float]]:
        kinds = sorted({r.query.kind for r in self.results})
        return {
            k: (
                sum(r.query.kind == k for r in self.results),
                statistics.fmean(r.recall for r in self.results if r.query.kind == k),
            )
            for k in kinds
        }

    @property
    def median_ms(self) -> float:
        return statistics.median(r.ms for r in self.results)

    @property
    def p95_ms(self) -> float:
        times = sorted(r.ms for r in self.results)
        return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]

    @property
    def failures(self) -> list[QueryResult]:
        return [r for r in self.results if r.recall < 1.0]

    def summary(self) -> str:
        kinds = ", ".join(
            f"{k} {n} ({recall:.3f})" for k, (n, recall) in self.recall_by_kind().items()
        )
        by_kind = ", ".join(f"{k} {b / 1024:.1f} KiB" for k, b in self.first_query_by_kind.items())
        lines = [
            f"queries: {len(self.results)} ({kinds})",
            f"recall@10: {self.recall_at_10:.4f}",
            f"query time: median {self.median_ms:.1f} ms, p95 {self.p95_ms:.1f} ms "
            f"(first query {self.results[0].ms:.0f} ms)",
            f"first query fetched {self.first_query_bytes / 1024:.1f} KiB in "
            f"{self.first_query_requests} requests ({by_kind})",
        ]
        for r in self.failures[:20]:
            lines.append(f"  missed {r.query.text!r}: {', '.join(r.missing[:5])}")
        return "\n".join(lines)


_RESOURCES_JS = """() => performance.getEntriesByType("resource")
  .filter((e) => e.name.includes("/pagefind/") || e.name.includes("/search/posts.json"))
  .map((e) => [e.name, e.encodedBodySize])"""


def _kind_of(url: str) -> str:
    if "/fragment/" in url:
        return "fragments"
    if "/index/" in url or "/filter/" in url or url.endswith(("pf_meta", ".json")):
        return "index"
    return "engine"


def evaluate(context, base_url: str, queries: list[Query]) -> EvalReport:
    """Run ``queries`` through the search page of the site served at ``base_url`` in a
    Playwright browser ``context``; report recall@10, times and first-query bytes."""
    page = context.new_page()
    try:
        page.goto(f"{base_url.rstrip('/')}/search/")
        page.wait_for_function("document.querySelector('.kx-search-page')?.dataset.ready")
        results = []
        first: list = []
        for i, query in enumerate(queries):
            out = page.evaluate("(q) => window.kexueSearch.run(q)", query.text)
            results.append(QueryResult(query, out["urls"], out["ms"]))
            if i == 0:
                first = page.evaluate(_RESOURCES_JS)
    finally:
        page.close()
    by_kind: dict[str, int] = {}
    for url, size in first:
        by_kind[_kind_of(url)] = by_kind.get(_kind_of(url), 0) + size
    return EvalReport(results, sum(s for _, s in first), len(first), by_kind)


def bench_search(output: Path) -> EvalReport:
    """`invoke bench`'s search part: the evaluation on a built site (the real corpus),
    with more sampled queries than the tests use."""
    queries = make_queries(site_texts(output), per_length=60, words=30, mixed=30)
    logger.info("search evaluation: %d queries on %s", len(queries), output)
    with ServedSite(output) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            return evaluate(browser.new_context(), site.url, queries)
        finally:
            browser.close()
