"""Pelican adapter: attach what the theme shows around a post, and write the code styles.

Each article and page gets ``toc`` (a list of kexue.reading.structure.Heading),
``reading_minutes`` and ``description`` (plain text for the meta description), and its
images sizes and lazy loading (kexue.reading.images); each post
from the source gets ``citation`` (kexue.reading.citation, the source's 引用本文 block); each
article gets ``related_posts``, ``prev_article`` (older) and ``next_article`` (newer).
A post's derivation appendix (kexue_derivations) is fitted into its heading hierarchy and
added to its contents just before the post is written.  Posts of unknown date are chained
among themselves and get no year archive page.
The build writes ``<THEME_STATIC_DIR>/css/pygments.css`` (kexue.site.pygments_css).

Settings: ``KEXUE_THEME = {"toc_depth": 2, "related": 5}``.
"""

import logging
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Page

from kexue.core.posts import is_sample
from kexue.reading.citation import cite
from kexue.reading.images import size_images
from kexue.reading.structure import (
    Entry,
    content_terms,
    meta_description,
    neighbours,
    related_posts,
)
from kexue.site import memos as derived
from kexue.site.pelican import derived_folder, page_html, set_page_html
from kexue.site.plugin_settings import feature_settings
from kexue.site.pygments_css import write_pygments_css

logger = logging.getLogger(__name__)


def _settings(settings) -> dict:
    return feature_settings(settings, "KEXUE_THEME")


def annotate(instance):
    if not isinstance(instance, (Article, Page)):
        return
    html = page_html(instance)
    if "<img" in html:  # sizes from the images' bytes, lazy loading off the first screen
        html = size_images(html, Path(instance.settings["PATH"]))
        set_page_html(instance, html)
    # by content hash: an unchanged page costs a lookup (kexue.site.memos)
    memo = derived.memo("reading", derived_folder(instance.settings))
    depth = _settings(instance.settings)["toc_depth"]
    instance.toc, instance.reading_minutes = derived.reading(html, depth, memo)
    summary = instance.metadata.get("summary") or ""
    instance.description = meta_description(summary if summary.strip() else html)
    source = getattr(instance, "source", "") or ""
    if isinstance(instance, Article) and source:
        date = None if getattr(instance, "date_unknown", False) else getattr(instance, "date", None)
        author = str(getattr(instance, "author", "") or "")
        instance.citation = cite(instance.title, source, str(instance.slug), author, date)


# ids the article template itself gives to elements of the page
TEMPLATE_IDS = {"top", "main", "post-title", "toc-heading", "related-heading", "cite-heading"}


def fit_notes(generator, content):
    """The derivation appendix (attached by kexue_derivations after the contents were read)
    joins the post's heading hierarchy and its contents column."""
    derivation = getattr(content, "derivation", None)
    if (
        not derivation
        or not derivation.appendix_html
        or getattr(content, "kexue_notes_fitted", False)
    ):
        return
    depth = _settings(content.settings)["toc_depth"]
    # by content hash, as the contents above: an unchanged post costs a lookup
    memo = derived.memo("appendix", derived_folder(content.settings))
    derivation.appendix_html, entries = derived.appendix(
        derivation.appendix_html, page_html(content), TEMPLATE_IDS, depth, memo
    )
    content.toc = [*getattr(content, "toc", []), *entries]
    content.kexue_notes_fitted = True


def _entry(article) -> Entry:
    tags = frozenset(map(str, article.tags or []))
    terms = content_terms(str(article.title), page_html(article))
    return Entry(article.slug, str(getattr(article, "category", "") or ""), tags | terms)


def link_articles(generator):
    articles = generator.articles  # newest first; unknown dates last
    by_key = {a.slug: a for a in articles}
    limit = _settings(generator.settings)["related"]
    # related by content (topic, tags, terms), a sample only ever for a sample
    for pool in (
        [a for a in articles if not is_sample(a.source_path)],
        [a for a in articles if is_sample(a.source_path)],
    ):
        entries = [_entry(a) for a in pool]
        for key, keys in related_posts(entries, limit).items():
            by_key[key].related_posts = [by_key[k] for k in keys]
    dated = [a.slug for a in reversed(articles) if not getattr(a, "date_unknown", False)]
    undated = [a.slug for a in articles if getattr(a, "date_unknown", False)]
    for chain in (dated, undated):
        for key, (prev, nxt) in neighbours(chain).items():
            by_key[key].prev_article = by_key[prev] if prev else None
            by_key[key].next_article = by_key[nxt] if nxt else None


def drop_unknown_dates(generator):
    """No /archives/1970/ page: posts of unknown date are only in the archives' 日期未知 group."""

    def known(articles):
        return [a for a in articles if not getattr(a, "date_unknown", False)]

    for periods in generator.period_archives.values():
        kept = []
        for period in periods:
            period["articles"], period["dates"] = known(period["articles"]), known(period["dates"])
            if period["dates"]:
                kept.append(period)
        periods[:] = kept


def save_derived(pelican):
    for kind in ("reading", "appendix"):
        derived.memo(kind, derived_folder(pelican.settings)).save()


def write_styles(pelican):
    static = pelican.settings.get("THEME_STATIC_DIR", "theme")
    write_pygments_css(Path(pelican.output_path) / static / "css" / "pygments.css")


def register():
    signals.content_object_init.connect(annotate)
    signals.article_generator_finalized.connect(link_articles)
    signals.article_generator_finalized.connect(drop_unknown_dates)
    signals.article_generator_write_article.connect(fit_notes)
    signals.finalized.connect(write_styles)
    signals.finalized.connect(save_derived)
