"""What the theme shows around a post: contents, reading time, related and neighbouring posts.

Everything here works on a post's HTML (as Markdown produced it) and on plain values, so it
imports without Pelican; ``plugins/kexue_theme`` attaches the results to Pelican's articles.
"""

from __future__ import annotations

import html as htmllib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import lxml.html
from markdown.extensions.toc import slugify_unicode

# kexue.markdown_math hides each TeX span behind a private-use placeholder while Markdown
# builds the tree, so a heading's text seen by the toc extension may hold some.
_MATH_PLACEHOLDER_RE = re.compile("\ue000[^\ue001]*\ue001")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# TeX, code and scripts are not prose: their text is not counted
_SKIP_RE = re.compile(
    r"<(span|div)\b[^>]*\bclass=\"math (?:inline|display)[^>]*>.*?</\1>"
    r"|<(pre|script|style)\b.*?</\2>",
    re.S | re.I,
)
_DISPLAY_RE = re.compile(r"<div\b[^>]*\bclass=\"math display")
_TAG_RE = re.compile(r"<[^>]*>")

CJK_PER_MINUTE = 400  # characters of Chinese prose read per minute
WORDS_PER_MINUTE = 200  # Latin-script words per minute
SECONDS_PER_DISPLAY = 12  # a displayed formula is read, not skimmed


def slugify_heading(value: str, separator: str = "-") -> str:
    """A heading's id: Unicode letters (Chinese included) kept, math placeholders dropped.

    Used as the toc extension's ``slugify``; the extension makes ids unique per page
    (``_1``, ``_2``…), so the same text always gives the same ids.
    """
    slug = slugify_unicode(_MATH_PLACEHOLDER_RE.sub(" ", value), separator).strip(separator)
    return slug or "section"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for the outermost level shown in the contents, 2 below it
    id: str
    html: str  # the heading's inner HTML without its permalink (math stays typesettable)


def _fragments(html: str) -> list[lxml.html.HtmlElement]:
    """The top-level elements of an HTML fragment (text between them is dropped)."""
    if not html.strip():
        return []
    return [el for el in lxml.html.fragments_fromstring(html) if not isinstance(el, str)]


def headings(html: str, depth: int = 2) -> list[Heading]:
    """The post's top-level headings that have an id, for its table of contents.

    Headings inside boxes and notes are left out; ``depth`` levels are kept, counted from
    the highest heading level the post uses.
    """
    found = [
        el
        for el in _fragments(html)
        if el.tag in _HEADING_TAGS and el.get("id") and el.text_content().strip()
    ]
    if not found:
        return []
    top = min(int(el.tag[1]) for el in found)
    out = []
    for el in found:
        level = int(el.tag[1]) - top + 1
        if level > depth:
            continue
        for link in el.find_class("headerlink"):
            link.drop_tree()
        inner = (el.text or "") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in el
        )
        out.append(Heading(level, el.get("id"), inner.strip()))
    return out


def reading_minutes(html: str) -> int:
    """Minutes a reader needs for a post: Chinese characters, Latin words and formulas.

    Works on the markup kexue.markdown_math writes (a math element holds only escaped TeX),
    with regular expressions: a parser would cost more than the Markdown conversion.
    """
    displays = len(_DISPLAY_RE.findall(html))
    text = htmllib.unescape(_TAG_RE.sub(" ", _SKIP_RE.sub(" ", html)))
    cjk = len(_CJK_RE.findall(text))
    words = len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    minutes = cjk / CJK_PER_MINUTE + words / WORDS_PER_MINUTE + displays * SECONDS_PER_DISPLAY / 60
    return max(1, math.ceil(minutes))


@dataclass
class Entry:
    """A post as related_posts sees it: its key, its primary topic and its tags."""

    key: str
    topic: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)


def related_posts(entries: Sequence[Entry], limit: int = 5) -> dict[str, list[str]]:
    """For each post, the keys of up to ``limit`` posts that share its topic or tags.

    A shared tag counts more the rarer it is (a tag every post carries counts little); a
    shared primary topic counts like a rare tag.  Ties go to the earlier entry (callers
    pass newest first), so the result is the same on every build.

    Only posts sharing a tag are scored one by one; those sharing only the topic all
    score the topic's weight, so the earliest few of them are enough: the cost grows with
    the posts times their tag neighbours, not with the square of the posts.
    """
    n = len(entries)
    df = Counter(tag for e in entries for tag in e.tags)
    weight = {tag: math.log(1 + n / count) for tag, count in df.items()}
    topic_weight = math.log(1 + n)
    by_tag: dict[str, list[int]] = {}
    by_topic: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        for tag in e.tags:
            by_tag.setdefault(tag, []).append(i)
        if e.topic:
            by_topic.setdefault(e.topic, []).append(i)
    out: dict[str, list[str]] = {}
    for e in entries:
        near = sorted({i for tag in e.tags for i in by_tag[tag]})
        scored = []
        for i in near:
            other = entries[i]
            if other.key == e.key:
                continue
            score = sum(weight[t] for t in e.tags & other.tags)
            if e.topic and e.topic == other.topic:
                score += topic_weight
            if score > 0:
                scored.append((-score, i, other.key))
        if e.topic:
            tagged, taken = set(near), 0
            for i in by_topic[e.topic]:
                if taken > limit:
                    break
                other = entries[i]
                if i in tagged or other.key == e.key:
                    continue
                scored.append((-topic_weight, i, other.key))
                taken += 1
        out[e.key] = [key for _, _, key in sorted(scored)[:limit]]
    return out


def neighbours(keys: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """For keys in reading order (oldest first): each key's (previous, next) key."""
    keys = list(keys)
    return {
        key: (keys[i - 1] if i else None, keys[i + 1] if i + 1 < len(keys) else None)
        for i, key in enumerate(keys)
    }
