"""The other paths of issue 24, each ending in one line naming the file and the fix (or a
safe answer): written files' mode, a full disk or file-size limit, symlinks out of
content/, a missing taxonomy, BOM and binary files in the operator tasks, a note's status
in bylines, `invoke serve`'s port, paths and output folder, and the incremental state of
interrupted and production builds."""

from __future__ import annotations

import asyncio
import html
import os
import shutil
import socket
import stat
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from livereload import Server
from livereload.watcher import Watcher

from kexue.core.fsutil import atomic_write_text
from kexue.core.paths import ROOT
from kexue.notes.note import parse_note
from kexue.notes.render import byline
from kexue.site import incremental
from kexue.site.authored import data_problems, symlink_problems
from kexue.site.cachekey import writable_cache_path
from kexue.site.live import LiveSite, _page_handler, watched_problem
from kexue.site.serve import ServedSite


def test_written_files_get_the_umasks_mode_not_0600(tmp_path):
    path = tmp_path / "page.html"
    atomic_write_text(path, "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_symlinks_out_of_content_are_reported_and_inside_ones_are_fine(tmp_path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "a.png").write_bytes(b"x")
    (content / "images" / "passwd").symlink_to("/etc/passwd")
    (content / "images" / "git").symlink_to(ROOT / ".git")
    (content / "images" / "dangling").symlink_to(tmp_path / "nowhere")
    (content / "images" / "b.png").symlink_to(content / "images" / "a.png")
    problems = {Path(p.file).name: p.message for p in symlink_problems(content)}
    assert sorted(problems) == ["dangling", "git", "passwd"]
    assert problems["passwd"].startswith(
        "a symlink to /etc/passwd, outside the content folder: the build would publish"
    )


def test_a_missing_taxonomy_is_named_with_its_fix(tmp_path):
    (problem,) = data_problems(tmp_path)
    assert (problem.file, problem.message) == (
        str(tmp_path / "topics.toml"),
        "the topic taxonomy is missing: restore it (`git checkout -- data/topics.toml`)",
    )


def test_a_notes_status_is_escaped_in_its_byline():
    note = parse_note(
        "Post: 1\nStatus: <img src=x onerror=alert(1)>\nAuthors: a\n\n## @(1) x\n\ny\n", "n.md"
    )
    shown = byline(note)
    assert "<img" not in shown and html.escape("<img src=x onerror=alert(1)>") in shown


def test_serve_refuses_an_output_folder_inside_a_watched_one(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    site = LiveSite(ROOT / "pelicanconf.py", content, content / "output")
    assert watched_problem(site).startswith(
        f"--output {content / 'output'} is inside {content}, which `invoke serve` watches"
    )
    assert watched_problem(LiveSite(ROOT / "pelicanconf.py", content, tmp_path / "out")) is None


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_bad_paths_answer_400_or_404_never_a_traceback(tmp_path, capsys):
    (tmp_path / "index.html").write_text("hi", encoding="utf-8")
    with ServedSite(tmp_path) as site:
        codes = {p: _status(site.url + p) for p in ("/", "/%00", "/a%00.html", "/../etc/passwd")}
    assert codes == {"/": 200, "/%00": 400, "/a%00.html": 400, "/../etc/passwd": 404}
    assert "Traceback" not in capsys.readouterr().err


def test_live_serve_answers_nul_with_400_and_traversal_with_404(tmp_path):
    class Idle(Watcher):
        def start(self, callback):
            return True

    (tmp_path / "index.html").write_text("hi", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(watcher=Idle())
    server.SFH = _page_handler()

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        server.serve(port=port, host="127.0.0.1", root=str(tmp_path), restart_delay=0)

    threading.Thread(target=run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            _status(base + "/")
            break
        except OSError:
            time.sleep(0.1)
    paths = ("/", "/%00", "/a%00b.html", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd")
    assert [_status(base + p) for p in paths] == [200, 400, 400, 404, 404]


def test_production_and_development_builds_never_share_up_to_date(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    dev = incremental.snapshot(content, [])
    dev["profile"] = incremental.profile({"SITEURL": "", "RELATIVE_URLS": True})
    prod = dict(
        dev, profile=incremental.profile({"SITEURL": "https://x.io", "RELATIVE_URLS": False})
    )
    state = {"format": incremental.FORMAT, "inputs": prod, "written": [], "faces": {}}
    assert incremental.plan(state, dict(prod), tmp_path).nothing
    verdict = incremental.plan(state, dev, tmp_path)
    assert verdict.full and "other settings" in verdict.reason


def test_the_state_of_a_run_that_writes_is_discarded_before_it_writes(tmp_path):
    path = tmp_path / "incremental" / "x.json"
    incremental.save_state(path, {"content": {}, "other": ""}, [], {})
    assert incremental.load_state(path) is not None
    incremental.discard_state(path)
    assert not path.exists() and incremental.load_state(path) is None


def test_an_unwritable_pelican_cache_folder_is_one_line_and_a_temporary_one(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    path, why = writable_cache_path(blocked / "pelican")
    assert path != blocked / "pelican" and path.is_dir()
    assert why == (
        f"{blocked / 'pelican'}: Pelican's cache folder cannot be written (Not a directory): "
        f"this build uses {path} and caches nothing; make the folder writable, or `invoke clean`"
    )
    assert writable_cache_path(tmp_path / "ok") == (tmp_path / "ok", None)
    shutil.rmtree(path)
