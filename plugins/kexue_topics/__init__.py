"""Pelican adapter: each article's category is its primary topic, secondary topics join its tags.

The classifier is kexue.topics (taxonomy in data/topics.toml, or the file named by the
setting TOPICS_TAXONOMY).  Before Pelican groups articles by category and tag, every
article is classified from its content file, exactly as `invoke topics --explain` does:

Overrides: the post's ``Topic:`` header, else content/overrides/topics.json; the earlier
mirror's assignments (content/overrides/legacy-topics.json) only with the setting
``TOPICS_LEGACY_OVERRIDES = True``.

- ``article.category``: a Category named after the primary topic, with the topic's slug
  (so its page is category/<slug>/);
- ``article.tags``: the post's own tags, only those the site shows
  (kexue.core.tags.shown_tags: held by ``KEXUE_TAGS["min_posts"]`` posts or more, 2 by
  default, not named like a topic, case variants under one spelling); secondary topics are
  in ``topic_secondary``, not tags;
- ``article.topic`` (slug), ``article.topic_secondary`` (slugs) for templates;
- the template context gets TOPICS: one entry per topic of the taxonomy with slug, name,
  description, count (articles whose primary topic it is) and url (its category page).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.urlwrappers import Category, Tag

from kexue.core.posts import PostFormatError
from kexue.core.tags import shown_tags, tag_key
from kexue.site import memos as derived
from kexue.site.pelican import derived_folder
from kexue.site.plugin_settings import feature_settings, plugin_setting
from kexue.topics import (
    Taxonomy,
    TaxonomyError,
    UnknownTopicError,
    load_overrides,
    load_taxonomy,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicEntry:
    slug: str
    name: str
    description: str
    count: int
    url: str


def _taxonomy(settings) -> Taxonomy:
    path = plugin_setting(settings, "TOPICS_TAXONOMY")
    return load_taxonomy(Path(path) if path else None)


def _classify_article(article, taxonomy: Taxonomy, overrides: dict, settings, memo, context):
    path = Path(article.source_path)
    try:
        try:
            result = derived.classify_file(path, taxonomy, context, memo, overrides=overrides)
        except UnknownTopicError as e:
            log.error("%s: %s; the classifier decides instead", article.source_path, e)
            result = derived.classify_file(path, taxonomy, context, memo, use_override=False)
    except PostFormatError as e:
        log.error("kexue_topics: %s; the post is filed under %s", e, taxonomy.fallback)
        article.category = _category(taxonomy, taxonomy.fallback, settings)
        return
    article.category = _category(taxonomy, result.primary, settings)
    article.topic = result.primary
    article.topic_secondary = list(result.secondary)


def _category(taxonomy: Taxonomy, slug: str, settings) -> Category:
    category = Category(taxonomy[slug].name, settings)
    category.slug = slug
    return category


def assign_topics(generator) -> None:
    taxonomy = _taxonomy(generator.settings)
    try:
        overrides = load_overrides(
            generator.settings["PATH"],
            plugin_setting(generator.settings, "TOPICS_LEGACY_OVERRIDES"),
        )
    except TaxonomyError as e:
        log.error("%s; no topic overrides are used", e)
        overrides = {}
    # classified by content hash: an unchanged post costs a lookup (kexue.site.memos)
    memo = derived.memo("topics", derived_folder(generator.settings))
    context = derived.topics_context(taxonomy, overrides)
    for group in ("articles", "translations", "hidden_articles", "drafts"):
        for article in getattr(generator, group, []):
            _classify_article(article, taxonomy, overrides, generator.settings, memo, context)
    memo.save()
    counts: dict[str, int] = {}
    for article in generator.articles:
        counts[article.topic] = counts.get(article.topic, 0) + 1
    url = generator.settings.get("CATEGORY_URL", "category/{slug}.html")
    generator.context["TOPICS"] = [
        TopicEntry(t.slug, t.name, t.description, counts.get(t.slug, 0), url.format(slug=t.slug))
        for t in taxonomy.topics
    ]
    show_tags(generator, taxonomy)


def show_tags(generator, taxonomy: Taxonomy) -> None:
    """Keep on each article only the tags that get a page and a filter entry."""
    names = [t.name for t in taxonomy.topics]
    names += [n for n, slug in taxonomy.legacy_names.items() if slug]
    tag_lists = [[t.name for t in getattr(a, "tags", []) or []] for a in generator.articles]
    minimum = feature_settings(generator.settings, "KEXUE_TAGS")["min_posts"]
    shown = shown_tags(tag_lists, names, minimum)
    for group in ("articles", "translations", "hidden_articles", "drafts"):
        for article in getattr(generator, group, []):
            tags = {}
            for tag in getattr(article, "tags", []) or []:
                key = tag_key(tag.name)
                if key in shown and key not in tags:
                    tags[key] = Tag(shown[key], generator.settings)
            article.tags = list(tags.values())


def register():
    signals.article_generator_pretaxonomy.connect(assign_topics)
