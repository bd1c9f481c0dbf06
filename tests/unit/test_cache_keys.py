"""Cache keys computed from the code, not listed (kexue.core.codegraph): with an explicit
cache folder (CACHE_PATH, as the tests' builds and the bench give), an edit to any module a
cached result's code imports, directly or not, recomputes that result."""

from __future__ import annotations

import shutil

import pytest

from kexue.core import codegraph
from kexue.core import memo as derived_cache
from kexue.math import prerender
from kexue.notes import NoteRenderer
from kexue.search import index as search_index
from kexue.site import memos


@pytest.fixture
def edit(tmp_path, monkeypatch):
    """``edit(module)``: append a comment to that module in a copy of kexue/ the code keys are
    read from, as a later process would see the edited source."""
    copy = tmp_path / "src" / "kexue"
    shutil.copytree(codegraph.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(codegraph, "PACKAGE", copy)
    derived_cache.clear_process_memos()

    def edit(name: str) -> None:
        path = codegraph.module_file(name)
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        derived_cache.clear_process_memos()  # forgets the fingerprints read so far too

    yield edit
    derived_cache.clear_process_memos()


def _search_memo(folder):
    return derived_cache.memo("search", folder, (search_index.__name__,))


# (how to get the memo, a module its code depends on without naming it)
MEMOS = [
    ("topics", lambda f: memos.memo("topics", f), "kexue.core.header"),
    ("topics", lambda f: memos.memo("topics", f), "kexue.core.datafiles"),
    ("notes", lambda f: memos.memo("notes", f), "kexue.core.header"),
    ("notes", lambda f: memos.memo("notes", f), "kexue.math.tex"),
    ("annotate", lambda f: memos.memo("annotate", f), "kexue.notes.targets"),
    ("reading", lambda f: memos.memo("reading", f), "kexue.reading.structure"),
    ("appendix", lambda f: memos.memo("appendix", f), "kexue.reading.structure"),
    ("search", _search_memo, "kexue.core.header"),
    ("search", _search_memo, "kexue.topics"),
]


@pytest.mark.parametrize(
    ("kind", "get", "dependency"), MEMOS, ids=[f"{k}-{d}" for k, _, d in MEMOS]
)
def test_an_edited_dependency_recomputes_the_memo(tmp_path, edit, kind, get, dependency):
    cache = tmp_path / "cache"
    first = get(cache)
    assert first(first.key("same input"), lambda: "old") == "old"
    first.save()
    derived_cache.clear_process_memos()
    kept = get(cache)  # a new process, nothing edited: the file's entry is served
    assert kept(kept.key("same input"), lambda: "new") == "old"
    kept.save()
    edit(dependency)
    again = get(cache)
    assert again(again.key("same input"), lambda: "new") == "new"
    assert again.misses == 1


def test_an_edited_markdown_extension_recomputes_the_notes(tmp_path, edit):
    """The rendered-notes JSON cache and the annotate memo are keyed by the code of the notes'
    Markdown and of everything it imports (the allowlist, kexue.site.sanitize …)."""
    cache = tmp_path / "derivation-notes.json"
    render = NoteRenderer(cache=cache)
    render("段落")
    render.save()
    cache.write_text(cache.read_text(encoding="utf-8").replace("段落", "旧的"), encoding="utf-8")
    assert NoteRenderer(cache=cache)("段落").strip() == "<p>旧的</p>"  # from the file
    setup = NoteRenderer().setup
    edit("kexue.site.sanitize")
    assert NoteRenderer().setup != setup  # so the annotate memo's key changes too
    assert NoteRenderer(cache=cache)("段落").strip() == "<p>段落</p>"


def test_an_edited_tex_scanner_retypesets_the_pages(edit):
    before = prerender.render_version()
    edit("kexue.math.macros")
    assert prerender.render_version() != before


def test_a_module_outside_the_code_changes_no_key(edit):
    before = memos.memo("reading", None).key("same input")
    edit("kexue.crawl.robots")
    assert memos.memo("reading", None).key("same input") == before


def test_dependencies_are_the_import_closure():
    found = codegraph.dependencies("kexue.topics")
    assert {"kexue.core.posts", "kexue.core.header", "kexue.core.datafiles"} <= found
    assert "kexue.crawl.loop" not in found
    with pytest.raises(KeyError, match="kexue.nowhere"):
        codegraph.dependencies("kexue.nowhere")
