"""The per-post results the build derives, through kexue.core.memo (by content hash).

Each function does what the named kexue function does, but looks the result up by a
digest of its inputs and of the code computing it first:

- :func:`classify_file`: a post file's topics (kexue.topics.classify);
- :func:`load_notes`: the derivation notes parsed (kexue.notes.parse_note: the
  TeX scan for code ranges, the sections);
- :func:`annotate`: a post with its note attached (kexue.notes.annotate: the post's
  TeX spans and equation numbers, the sections rendered and placed);
- :func:`reading`: a page's table of contents and reading time (kexue.reading.structure);
- :func:`appendix`: a post's notes appendix fitted into its headings (kexue.reading.structure);

(kexue.search.index.search_documents caches the search documents the same way.)

A Memo of ``folder=None`` keeps results for this process only (no cache file).
"""

from __future__ import annotations

import json
from pathlib import Path

from kexue.core import memo as derived_cache
from kexue.core.header import read_text
from kexue.core.memo import Memo, digest
from kexue.core.posts import read_post
from kexue.notes import NoteFormatError, iter_note_files, parse_note
from kexue.notes import annotate as compute
from kexue.reading.structure import headings, page_ids, reading_minutes, structure_appendix
from kexue.topics import classify

# The function each kind of memo caches: its module and every kexue module that imports
# (kexue.core.codegraph) key the entries, so an edit to any of them recomputes that kind.
COMPUTES = {
    "topics": classify,
    "notes": parse_note,
    "annotate": compute,
    "reading": headings,
    "appendix": structure_appendix,
}


def memo(kind: str, folder: Path | None) -> Memo:
    return derived_cache.memo(kind, folder, (COMPUTES[kind].__module__,))


def topics_context(taxonomy, overrides: dict) -> str:
    """What besides the post decides its topics: the taxonomy file and the overrides."""
    return digest(Path(taxonomy.path).read_bytes(), json.dumps(overrides, sort_keys=True))


def classify_file(path: Path, taxonomy, context: str, memo: Memo, **kw):
    """kexue.topics.classify of the post file ``path`` (errors are raised, not cached)."""
    # the overrides are in ``context`` already (and long: not repr'd for every post)
    flags = repr(sorted((k, v) for k, v in kw.items() if k != "overrides"))
    key = memo.key(Path(path).read_bytes(), context, flags)
    return memo(key, lambda: classify(read_post(Path(path)), taxonomy, **kw))


def load_notes(content: Path, folder: str, memo: Memo):
    """kexue.notes.load_notes, each note parsed once per content."""
    notes, errors = {}, []
    for path in iter_note_files(content, folder):
        try:
            text = read_text(path, NoteFormatError)
            note = memo(memo.key(text, str(path)), lambda t=text, p=path: parse_note(t, p))
        except NoteFormatError as e:
            errors.append(str(e))
            continue
        notes[note.post_id] = note
    return notes, errors


def annotate(post_html: str, post_body: str, note, render, memo: Memo):
    """kexue.notes.annotate, by the post's HTML and Markdown, the note file's text
    and the notes' Markdown setup (with the code of the extensions it names)."""
    key = memo.key(post_html, post_body, note.path, note.text, render.setup)
    return memo(key, lambda: compute(post_html, post_body, note, render))


def reading(html: str, depth: int, memo: Memo):
    """(headings, reading_minutes) of kexue.reading.structure for a page's HTML."""
    key = memo.key(html, str(depth))
    return memo(key, lambda: (headings(html, depth=depth), reading_minutes(html)))


def appendix(appendix_html: str, page_html: str, reserved: set[str], depth: int, memo: Memo):
    """kexue.reading.structure.structure_appendix of a post's appendix, the ids of its page and
    ``reserved`` (the template's) taken: (the appendix's HTML, its contents entries)."""
    key = memo.key(appendix_html, page_html, "\0".join(sorted(reserved)), str(depth))
    return memo(
        key,
        lambda: structure_appendix(appendix_html, page_ids(page_html) | reserved, depth=depth),
    )
