"""Tags: what a post's tag list keeps, and which tags the site shows.

A tag is a word a reader can browse by.  Three kinds of entries are not: a date
(``2020-07-04``, ``2020年``), a category of the source site (信息时代, 数学研究: the
source's categories sit next to its tags in ``#tools span.cat``), and a second spelling of
a tag already listed (``rope`` after ``RoPE``).  `clean_tags` drops them, for the crawler
and the legacy import alike (kexue/legacy/tags.py handles that mirror's own filler).

`shown_tags` decides, over the whole site, which tags get a page and a filter entry: a
tag held by one post only leads nowhere, and a tag named like a topic repeats the topic
chips; both stay in the post's file (the topic classifier reads them), not on the site.
Case variants across posts are shown under one spelling (the most used one with capitals,
else the most used).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

# The source site's categories (Typecho, `/category/<Slug>/`), as its pages name them.
SOURCE_CATEGORIES = frozenset(
    {
        "信息时代",
        "数学研究",
        "物理化学",
        "天文探索",
        "生物自然",
        "生活/情感",
        "问题解答",
        "资源共享",
        "年度总结",
        "未分类",
    }
)

_DATE_RE = re.compile(r"\d{4}(?:\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*日?)?\s*月?|年)?")


def tag_key(tag: str) -> str:
    """The identity of a tag: case and surrounding space do not matter."""
    return " ".join(tag.split()).casefold()


def is_date(tag: str) -> bool:
    return bool(_DATE_RE.fullmatch(tag.strip()))


def clean_tags(tags: Iterable[str], categories: Iterable[str] = SOURCE_CATEGORIES) -> list[str]:
    """``tags`` without empties, dates, source categories and repeats, in their order."""
    dropped = {tag_key(c) for c in categories}
    seen: set[str] = set()
    kept: list[str] = []
    for raw in tags:
        tag = " ".join(str(raw).split())
        key = tag_key(tag)
        if not tag or key in seen or key in dropped or is_date(tag):
            continue
        seen.add(key)
        kept.append(tag)
    return kept


def spellings(tag_lists: Iterable[Sequence[str]]) -> dict[str, str]:
    """For each tag key, the spelling to show: the most used one with capitals, else the
    most used (ties: the first met)."""
    counts: dict[str, Counter] = {}
    for tags in tag_lists:
        for tag in tags:
            counts.setdefault(tag_key(tag), Counter())[tag] += 1
    return {key: max(c, key=lambda s: (s != s.lower(), c[s])) for key, c in counts.items()}


def shown_tags(
    tag_lists: Sequence[Sequence[str]], topic_names: Iterable[str], minimum: int = 2
) -> dict[str, str]:
    """Tag key -> shown spelling, for the tags held by at least ``minimum`` posts and not
    named like a topic (case-insensitive)."""
    topics = {tag_key(n) for n in topic_names}
    posts = Counter(key for tags in tag_lists for key in {tag_key(t) for t in tags})
    names = spellings(tag_lists)
    return {k: names[k] for k, n in posts.items() if n >= minimum and k not in topics}
