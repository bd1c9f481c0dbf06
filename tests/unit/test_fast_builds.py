"""The derived-results cache (kexue.core.memo) and the incremental plan
(kexue.site.incremental): hits by content hash, corrupt entries recomputed, the pages an edit
touches."""

from __future__ import annotations

import logging

from kexue.core import memo as derived_cache
from kexue.core.memo import Memo
from kexue.site import incremental
from kexue.site import memos as derived


def _memo(folder) -> Memo:
    derived_cache.clear_process_memos()
    return derived_cache.memo("test", folder, ("kexue.math.tex",))


def test_memo_computes_once_per_content_and_persists(tmp_path):
    calls = []

    def compute(text):
        calls.append(text)
        return text.upper()

    m = _memo(tmp_path)
    assert m(m.key("a"), lambda: compute("a")) == "A"
    assert m(m.key("a"), lambda: compute("a")) == "A"
    assert calls == ["a"]
    assert m.save() == 1
    again = _memo(tmp_path)  # a new process: read from the file
    assert again(again.key("a"), lambda: compute("a")) == "A"
    assert again(again.key("b"), lambda: compute("b")) == "B"
    assert calls == ["a", "b"]


def test_memo_drops_entries_not_used_since(tmp_path):
    m = _memo(tmp_path)
    m(m.key("old"), lambda: 1)
    m.save()
    m(m.key("new"), lambda: 2)
    m.save()
    assert [p.stem for p in (tmp_path / "test").glob("*.pickle")] == [m.key("new")]


def test_corrupt_entry_is_reported_and_recomputed(tmp_path, caplog):
    m = _memo(tmp_path)
    m(m.key("x"), lambda: "first")
    m.save()
    entry = next((tmp_path / "test").glob("*.pickle"))
    data = entry.read_bytes()
    entry.write_bytes(data[:-3] + b"zzz")  # a flipped tail: the checksum no longer agrees
    fresh = _memo(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert fresh(fresh.key("x"), lambda: "recomputed") == "recomputed"
    assert "corrupt" in caplog.text and entry.name in caplog.text


def _content(tmp_path):
    content = tmp_path / "content"
    for rel, text in {
        "posts/1.md": "Title: a\n\nbody",
        "derivations/1.md": "Post: 1\n\nnote",
        "pages/about.md": "Title: about\n\nabout",
    }.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    return content


def _state(tmp_path, content, written=()):
    out = tmp_path / "out"
    for name in written:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("page")
    snap = incremental.snapshot(content, [])
    return {"format": incremental.FORMAT, "inputs": snap, "written": list(written)}, out


def test_plan_names_the_edited_note_and_post(tmp_path):
    content = _content(tmp_path)
    old, out = _state(tmp_path, content, ["archives/1/index.html"])
    now = incremental.snapshot(content, [], old["inputs"])
    assert incremental.plan(old, now, out).nothing
    (content / "derivations/1.md").write_text("Post: 1\n\nnote, edited", encoding="utf-8")
    (content / "posts/1.md").write_text("Title: a\n\nbody, edited", encoding="utf-8")
    result = incremental.plan(old, incremental.snapshot(content, [], old["inputs"]), out)
    assert not result.full
    assert (result.notes, result.posts) == ({"1"}, {"posts/1.md"})


def test_plan_is_full_for_new_files_pages_and_missing_output(tmp_path):
    content = _content(tmp_path)
    old, out = _state(tmp_path, content, ["archives/1/index.html"])
    (content / "pages/about.md").write_text("Title: about\n\nnew", encoding="utf-8")
    assert incremental.plan(old, incremental.snapshot(content, []), out).full
    (content / "pages/about.md").write_text("Title: about\n\nabout", encoding="utf-8")
    (content / "posts/2.md").write_text("Title: b\n\nnew post", encoding="utf-8")
    assert incremental.plan(old, incremental.snapshot(content, []), out).full
    (content / "posts/2.md").unlink()
    (out / "archives/1/index.html").unlink()
    result = incremental.plan(old, incremental.snapshot(content, []), out)
    assert result.full and "missing" in result.reason


def test_the_appendix_is_fitted_once_per_content(tmp_path):
    """kexue_theme's notes appendix (kexue.reading.structure.structure_appendix) by content hash: an
    unchanged post costs a lookup, an id newly taken on its page fits it again."""
    appendix = '<section id="derivations"><h2 id="a">附录</h2><h3 id="b">一</h3></section>'
    derived_cache.clear_process_memos()
    memo = derived.memo("appendix", tmp_path)
    first = derived.appendix(appendix, "<p>正文</p>", {"top"}, 2, memo)
    assert (memo.hits, memo.misses) == (0, 1)
    assert derived.appendix(appendix, "<p>正文</p>", {"top"}, 2, memo) == first
    assert (memo.hits, memo.misses) == (1, 1)
    derived.appendix(appendix, '<p id="b">正文</p>', {"top"}, 2, memo)  # the page took "b"
    assert memo.misses == 2
    memo.save()
    derived_cache.clear_process_memos()
    again = derived.memo("appendix", tmp_path)  # a new process: read from the file
    assert derived.appendix(appendix, "<p>正文</p>", {"top"}, 2, again) == first
    assert (again.hits, again.misses) == (1, 0)
