"""Topics: the taxonomy (data/topics.toml) and a classifier that explains itself.

Every post gets one primary topic (its Pelican category) and a few secondary topics (its
extra tags).  Each topic in the taxonomy has weighted signals on five fields of a post --
title, headings, body, the source's tags and the source's category -- and the classifier
scores every topic by summing the signals that fire:

    taxonomy = load_taxonomy()
    result = classify(post, taxonomy)        # result.primary == "optimization"
    print(explain(result, taxonomy))         # top scores with the evidence behind them

Overrides: a ``Topic:`` header value, else the post's entry in content/overrides/topics.json
(``{"<id>": "<topic>"}``, written by `invoke import-legacy` from the earlier mirror's
assignments), decides instead of the classifier.  A value may be a slug, a topic's name or
a legacy topic name mapped in the data file's [legacy_names] table.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.datafiles import DataFileError, read_toml
from kexue.core.errors import InputError
from kexue.core.paths import DATA
from kexue.core.posts import Post, PostFormatError, iter_post_files, read_post
from kexue.core.problems import CheckContext, Problem

TAXONOMY_PATH = DATA / "topics.toml"
OVERRIDES = Path("overrides") / "topics.json"  # under content/
#: The earlier mirror's assignments, applied only on request (TOPICS_LEGACY_OVERRIDES).
LEGACY_OVERRIDES = Path("overrides") / "legacy-topics.json"
FIELDS = ("title", "headings", "body", "tags", "category")
SETTINGS = {
    "fallback": str,
    "min_score": (int, float),
    "secondary_ratio": (int, float),
    "secondary_min": (int, float),
    "max_secondary": int,
    "body_count_cap": int,
}
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9 .+\-]*[A-Za-z0-9]|[A-Za-z]")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


class TaxonomyError(DataFileError):
    """The taxonomy file is not valid; the message names the file and the key."""


class UnknownTopicError(InputError):
    """A ``Topic:`` header names no topic of the taxonomy."""


@dataclass(frozen=True)
class Signal:
    field: str
    term: str
    weight: float
    pattern: re.Pattern = field(repr=False, compare=False)
    # the bare term: where it does not occur, ``pattern`` cannot match (and the bare term
    # is found fast, while the whole-word pattern is matched character by character)
    probe: re.Pattern | None = field(default=None, repr=False, compare=False)

    @classmethod
    def make(cls, field_name: str, term: str, weight: float) -> Signal:
        text = re.escape(term)
        probe = None
        if _LATIN_TERM.fullmatch(term):  # whole words only; allow a plural "s"
            probe = re.compile(text, re.I)
            text = rf"(?<![A-Za-z]){text}(?:s|es)?(?![A-Za-z])"
        return cls(field_name, term, float(weight), re.compile(text, re.I), probe)


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Taxonomy:
    path: Path
    topics: tuple[Topic, ...]
    fallback: str = "other"
    min_score: float = 6.0
    secondary_ratio: float = 0.6
    secondary_min: float = 12.0
    max_secondary: int = 2
    body_count_cap: int = 200
    legacy_names: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, slug: str) -> Topic:
        for topic in self.topics:
            if topic.slug == slug:
                return topic
        raise KeyError(slug)

    @property
    def slugs(self) -> list[str]:
        return [t.slug for t in self.topics]

    def resolve(self, value: str, where: str = "<post>") -> str | None:
        """The slug a ``Topic:`` value means; None when it defers to the classifier."""
        value = value.strip()
        if not value:
            return None
        folded = value.casefold()
        # slugs first, then legacy names (so the old mirror's 其他, "no topic", can defer
        # to the classifier although it is also the name of `other`), then topic names
        for topic in self.topics:
            if folded == topic.slug.casefold():
                return topic.slug
        for name, slug in self.legacy_names.items():
            if folded == name.casefold():
                return slug or None
        for topic in self.topics:
            if folded == topic.name.casefold():
                return topic.slug
        raise UnknownTopicError(
            f"{where}: `Topic: {value}` is not a topic of {self.path}; use one of "
            f"{', '.join(self.slugs)} (or a topic's name, or add it to [legacy_names])"
        )


def _check_settings(settings: dict, fail) -> None:
    """The ``[settings]`` table: known keys, each of its type."""
    for key, value in settings.items():
        if key not in SETTINGS:
            fail(f"settings.{key}", f"unknown setting (known: {', '.join(SETTINGS)})")
        if not isinstance(value, SETTINGS[key]) or isinstance(value, bool):
            fail(f"settings.{key}", f"has the wrong type ({type(value).__name__})")


def _parse_topic(raw: dict, i: int, seen: set[str], fail) -> Topic:
    """The ``i``-th ``[[topic]]`` table, validated (``seen``: the slugs before it)."""
    where = f"topic[{i}]"
    for key in ("slug", "name", "description"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            fail(
                f"{where}.{key}",
                "missing or empty (every topic needs slug, name and description)",
            )
    slug = raw["slug"]
    where = f"topic {slug!r}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        fail(f"{where}.slug", "use lower-case letters, digits and '-' (it is the URL slug)")
    if slug in seen:
        fail(f"{where}.slug", "defined twice")
    unknown = set(raw) - {"slug", "name", "description", *FIELDS}
    if unknown:
        fail(f"{where}.{sorted(unknown)[0]}", f"unknown key (signal tables: {', '.join(FIELDS)})")
    signals = _parse_signals(raw, where, fail)
    return Topic(slug, raw["name"].strip(), raw["description"].strip(), signals)


def _parse_signals(raw: dict, where: str, fail) -> tuple[Signal, ...]:
    """The signal tables (``FIELDS``) of one topic table, validated."""
    signals = []
    for field_name in FIELDS:
        table = raw.get(field_name, {})
        if not isinstance(table, dict):
            fail(f"{where}.{field_name}", "must be a table of `term = weight`")
        for term, weight in table.items():
            if not isinstance(weight, (int, float)) or isinstance(weight, bool):
                fail(f"{where}.{field_name}.{term!r}", "the weight must be a number")
            if not term.strip():
                fail(f"{where}.{field_name}", "an empty term")
            signals.append(Signal.make(field_name, term, weight))
    return tuple(signals)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate the taxonomy; errors name the file and the offending key."""
    path = Path(path) if path else TAXONOMY_PATH
    data = read_toml(path, "taxonomy file", TaxonomyError)

    def fail(key: str, message: str):
        raise TaxonomyError(f"{path}: {key}: {message}")

    unknown = set(data) - {"settings", "legacy_names", "topic"}
    if unknown:
        fail(", ".join(sorted(unknown)), "unknown table (expected settings, legacy_names, topic)")
    settings = data.get("settings", {})
    _check_settings(settings, fail)

    topics: list[Topic] = []
    raw_topics = data.get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        fail("topic", "no [[topic]] tables: define at least one topic")
    for i, raw in enumerate(raw_topics):
        topics.append(_parse_topic(raw, i, {t.slug for t in topics}, fail))

    slugs = {t.slug for t in topics}
    fallback = settings.get("fallback", "other")
    if fallback not in slugs:
        fail("settings.fallback", f"{fallback!r} is not a topic slug")
    legacy = data.get("legacy_names", {})
    for name, slug in legacy.items():
        if not isinstance(slug, str) or (slug and slug not in slugs):
            fail(f"legacy_names.{name!r}", f'{slug!r} is not a topic slug (or "" to defer)')
    return Taxonomy(
        path=path,
        topics=tuple(topics),
        legacy_names=dict(legacy),
        **{k: v for k, v in settings.items()},
    )


# -- reading a post ---------------------------------------------------------------------


@dataclass(frozen=True)
class PostText:
    """The parts of a post the signals look at."""

    title: str
    headings: tuple[str, ...]
    body: str
    tags: tuple[str, ...]
    category: str

    @classmethod
    def of(cls, post: Post) -> PostText:
        body = _FENCE.sub(" ", post.body)
        body = _LINK_TARGET.sub("]", body)  # link text counts, URLs do not
        headings = tuple(h.strip() for h in _HEADING.findall(body))
        return cls(post.title, headings, body, tuple(post.tags), post.source_category.strip())


# -- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    field: str
    term: str
    count: int
    points: float

    def __str__(self) -> str:
        times = f"×{self.count}" if self.count > 1 else ""
        return f"{self.field} {self.term!r}{times} {self.points:+.1f}"


@dataclass(frozen=True)
class TopicScore:
    slug: str
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Classification:
    post_id: str
    title: str
    primary: str
    secondary: tuple[str, ...]
    scores: tuple[TopicScore, ...]  # every topic, best first
    override: str = ""  # the header's `Topic:` value when it decided
    reason: str = ""
    classifier_choice: str = ""  # what the scores alone choose (differs only under override)

    def score_of(self, slug: str) -> TopicScore:
        return next(s for s in self.scores if s.slug == slug)


def _fire(signal: Signal, text: PostText, cap: int) -> Evidence | None:
    if signal.field == "title":
        count = 1 if signal.pattern.search(text.title) else 0
        points = signal.weight * count
    elif signal.field == "headings":
        count = sum(1 for h in text.headings if signal.pattern.search(h))
        points = signal.weight * math.log2(1 + count)
    elif signal.field == "body":
        if signal.probe is not None and not signal.probe.search(text.body):
            return None
        count = min(len(signal.pattern.findall(text.body)), cap)
        points = signal.weight * math.log2(1 + count)
    elif signal.field == "tags":
        count = sum(1 for t in set(text.tags) if signal.pattern.fullmatch(t.strip()))
        points = signal.weight * min(count, 1)
    else:
        count = 1 if text.category and signal.pattern.fullmatch(text.category) else 0
        points = signal.weight * count
    return Evidence(signal.field, signal.term, count, round(points, 3)) if count else None


def score_topics(post: Post, taxonomy: Taxonomy) -> tuple[TopicScore, ...]:
    """Every topic's score for ``post`` with its evidence, best first (ties: taxonomy order)."""
    text = PostText.of(post)
    scores = []
    for topic in taxonomy.topics:
        evidence = [e for s in topic.signals if (e := _fire(s, text, taxonomy.body_count_cap))]
        evidence.sort(key=lambda e: -abs(e.points))
        scores.append(
            TopicScore(topic.slug, round(sum(e.points for e in evidence), 3), tuple(evidence))
        )
    order = {slug: i for i, slug in enumerate(taxonomy.slugs)}
    return tuple(sorted(scores, key=lambda s: (-s.score, order[s.slug])))


def _read_overrides(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise TaxonomyError(f"{path}: not valid JSON ({e}); fix or delete the file") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise TaxonomyError(f'{path}: expected an object {{"<post id>": "<topic>", ...}}')
    return {str(k): v for k, v in data.items()}


def load_overrides(content: Path | str, legacy: bool = False) -> dict[str, str]:
    """content/overrides/topics.json as {post id: topic value}; {} when there is none.

    With ``legacy``, the earlier mirror's assignments (content/overrides/legacy-topics.json,
    written by `invoke import-legacy`) apply too, and topics.json wins over them; by default
    they are not applied (the classifier is right more often: README, "Topics")."""
    out = _read_overrides(Path(content) / LEGACY_OVERRIDES) if legacy else {}
    out.update(_read_overrides(Path(content) / OVERRIDES))
    return out


def _override(post: Post, overrides: Mapping[str, str] | None) -> tuple[str, str]:
    """(value, where it comes from) of the override that applies to ``post``."""
    if post.topic.strip():
        return post.topic.strip(), "`Topic: {}` in the post's header overrides"
    value = (overrides or {}).get(post.id, "").strip()
    return value, f"{{}} in {OVERRIDES.as_posix()} overrides"


def classify(
    post: Post,
    taxonomy: Taxonomy,
    use_override: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> Classification:
    """The post's primary and secondary topics, the scores, and why.

    ``overrides`` maps post ids to topic values (see load_overrides); the post's own
    ``Topic:`` header comes first.  Raises UnknownTopicError for a value naming no topic.
    """
    scores = score_topics(post, taxonomy)
    value, source = _override(post, overrides)
    forced = taxonomy.resolve(value, f"post {post.id}") if use_override else None
    best = scores[0]
    if best.score < taxonomy.min_score:
        chosen = taxonomy.fallback
        reason = (
            f"no topic reaches min_score {taxonomy.min_score:g} "
            f"(best: {best.slug} {best.score:.1f}), so {taxonomy.fallback}"
        )
    else:
        chosen = best.slug
        runner = next((s for s in scores if s.slug != chosen), None)
        margin = f", ahead of {runner.slug} {runner.score:.1f}" if runner else ""
        reason = f"highest score {best.score:.1f}{margin}"
    primary = forced or chosen
    if forced:
        reason = f"{source.format(value)} the classifier (which alone would choose {chosen})"
    lead = next(s.score for s in scores if s.slug == primary)
    threshold = max(taxonomy.secondary_min, taxonomy.secondary_ratio * lead)
    secondary = tuple(
        s.slug
        for s in scores
        if s.slug not in (primary, taxonomy.fallback) and s.score >= threshold
    )[: taxonomy.max_secondary]
    return Classification(
        post_id=post.id,
        title=post.title,
        primary=primary,
        secondary=secondary,
        scores=scores,
        override=value if forced else "",
        reason=reason,
        classifier_choice=chosen,
    )


# -- reporting ---------------------------------------------------------------------------


def explain(result: Classification, taxonomy: Taxonomy, top: int = 4, evidence: int = 8) -> str:
    """A readable account of a classification: the choice, then the top scores' evidence."""
    topic = taxonomy[result.primary]
    lines = [
        f"{result.post_id}  {result.title}",
        f"topic: {topic.slug} ({topic.name}) -- {result.reason}",
    ]
    if result.secondary:
        names = ", ".join(f"{s} ({taxonomy[s].name})" for s in result.secondary)
        lines.append(f"secondary (added to tags): {names}")
    lines.append(
        f"scores (min_score {taxonomy.min_score:g}; secondary needs "
        f">= {taxonomy.secondary_min:g} and {taxonomy.secondary_ratio:g} x primary):"
    )
    shown = [s for s in result.scores[:top] if s.score or s.slug == result.primary]
    if result.primary not in {s.slug for s in shown}:
        shown.append(result.score_of(result.primary))
    for score in shown:
        mark = (
            "*"
            if score.slug == result.primary
            else ("+" if score.slug in result.secondary else " ")
        )
        lines.append(f" {mark} {score.slug:<13} {score.score:7.1f}")
        for item in score.evidence[:evidence]:
            lines.append(f"       {item}")
        if len(score.evidence) > evidence:
            rest = sum(e.points for e in score.evidence[evidence:])
            lines.append(f"       … {len(score.evidence) - evidence} more signals {rest:+.1f}")
    return "\n".join(lines)


@dataclass
class TopicReport:
    results: list[Classification]
    taxonomy: Taxonomy

    @property
    def counts(self) -> Counter:
        return Counter(r.primary for r in self.results)

    @property
    def fallback_share(self) -> float:
        return self.counts[self.taxonomy.fallback] / len(self.results) if self.results else 0.0

    def render(self, candidates: int = 3) -> str:
        tax = self.taxonomy
        total = len(self.results)
        counts = self.counts
        overridden = sum(1 for r in self.results if r.override)
        lines = [f"{total} posts; {overridden} decided by a `Topic:` header", "distribution:"]
        for topic in tax.topics:
            n = counts[topic.slug]
            share = n / total if total else 0.0
            lines.append(f"  {topic.slug:<13} {n:5d}  {share:6.1%}  {topic.name}")
        left = [r for r in self.results if r.primary == tax.fallback]
        lines.append(f"left in {tax.fallback} ({len(left)}, {self.fallback_share:.1%}):")
        for r in left:
            best = [s for s in r.scores if s.slug != tax.fallback][:candidates]
            cands = ", ".join(f"{s.slug} {s.score:.1f}" for s in best)
            lines.append(f"  {r.post_id:>6}  {r.title}  [{cands}]")
        differ = [r for r in self.results if r.override and r.primary != r.classifier_choice]
        if differ:
            lines.append(f"`Topic:` headers the classifier disagrees with ({len(differ)}):")
            for r in differ:
                lines.append(
                    f"  {r.post_id:>6}  {r.title}  Topic: {r.override} -> {r.primary}; "
                    f"classifier: {r.classifier_choice}"
                )
        return "\n".join(lines)


def classify_all(
    posts: Iterable[Post],
    taxonomy: Taxonomy,
    use_override: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> TopicReport:
    results = [classify(p, taxonomy, use_override, overrides) for p in posts]
    return TopicReport(results, taxonomy)


def check_topics(ctx: CheckContext, taxonomy_path: Path | None = None) -> Iterator[Problem]:
    """`invoke check`: a broken taxonomy, or `Topic:` values it does not know."""
    content = ctx.content

    try:
        taxonomy = load_taxonomy(taxonomy_path)
    except TaxonomyError as e:
        yield Problem(str(taxonomy_path or TAXONOMY_PATH), 0, str(e))
        return
    for path in iter_post_files(content):
        try:
            taxonomy.resolve(read_post(path).topic, str(path))
        except PostFormatError:
            continue  # reported by the post-headers check
        except UnknownTopicError as e:
            yield Problem(str(path), 0, str(e).removeprefix(f"{path}: "))
    for name in (OVERRIDES, LEGACY_OVERRIDES):
        overrides_file = Path(content) / name
        try:
            # Each file alone: the legacy one is checked even when it is not applied.
            overrides = _read_overrides(overrides_file)
        except TaxonomyError as e:
            yield Problem(str(overrides_file), 0, str(e).removeprefix(f"{overrides_file}: "))
            continue
        for post_id, value in overrides.items():
            try:
                taxonomy.resolve(value, f"post {post_id}")
            except UnknownTopicError as e:
                yield Problem(str(overrides_file), 0, str(e))
