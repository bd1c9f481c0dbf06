"""The per-post results the build derives, through kexue.derived_cache (by content hash).

Each function does what the named kexue function does, but looks the result up by a
digest of its inputs and of the code computing it first:

- :func:`classify_file`: a post file's topics (kexue.topics.classify);
- :func:`load_notes`: the derivation notes parsed (kexue.derivations.parse_note: the
  TeX scan for code ranges, the sections);
- :func:`annotate`: a post with its note attached (kexue.derivations.annotate: the post's
  TeX spans and equation numbers, the sections rendered and placed);
- :func:`reading`: a page's table of contents and reading time (kexue.reading);
- :func:`summary`: a list summary cut with whole formulas (kexue.markdown_math);
- :func:`search_documents`: the search documents of a built site's post pages
  (kexue.search.read_post_page and index_document), by the bytes of each page.

A Memo of ``folder=None`` keeps results for this process only (no cache file).
"""

from __future__ import annotations

import json
from pathlib import Path

from kexue import derived_cache
from kexue.derived_cache import Memo, digest

TOPICS_CODE = ("kexue.topics", "kexue.posts", "kexue.datafiles")
NOTES_CODE = ("kexue.derivations", "kexue.tex")
SEARCH_CODE = ("kexue.search",)
READING_CODE = ("kexue.reading",)
SUMMARY_CODE = ("kexue.markdown_math", "pelican.utils")
ANNOTATE_CODE = ("kexue.derivations", "kexue.tex", "kexue.markdown_math", "kexue.markdown_boxes")


def memo(kind: str, folder: Path | None) -> Memo:
    code = {
        "topics": TOPICS_CODE,
        "notes": NOTES_CODE,
        "annotate": ANNOTATE_CODE,
        "search": SEARCH_CODE,
        "reading": READING_CODE,
        "summary": SUMMARY_CODE,
    }[kind]
    return derived_cache.memo(kind, folder, code)


def topics_context(taxonomy, overrides: dict) -> str:
    """What besides the post decides its topics: the taxonomy file and the overrides."""
    return digest(Path(taxonomy.path).read_bytes(), json.dumps(overrides, sort_keys=True))


def classify_file(path: Path, taxonomy, context: str, memo: Memo, **kw):
    """kexue.topics.classify of the post file ``path`` (errors are raised, not cached)."""
    from kexue.posts import read_post
    from kexue.topics import classify

    key = memo.key(Path(path).read_bytes(), context, repr(sorted(kw.items())))
    return memo(key, lambda: classify(read_post(Path(path)), taxonomy, **kw))


def load_notes(content: Path, folder: str, memo: Memo):
    """kexue.derivations.load_notes, each note parsed once per content."""
    from kexue.derivations import NoteFormatError, iter_note_files, parse_note

    notes, errors = {}, []
    for path in iter_note_files(content, folder):
        text = path.read_text(encoding="utf-8")
        try:
            note = memo(memo.key(text, str(path)), lambda t=text, p=path: parse_note(t, p))
        except NoteFormatError as e:
            errors.append(str(e))
            continue
        notes[note.post_id] = note
    return notes, errors


def annotate(post_html: str, post_body: str, note, render, memo: Memo):
    """kexue.derivations.annotate, by the post's HTML and Markdown, the note file's text
    and the notes' Markdown setup."""
    from kexue.derivations import annotate as compute

    setup = render._setup  # the notes' Markdown setup, as NoteRenderer keys its own cache
    key = memo.key(post_html, post_body, note.path, note.text, setup)
    return memo(key, lambda: compute(post_html, post_body, note, render))


def reading(html: str, depth: int, memo: Memo):
    """(kexue.reading.headings, kexue.reading.reading_minutes) of a page's HTML."""
    from kexue.reading import headings, reading_minutes

    key = memo.key(html, str(depth))
    return memo(key, lambda: (headings(html, depth=depth), reading_minutes(html)))


def summary(html: str, setup: str, cut, memo: Memo) -> str:
    """``cut(html)``, by the HTML and ``setup`` (what else decides the cut)."""
    return memo(memo.key(html, setup), lambda: cut(html))


def search_documents(output: Path, folder: Path | None) -> tuple[list[dict], dict[str, str]]:
    """(listing entries, {url: search document}) of the post pages under ``output``."""
    from kexue.search import index_document, iter_page_files, read_post_page

    # a dot folder: kexue.search keeps its bundles in the other folders of ``folder``
    m = memo("search", Path(folder) / ".derived" if folder else None)

    def compute(path: Path, url: str):
        record = read_post_page(path, url)
        return None if record is None else (record.listing(), index_document(record))

    listings, docs = [], {}
    for path, url in iter_page_files(Path(output)):
        found = m(m.key(url, path.read_bytes()), lambda p=path, u=url: compute(p, u))
        if found is not None:
            listings.append(found[0])
            docs[url] = found[1]
    m.save()
    return listings, docs
