"""Pelican adapter: attach what the theme shows around a post, and write the code styles.

Each article and page gets ``toc`` (a list of kexue.reading.Heading) and
``reading_minutes``; each article gets ``related_posts``, ``prev_article`` (older) and
``next_article`` (newer).  Posts of unknown date are chained among themselves and get no
year archive page.
The build writes ``<THEME_STATIC_DIR>/css/pygments.css`` (kexue.theme.pygments_css).

Settings: ``KEXUE_THEME = {"toc_depth": 2, "related": 5}``.
"""

import logging
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Page

from kexue import derived
from kexue.derived_cache import settings_folder
from kexue.reading import Entry, neighbours, related_posts
from kexue.theme import write_pygments_css

logger = logging.getLogger(__name__)
DEFAULTS = {"toc_depth": 2, "related": 5}


def _settings(settings) -> dict:
    given = settings.get("KEXUE_THEME", {})
    for key in set(given) - set(DEFAULTS):
        logger.error("KEXUE_THEME: unknown key %r (known: %s)", key, ", ".join(DEFAULTS))
    return {**DEFAULTS, **given}


def annotate(instance):
    if not isinstance(instance, (Article, Page)):
        return
    html = instance._content or ""
    # by content hash: an unchanged page costs a lookup (kexue.derived)
    memo = derived.memo("reading", settings_folder(instance.settings))
    depth = _settings(instance.settings)["toc_depth"]
    instance.toc, instance.reading_minutes = derived.reading(html, depth, memo)


def link_articles(generator):
    articles = generator.articles  # newest first; unknown dates last
    by_key = {a.slug: a for a in articles}
    entries = [
        Entry(a.slug, str(getattr(a, "category", "") or ""), frozenset(map(str, a.tags or [])))
        for a in articles
    ]
    limit = _settings(generator.settings)["related"]
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
    derived.memo("reading", settings_folder(pelican.settings)).save()


def write_styles(pelican):
    static = pelican.settings.get("THEME_STATIC_DIR", "theme")
    write_pygments_css(Path(pelican.output_path) / static / "css" / "pygments.css")


def register():
    signals.content_object_init.connect(annotate)
    signals.article_generator_finalized.connect(link_articles)
    signals.article_generator_finalized.connect(drop_unknown_dates)
    signals.finalized.connect(write_styles)
    signals.finalized.connect(save_derived)
