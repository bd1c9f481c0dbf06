"""Bad authored input ends in a message naming the file, its line and the fix (never a
traceback, never a post silently left out), and nothing a build leaves behind breaks the
next one: a deleted post's page goes away, a damaged cache is rebuilt."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.dev.bench_build import SITE_SETTINGS
from kexue.search.index import build_index
from kexue.site.authored import data_problems, front_end_problems
from kexue.site.live import LiveSite
from tests.conftest import build_site

GOOD = "Title: 好文章\nDate: 2026-01-01\nSlug: {id}\n\n正文 $x$。\n"

# name: (file name, bytes, expected message after "posts/<file>:")
BOM_MSG = "1: the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
CASES = {
    "bom": ("1.md", b"\xef\xbb\xbf" + GOOD.format(id=1).encode(), BOM_MSG),
    "no slug": ("3.md", b"Title: t\nDate: 2026-01-01\n\nx\n", "1: no `Slug:`; add `Slug: 3`"),
    "no title": (
        "4.md",
        b"Date: 2026-01-01\nSlug: 4\n\nx\n",
        "1: no `Title:`; add a line `Title: …` to the header",
    ),
    "bad date": (
        "5.md",
        b"Title: t\nDate: 2026-13-45\nSlug: 5\n\nx\n",
        "2: `Date: 2026-13-45` is not a date; write YYYY-MM-DD",
    ),
    "binary junk": (
        "6.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        "1: binary data (byte 0x89 at offset 0 is not UTF-8); save the file as UTF-8 text",
    ),
    "not utf-8": (
        "7.md",
        "Title: 标题\nSlug: 7\n\n正文\n".encode("gbk"),
        "1: text that is not UTF-8 (byte 0xb1 at offset 7 is not UTF-8)",
    ),
    "control characters": (
        "8.md",
        b"Title: t\x1b[31m\nSlug: 8\n\nx \x00 y\n",
        "1: control character U+001B at column 9; delete it",
    ),
    "not a header": (
        "9.md",
        b"Title: t\nSlug: 9\nthis is text\n\nx\n",
        "3: not a `Key: value` header line: 'this is text'",
    ),
}


def _invoke_build(content: Path, output: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "invoke", "build", "--content", str(content)]
    cmd += ["--output", str(output)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def _refused(content: Path, output: Path) -> str:
    """What a refused `invoke build` printed (exit 1, a message, never a traceback)."""
    result = _invoke_build(content, output)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out
    return out


def _content(tmp_path: Path, files: dict[str, bytes]) -> Path:
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for name, data in files.items():
        (posts / name).write_bytes(data)
    return posts.parent


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_post_stops_the_build_with_its_file_line_and_fix(case, tmp_path):
    name, data, message = CASES[case]
    content = _content(tmp_path, {name: data, "100.md": GOOD.format(id=100).encode()})
    out = _refused(content, tmp_path / "out")
    assert f"{content / 'posts' / name}:{message}" in out
    assert "nothing was built" in out
    assert not (tmp_path / "out").exists()


def test_a_duplicate_slug_names_both_files(tmp_path):
    content = _content(
        tmp_path, {"7.md": GOOD.format(id=7).encode(), "8.md": GOOD.format(id=7).encode()}
    )
    result = _invoke_build(content, tmp_path / "out")
    assert result.returncode == 1
    posts = content / "posts"
    out = result.stdout + result.stderr
    assert f"{posts / '8.md'}: Slug '7' is also the Slug of {posts / '7.md'}" in out
    assert "Traceback" not in out


def test_windows_line_ends_build_like_any_post(tmp_path):
    text = GOOD.format(id=11).replace("\n", "\r\n").encode()
    content = _content(tmp_path, {"11.md": text})
    note = "Post: 11\nStatus: draft\n\n注释 $y$。\n".replace("\n", "\r\n")
    (content / "derivations").mkdir()
    (content / "derivations" / "11.md").write_bytes(note.encode())
    result = _invoke_build(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "out/archives/11/index.html").read_text(encoding="utf-8")
    assert "注释" in page  # the note is attached


def test_a_broken_or_non_utf8_data_file_is_named_with_its_line(tmp_path):
    (tmp_path / "relevance.toml").write_bytes(b"[rules]\nx = 1\ny = \n")
    (tmp_path / "other.toml").write_bytes("name = '主题'\n".encode("gbk"))
    problems = [str(p) for p in data_problems(tmp_path)]
    other = tmp_path / "other.toml"
    assert f"{other}:1: not UTF-8 (byte at offset 8); save the file as UTF-8" in problems
    assert any(
        p.startswith(f"{tmp_path / 'relevance.toml'}: not valid TOML (") and "line 3" in p
        for p in problems
    ), problems


def test_missing_node_modules_says_run_npm_ci(tmp_path):
    (problem,) = front_end_problems(tmp_path / "node_modules")
    assert "the npm packages are not installed" in str(problem)
    assert "run `npm ci` in the project folder" in str(problem)


def test_an_output_folder_that_is_not_a_build_is_refused_and_kept(tmp_path):
    content = _content(tmp_path, {"12.md": GOOD.format(id=12).encode()})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = _invoke_build(content, mine)
    assert result.returncode == 1
    assert "is not a kexue-notes build output" in result.stdout + result.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_a_deleted_post_leaves_the_site_and_the_search(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts"))
    out = tmp_path / "out"
    build_site(content, out)
    build_index(out, cache=tmp_path / "search")
    assert (out / "archives/90004/index.html").is_file()
    (content / "samples/90004.md").unlink()
    build_site(content, out)
    build_index(out, cache=tmp_path / "search")
    assert not (out / "archives/90004").exists()
    listed = json.loads((out / "search/posts.json").read_text(encoding="utf-8"))["posts"]
    assert "archives/90004/" not in {p["url"] for p in listed}
    assert "archives/90001/" in {p["url"] for p in listed}
    assert "90004" not in (out / "archives/index.html").read_text(encoding="utf-8")


def test_control_characters_in_a_built_page_do_not_break_the_search_index(tmp_path):
    content = _content(tmp_path, {"13.md": b"Title: t\nSlug: 13\n\nbody  text\n"})
    out = tmp_path / "out"
    build_site(content, out)  # every build refuses them in a post: put them into the page
    page = out / "archives/13/index.html"
    html = page.read_text(encoding="utf-8").replace(">t<", ">t\x01<")
    page.write_text(html.replace("body  text", "body \x07 text"), encoding="utf-8")
    stats = build_index(out, cache=tmp_path / "search")
    assert stats.posts == 1
    (post,) = json.loads((out / "search/posts.json").read_text(encoding="utf-8"))["posts"]
    assert post["url"] == "archives/13/"
    texts = [v for v in post.values() if isinstance(v, str)]
    assert "t" in texts and not any(ord(ch) < 32 for v in texts for ch in v), post


def test_a_cache_a_killed_build_left_is_reported_and_rebuilt(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts"))
    out = tmp_path / "out"
    build_site(content, out)
    cache = out.parent / (out.name + "-cache")
    damaged = cache / "ArticlesGenerator-Readers"
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])  # what a kill during the write leaves
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(ROOT / "pelicanconf.py")]
    cmd += ["-o", str(out), "-e", f"CACHE_PATH={json.dumps(str(cache))}"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "was damaged" in " ".join((result.stdout + result.stderr).split())
    assert pickle.loads(damaged.read_bytes())  # a whole cache again (GZIP_CACHE = False)


def test_a_post_pelican_cannot_read_fails_the_build_instead_of_vanishing(tmp_path):
    bad = b"Title: t\nDate: 2026-01-01\nModified: not a date at all\nSlug: 23\n\nx\n"
    content = _content(tmp_path, {"22.md": GOOD.format(id=22).encode(), "23.md": bad})
    out = _refused(content, tmp_path / "out")
    assert f"{content / 'posts/23.md'}: was not built (no archives/23/index.html)" in out
    assert "build refused: 1 post(s) were not built" in out


def test_a_post_deleted_while_serving_is_no_longer_served(tmp_path):
    # `invoke serve` builds again in the same Pelican after each change.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts"))
    settings = tmp_path / "conf.py"
    settings.write_text(SITE_SETTINGS.format(root=str(ROOT), cache=str(tmp_path / "cache")))
    out = tmp_path / "output"
    site = LiveSite(settings, content, out)
    assert site.build().ok
    assert (out / "archives/90004/index.html").is_file()
    (content / "samples/90004.md").unlink()
    report = site.build()
    assert report.ok, report.problems
    assert not (out / "archives/90004").exists()
    assert "archives/90004/" not in (out / "index.html").read_text(encoding="utf-8")
