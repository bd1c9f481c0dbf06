"""Pelican adapter: read kexue content files, whose empty header fields mean "unknown".

Crawled and imported posts keep every header key, some empty (a legacy file with no
date has ``Date:`` empty; nothing is invented).  Pelican would fail on an empty date, so
empty fields are dropped before Pelican parses them, and a post with no date gets a
sentinel date (sorted last) and ``date_unknown = True`` for the theme to say 日期未知.

The sample posts (content/samples/) are read only while content/ holds no real post, or
as ``KEXUE_SAMPLES`` (True, False, or "auto", the default) says.

Every post's summary is built from text (kexue.reading.summaries): the ``Summary:`` header as
written (FORMATTED_FIELDS is empty: never Markdown or HTML), else the text of its first
paragraphs; ``summary`` is that text escaped, with its formulas as math elements, and
``summary_text`` the plain text for the meta description.  The reader's Markdown ends
with the site's HTML allowlist (kexue.site.sanitize), whatever MARKDOWN says.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.readers import MarkdownReader

from kexue.core.posts import samples_shown
from kexue.reading.summaries import plain_text, text_summary, text_with_math

UNKNOWN_DATE = datetime(1970, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


class KexueMarkdownReader(MarkdownReader):
    def _parse_metadata(self, meta):
        kept = {k: v for k, v in meta.items() if any(str(x).strip() for x in v)}
        return super()._parse_metadata(kept)

    def read(self, source_path):
        content, metadata = super().read(source_path)
        if "date" not in metadata and "/pages/" not in source_path.replace("\\", "/"):
            metadata["date"] = UNKNOWN_DATE
            metadata["date_unknown"] = True
        given = metadata.get("summary")
        text = str(given) if given else text_summary(content)
        metadata["summary_authored"] = bool(given)
        metadata["summary"] = text_with_math(text)
        metadata["summary_text"] = plain_text(text)
        return content, metadata


def use_reader(readers):
    for ext in KexueMarkdownReader.file_extensions:
        readers.reader_classes[ext] = KexueMarkdownReader


def add_sanitizer(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault("kexue.site.sanitize", {})


def choose_samples(pelican):
    """Leave content/samples/ out of ARTICLE_PATHS when the samples are not shown."""
    settings = pelican.settings
    if not samples_shown(settings["PATH"], settings.get("KEXUE_SAMPLES", "auto")):
        settings["ARTICLE_PATHS"] = [p for p in settings["ARTICLE_PATHS"] if p != "samples"]


def feed_titles(context, feed):
    """Pelican writes a feed item's title as ``Markup(title).striptags()``, which decodes
    entities (``&lt;img`` becomes ``<img``) and drops what looks like a tag: put back
    each post's title as written (the feed escapes it as text)."""
    by_url = {a.url: a.title for a in (*context.get("articles", ()), *context.get("pages", ()))}
    for item in feed.items:
        link = str(item.get("link", "")).split("?ref=feed")[0]
        while link and link not in by_url:
            link = link.partition("/")[2] if "/" in link else ""
        if link:
            item["title"] = by_url[link]


def register():
    signals.initialized.connect(add_sanitizer)
    signals.initialized.connect(choose_samples)
    signals.feed_generated.connect(feed_titles)
    signals.readers_init.connect(use_reader)
