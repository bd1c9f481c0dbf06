"""The earlier mirror's tags, without that mirror's pollution.

Its front matter ``tags:`` line holds, in this order (measured on the 356 files of
``blogs_raw``):

1. sometimes ``详细推导`` first: that mirror's mark for a post with derivation notes,
   not a tag;
2. five slots: the source's tags, padded up to five with the most frequent tags of the
   source's sidebar tag cloud, always starting with 生成模型 or attention (生成模型 is in
   359 lists of 356 files; a cooking post reads ``生活, 厨房, 美食, 生成模型, attention``);
3. in about 100 files, more tags that mirror added (``Fisher信息, 正则化``...).

`legacy_tags` keeps (2) without its padding and (3), then `kexue.core.tags.clean_tags`
drops dates, the source's categories and repeats.  A padding word that is a real tag of
the post (``微分方程, 生成模型, 采样, 扩散, 生成模型``: the first 生成模型) stays, as
only the trailing run of filler words is padding.
"""

from __future__ import annotations

from collections.abc import Iterable

from kexue.core.tags import clean_tags

MARKERS = frozenset({"详细推导"})
SLOTS = 5
# The sidebar's words the padding is taken from; a padding run starts with one of the first two.
PADDING_STARTS = ("生成模型", "attention")
PADDING = frozenset({*PADDING_STARTS, "优化", "语言模型"})


def _split(line: str) -> list[str]:
    return [t.strip() for t in line.replace("，", ",").split(",") if t.strip()]


def _padding_start(window: list[str]) -> int:
    """Index in the five slots where the padding begins (len(window) when none)."""
    if len(window) < SLOTS:
        return len(window)  # padding fills up to five: a shorter list has none
    for first in PADDING_STARTS:
        for k, tag in enumerate(window):
            if tag == first and all(t in PADDING or t in window[:k] for t in window[k:]):
                return k
    return len(window)


def strip_padding(line: str) -> list[str]:
    """One front matter ``tags:`` value without the marker and the padding."""
    tags = [t for t in _split(line) if t not in MARKERS]
    window, extra = tags[:SLOTS], tags[SLOTS:]
    return window[: _padding_start(window)] + extra


def legacy_tags(lines: Iterable[str]) -> list[str]:
    """The tags of one post from the ``tags:`` lines of its legacy files (duplicates merged),
    cleaned: real tags only, each once, in the order first met."""
    merged = [t for line in lines for t in strip_padding(line)]
    return clean_tags(merged)


def legacy_tags_record(lines: Iterable[str]) -> dict[str, str]:
    """The header ``Legacy_tags``: the earlier mirror's list as it was (repeats merged), kept
    so that what the cleaning dropped can be seen."""
    raw = list(dict.fromkeys(t for line in lines for t in _split(line)))
    return {"Legacy_tags": ", ".join(raw)} if raw else {}
