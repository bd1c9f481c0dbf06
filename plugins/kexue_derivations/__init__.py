"""Pelican adapter: attach the derivation notes of content/derivations/ to their posts.

A post with a note gets its anchored sections as closed panels right after their
equations (kexue.notes.annotate; the post's own bytes are kept) and
``article.derivation`` (the note, the appendix HTML, the panel count) for the theme's
partials/derivations_*.html.  A post without a note is not touched.  A note whose post is
not in content/ becomes a hidden page at the post's URL, linking to the original.

Notes are rendered as CommonMark (kexue.notes.markdown) with the posts' math and HTML
allowlist; the rendered sections are cached in CACHE_PATH/derivation-notes.json when the
content cache is on.

A note that is not ready (kexue.notes.Note.kind: a stub with nothing written, or
``Status: draft``) is attached only with ``"unpublished": True`` (pelicanconf.py, the
development build), marked as unpublished and never badged or counted; publishconf.py
leaves it out.

Settings: ``KEXUE_DERIVATIONS = {"path": "derivations", "unpublished": False}`` (path under
PATH).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.contents import Page

from kexue.core.posts import PostFormatError, read_post
from kexue.notes import Annotated, Note, NoteRenderer, find_post_file, standalone_html
from kexue.site import memos as derived
from kexue.site.pelican import (
    cache_folder,
    derived_folder,
    forget_rendered,
    page_html,
    set_page_html,
)
from kexue.site.plugin_settings import feature_settings

logger = logging.getLogger(__name__)
_ORPHANS = "kexue_derivation_orphans"


def _settings(settings) -> dict:
    return feature_settings(settings, "KEXUE_DERIVATIONS")


def _renderer(settings) -> NoteRenderer:
    """The notes' Markdown (markdown-it-py, kexue.notes.markdown); its results cached next
    to Pelican's when the content cache is on (CACHE_PATH changes with the code)."""
    folder = cache_folder(settings)
    return NoteRenderer(folder / "derivation-notes.json" if folder else None)


@dataclass
class Derivation:
    """What the templates see as ``article.derivation``."""

    note: Note
    panels: int
    appendix_html: str

    @property
    def status(self) -> str:
        return self.note.status

    @property
    def status_label(self) -> str:
        return self.note.status_label

    @property
    def published(self) -> bool:
        """False for a stub or draft shown by a development build: no badge, no count."""
        return self.note.publishable

    @property
    def kind(self) -> str:
        return self.note.kind

    @property
    def authors(self) -> list[str]:
        return self.note.authors

    @property
    def date(self) -> str:
        return self.note.date

    @classmethod
    def of(cls, result: Annotated) -> Derivation:
        return cls(result.note, result.panels, result.appendix_html)


def attach_notes(generator) -> None:
    content = Path(generator.settings["PATH"])
    # parsed and attached by content hash: an unchanged note costs a lookup (kexue.site.memos)
    folder = derived_folder(generator.settings)
    notes_memo, annotate_memo = derived.memo("notes", folder), derived.memo("annotate", folder)
    notes, errors = derived.load_notes(content, _settings(generator.settings)["path"], notes_memo)
    notes_memo.save()
    for error in errors:
        logger.error("derivation note skipped: %s", error)
    if not _settings(generator.settings)["unpublished"]:
        held = sorted(pid for pid, n in notes.items() if not n.publishable)
        notes = {pid: n for pid, n in notes.items() if n.publishable}
        if held:
            logger.info("derivation notes not published (stub or draft): %d", len(held))
    render = _renderer(generator.settings)
    articles = [*generator.articles, *generator.translations, *generator.drafts]
    annotated = []
    for article in articles:
        note = notes.pop(article.slug, None)
        if note is None:
            continue
        try:
            body = read_post(Path(article.source_path)).body
        except PostFormatError as e:
            logger.error("derivation note %s not attached: %s", note.path, e)
            continue
        result = derived.annotate(page_html(article), body, note, render, annotate_memo)
        for lost in (p for p in result.placed if p.target is None):
            logger.warning(
                "%s:%d: @%s not found in post %s; shown in the appendix (run `invoke check`)",
                note.path,
                lost.section.line,
                lost.section.anchor,
                article.slug,
            )
        set_page_html(article, result.html)
        annotated.append(article)
        article.derivation = Derivation.of(result)
    forget_rendered(annotated)
    annotate_memo.save()
    generator.context[_ORPHANS] = (notes, render)


def add_orphan_pages(generator) -> None:
    """A note whose post is not in content/: a page of its own at the post's URL."""
    notes, render = generator.context.pop(_ORPHANS, ({}, None))
    if render is None:
        return
    content = Path(generator.settings["PATH"])
    for post_id, note in sorted(notes.items()):
        if find_post_file(content, post_id):
            continue  # its post is in content/ but not on the site (a sample left out)
        url = generator.settings["ARTICLE_URL"].format(slug=post_id)
        save_as = generator.settings["ARTICLE_SAVE_AS"].format(slug=post_id)
        page = Page(
            standalone_html(note, render),
            metadata={
                "title": note.extra.get("Title") or f"科学空间文章 {post_id} 的推导注释",
                "slug": f"derivation-{post_id}",
                "status": "hidden",
                "url": url,
                "save_as": save_as,
            },
            settings=generator.settings,
            source_path=note.path,
            context=generator.context,
        )
        page.derivation_orphan = note
        generator.hidden_pages.append(page)
        logger.info("derivation note %s has no post in content/: written as %s", note.path, url)
    render.save()


def register():
    signals.article_generator_finalized.connect(attach_notes)
    signals.page_generator_finalized.connect(add_orphan_pages)
