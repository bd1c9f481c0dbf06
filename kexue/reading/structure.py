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

from kexue.core import cjk, placeholders
from kexue.math import element

# kexue.math.extension hides each TeX span behind a private-use placeholder while Markdown
# builds the tree, so a heading's text seen by the toc extension may hold some.
_MATH_PLACEHOLDER_RE = placeholders.ANY_RE
_CJK_RE = re.compile(f"[{cjk.READ_AS_CHARACTERS}]")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _skip_re(*tags: str) -> re.Pattern:
    """Math elements and the elements ``tags``, whole."""
    return re.compile(
        rf"{element.ELEMENT_RE.pattern}|<(?P<skipped>{'|'.join(tags)})\b.*?</(?P=skipped)>",
        re.S | re.I,
    )


# TeX, code and scripts are not prose: their text is not counted
_SKIP_RE = _skip_re("pre", "script", "style")
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
    kind: str = ""  # "notes": a heading of the derivation notes' appendix


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
        inner = htmllib.escape(el.text or "", quote=False) + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in el
        )
        out.append(Heading(level, el.get("id"), inner.strip()))
    return out


def reading_minutes(html: str) -> int:
    """Minutes a reader needs for a post: Chinese characters, Latin words and formulas.

    Works on the markup kexue.math.extension writes (a math element holds only escaped TeX),
    with regular expressions: a parser would cost more than the Markdown conversion.
    """
    displays = sum(el.display for el in element.find(html))
    text = htmllib.unescape(_TAG_RE.sub(" ", _SKIP_RE.sub(" ", html)))
    chars = len(_CJK_RE.findall(text))
    words = len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    minutes = (
        chars / CJK_PER_MINUTE + words / WORDS_PER_MINUTE + displays * SECONDS_PER_DISPLAY / 60
    )
    return max(1, math.ceil(minutes))


@dataclass
class Entry:
    """A post as related_posts sees it: its key, its primary topic and its tags (content
    terms count as tags: :func:`content_terms`)."""

    key: str
    topic: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)


_LATIN_TERM_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,}")
_TEX_COMMAND_RE = re.compile(r"\\([A-Za-z]{3,})")
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")
_TERM_KINDS = ("w:", "t:", "tex:")
_COMMON_TEX = frozenset("frac left right begin end text mathrm mathbf boldsymbol quad sum".split())


def content_terms(title: str, text: str) -> frozenset[str]:
    """What a post is about, as terms two posts can share: the title's Chinese word pairs
    and Latin words, the Latin words the text uses at least twice, and its TeX commands
    (``\\softmax``, ``\\KL``) beyond the everyday ones.  Rare ones weigh more in
    :func:`related_posts`, like tags."""
    terms = {f"w:{w.lower()}" for w in _LATIN_TERM_RE.findall(title)}
    for run in _CJK_RUN_RE.findall(title):
        terms |= {f"t:{run[i : i + 2]}" for i in range(len(run) - 1)}
    prose = _TAG_RE.sub(" ", _TEX_MATH_RE.sub(" ", text))
    words = Counter(w.lower() for w in _LATIN_TERM_RE.findall(prose))
    terms |= {f"w:{w}" for w, n in words.items() if n >= 2}
    terms |= {f"tex:{c}" for c in _TEX_COMMAND_RE.findall(text) if c not in _COMMON_TEX}
    return frozenset(terms)


_TEX_MATH_RE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|\\begin\{.*?\\end\{[^}]*\}", re.S)


def related_posts(entries: Sequence[Entry], limit: int = 5) -> dict[str, list[str]]:
    """For each post, the keys of up to ``limit`` posts that share its topic or tags.

    A shared tag counts more the rarer it is (a tag every post carries counts little); a
    shared primary topic counts like a rare tag.  Ties go to the earlier entry (callers
    pass newest first), so the result is the same on every build.

    Terms shared by more than a fifth of the posts (and at least 3) say nothing about two
    posts and are dropped.  Only posts sharing a tag are scored one by one; those sharing
    only the topic all score the topic's weight, so the earliest few of them are enough:
    the cost grows with the posts times their tag neighbours, not with the square of the
    posts.
    """
    index = _RelatedIndex(entries)
    out: dict[str, list[str]] = {}
    for e in index.entries:  # without the terms too common to say anything
        near = sorted({i for tag in e.tags for i in index.by_tag[tag]})
        scored = index.tag_neighbours(e, near) + index.topic_neighbours(e, set(near), limit)
        out[e.key] = [key for _, _, key in sorted(scored)[:limit]]
    return out


class _RelatedIndex:
    """The posts by tag and by topic, and the weights of tags and topics."""

    def __init__(self, entries: Sequence[Entry]):
        n = len(entries)
        df = Counter(tag for e in entries for tag in e.tags)
        common = {t for t, c in df.items() if c >= 3 and c > n / 5 and t.startswith(_TERM_KINDS)}
        self.entries = [Entry(e.key, e.topic, e.tags - common) for e in entries]
        self.weight = {tag: math.log(1 + n / count) for tag, count in df.items()}
        self.topic_weight = math.log(1 + n)
        self.by_tag: dict[str, list[int]] = {}
        self.by_topic: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            for tag in e.tags:
                self.by_tag.setdefault(tag, []).append(i)
            if e.topic:
                self.by_topic.setdefault(e.topic, []).append(i)

    def tag_neighbours(self, e: Entry, near: list[int]) -> list[tuple[float, int, str]]:
        """(-score, index, key) of the posts sharing a tag with ``e``, each scored."""
        scored = []
        for i in near:
            other = self.entries[i]
            if other.key == e.key:
                continue
            score = sum(self.weight[t] for t in e.tags & other.tags)
            if e.topic and e.topic == other.topic:
                score += self.topic_weight
            if score > 0:
                scored.append((-score, i, other.key))
        return scored

    def topic_neighbours(self, e: Entry, tagged: set[int], limit: int) -> list:
        """The earliest posts sharing only ``e``'s topic (all of equal score)."""
        if not e.topic:
            return []
        scored, taken = [], 0
        for i in self.by_topic[e.topic]:
            if taken > limit:
                break
            other = self.entries[i]
            if i in tagged or other.key == e.key:
                continue
            scored.append((-self.topic_weight, i, other.key))
            taken += 1
        return scored


def neighbours(keys: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """For keys in reading order (oldest first): each key's (previous, next) key."""
    keys = list(keys)
    return {
        key: (keys[i - 1] if i else None, keys[i + 1] if i + 1 < len(keys) else None)
        for i, key in enumerate(keys)
    }


# ---------- the derivation notes' appendix, as part of the post ----------

_HEADING_RE = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1>", re.S | re.I)
_ID_ATTR_RE = re.compile(r'\bid="([^"]*)"')
_HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
# what may sit between the appendix section and a heading it lists (a folded section's
# details and summary, kexue.notes.parts)
_TOC_CONTAINERS = {"deriv-lost", "deriv-part", "deriv-part-title"}


def page_ids(html: str) -> set[str]:
    """Every ``id`` attribute value in a piece of HTML."""
    return {htmllib.unescape(v) for v in _ID_ATTR_RE.findall(html)}


def _listed_positions(section_html: str) -> list[bool]:
    """For each heading of the appendix (document order, the title included): whether it
    is one of the appendix's own sections (not inside a box, panel or other block)."""
    root = lxml.html.fragment_fromstring(section_html, create_parent="div")
    out = []
    for el in root.iter(*_HEADING_TAGS):
        parent = el.getparent()
        ok = True
        while parent is not None and parent is not root:
            cls = set((parent.get("class") or "").split())
            if parent.tag != "section" and not cls & _TOC_CONTAINERS:
                ok = False
                break
            parent = parent.getparent()
        out.append(ok)
    return out


def structure_appendix(
    appendix: str, taken: set[str], title_id: str = "derivations-title", depth: int = 2
) -> tuple[str, list[Heading]]:
    """The 推导与注释 appendix fitted into the post's heading hierarchy, and its contents.

    The appendix title stays an h2 like the post's sections; the note's own headings are
    moved down so the highest of them is an h3 (their order and relative levels kept).
    Headings without an id, or whose id the post already uses (``taken``), get a unique
    ``deriv-…`` id.  Returns the new HTML (only heading tags changed, every other byte
    kept) and the contents entries: the title at level 1, then the appendix's own sections
    of the ``depth`` highest levels at levels 2, 3….
    """
    found = list(_HEADING_RE.finditer(appendix))
    if not found:
        return appendix, []
    listed = _listed_positions(appendix)
    if len(listed) != len(found):  # a heading the parser sees differently: list none inside
        listed = [False] * len(found)
    titles = [title_id in _ID_ATTR_RE.findall(m.group(2)) for m in found]
    inner_levels = [int(m.group(1)) for m, t in zip(found, titles, strict=True) if not t]
    shift = max(0, 3 - min(inner_levels)) if inner_levels else 0
    used = set(taken)
    out, entries, last = [], [], 0
    kept_levels = sorted(
        {
            min(6, int(m.group(1)) + shift)
            for m, ok, t in zip(found, listed, titles, strict=True)
            if ok and not t
        }
    )
    for m, ok, is_title in zip(found, listed, titles, strict=True):
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        ids = _ID_ATTR_RE.findall(attrs)
        if not is_title:
            level = min(6, level + shift)
        hid = htmllib.unescape(ids[0]) if ids else ""
        if not hid or (hid in used and not is_title):
            text = htmllib.unescape(_TAG_RE.sub("", element.ELEMENT_RE.sub(" ", inner)))
            base = "deriv-" + slugify_heading(text)
            hid, n = base, 1
            while hid in used:
                hid, n = f"{base}_{n}", n + 1
            attrs = (
                _ID_ATTR_RE.sub(f'id="{htmllib.escape(hid)}"', attrs, count=1)
                if ids
                else f' id="{htmllib.escape(hid)}"{attrs}'
            )
        used.add(hid)
        out.append(appendix[last : m.start()])
        out.append(f"<h{level}{attrs}>{inner}</h{level}>")
        last = m.end()
        label = _HEADERLINK_RE.sub("", inner).strip()
        if is_title:
            entries.append(Heading(1, hid, label, "notes"))
        elif ok and level in kept_levels[:depth]:
            entries.append(Heading(2 + kept_levels.index(level), hid, label, "notes"))
    out.append(appendix[last:])
    return "".join(out), entries


# ---------- the page's meta description ----------

# besides the formulas: code, panels, figures, tables and headings are not the summary
_MATH_ELEMENT_RE = _skip_re("pre", "script", "style", "details", "figure", "table", "h[1-6]")
_SENTENCE_END_RE = re.compile(r"[。！？；!?;]|\.(?=\s|$)")


_PLAIN_TEX_RE = re.compile(r"\$\s*([A-Za-z0-9]{1,12})\s*\$")


def _plain_math(m: re.Match) -> str:
    """A formula that is only a name or a number (``$x$``, ``$K$``) reads as text; any other
    is left out."""
    plain = _PLAIN_TEX_RE.fullmatch(htmllib.unescape(_TAG_RE.sub("", m.group(0))).strip())
    return f" {plain.group(1)} " if plain else " "


def meta_description(html: str, limit: int = 150) -> str:
    """Plain text for ``<meta name="description">``: the HTML's prose without formulas,
    code or markup, cut after the last sentence end within ``limit`` characters (or at
    ``limit`` with an ellipsis when the first sentence is longer)."""
    text = htmllib.unescape(_TAG_RE.sub(" ", _MATH_ELEMENT_RE.sub(_plain_math, html)))
    text = re.sub(r"\s+", " ", text).strip()
    # white space left where a formula was, next to Chinese punctuation or text
    text = re.sub(r" (?=[，。、；：！？）》」])|(?<=[，。、；：！？（《「]) ", "", text)
    text = re.sub(f"(?<=[{cjk.HAN_BMP}]) (?=[{cjk.HAN_BMP}])", "", text)
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text, 0, limit + 1)]
    if ends and (ends[-1] >= limit // 3 or len(text) <= limit):
        return text[: ends[-1]].strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
