"""Images of imported posts (kexue/legacy/images.py): linked to the source until mirrored, then
downloaded from the fixture source site (tests/fixtures/source_site.py) and linked locally."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kexue.core.posts import Post, read_post, write_post
from kexue.crawl.images import Verdict, judge_image
from kexue.crawl.missing import missing_text
from kexue.crawl.options import CrawlOptions
from kexue.legacy.images import crawl_images, link_images, remote_images
from kexue.site.checks import CheckContext, notice_remote_images
from tests.conftest import ROOT, build_site
from tests.fixtures.live_markup import scan_site
from tests.fixtures.source_site import CLEAN_SVGS, HOSTILE_SVGS, PNG, SourceSite

BODY = """图一如下：

![损失曲线](/usr/uploads/2026/08/3021.png)

同名的另一张：<img alt="b" src="https://kexue.fm/usr/uploads/2025/01/3021.png">

代码里的不是图：`![x](/usr/uploads/no.png)`，公式里也不是 $![y](/usr/uploads/no2.png)$。

别处的图不动：![外链](https://example.org/a.png)

[![带[M]的说明](/usr/uploads/2026/08/3021.png)](/usr/uploads/2026/08/3021.png "点击查看原图")
"""


def _content(tmp_path: Path, body: str = BODY) -> Path:
    content = tmp_path / "content"
    post = Post(
        id="7001", title="图", date="2026-01-01", source="https://spaces.ac.cn/archives/7001"
    )
    post.body = body
    write_post(content / "posts" / "7001.md", post)
    return content


def test_relative_images_link_to_the_source_until_mirrored(tmp_path: Path):
    body, local, relinked = link_images(BODY, "7001", tmp_path / "images" / "7001")
    assert (local, relinked) == (0, 2)
    assert (
        "[![带[M]的说明](https://spaces.ac.cn/usr/uploads/2026/08/3021.png)]"
        '(https://spaces.ac.cn/usr/uploads/2026/08/3021.png "点击查看原图")'
    ) in body
    assert "![损失曲线](https://spaces.ac.cn/usr/uploads/2026/08/3021.png)" in body
    assert 'src="https://kexue.fm/usr/uploads/2025/01/3021.png"' in body  # absolute: kept
    assert "`![x](/usr/uploads/no.png)`" in body and "$![y](/usr/uploads/no2.png)$" in body
    assert "https://example.org/a.png" in body


def test_crawl_images_mirrors_every_image_and_the_built_page_has_none_broken(tmp_path: Path):
    content = _content(tmp_path, link_images(BODY, "7001", None)[0])
    assert len(list(remote_images(content))) == 3
    [notice] = notice_remote_images(CheckContext(tmp_path, content, tmp_path))
    assert "3 image(s)" in notice.message and "--images --ids 7001" in notice.message
    with SourceSite() as site:
        opts = CrawlOptions(
            content=content, cache=tmp_path / "cache", source=site.url, delay=0.0, timeout=5.0
        )
        report = crawl_images(opts)
        fetched = [h.path for h in site.hits if h.path.startswith("/usr/uploads/")]
    assert report.downloaded == 2 and not report.failed
    assert sorted(fetched) == ["/usr/uploads/2025/01/3021.png", "/usr/uploads/2026/08/3021.png"]
    assert sorted(p.name for p in (content / "images" / "7001").iterdir()) == [
        "3021-2.png",
        "3021.png",
    ]
    body = read_post(content / "posts" / "7001.md").body
    assert "{static}/images/7001/3021.png" in body and "{static}/images/7001/3021-2.png" in body
    assert list(remote_images(content)) == []
    # Again: nothing to download, nothing rewritten.
    with SourceSite() as site:
        opts.source = site.url
        again = crawl_images(opts)
        assert not [h for h in site.hits if h.path.startswith("/usr/uploads/")]
    assert again.downloaded == 0 and again.relinked == []
    # Built: every <img> of the page is a file of the site (0 broken images).
    out = tmp_path / "output"
    build_site(content, out)
    page_file = out / "archives" / "7001" / "index.html"
    srcs = re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', page_file.read_text(encoding="utf-8"))
    local = [s for s in srcs if not s.startswith("https://example.org/")]
    assert len(local) == 3
    for src in local:
        assert not src.startswith(("http:", "https:")), src
        path = (out / src.lstrip("/")) if src.startswith("/") else (page_file.parent / src)
        assert path.is_file() and judge_image(path.read_bytes(), path.name) == Verdict(path.name), (
            src
        )


def test_an_image_the_source_lacks_is_reported_and_stays_linked(tmp_path: Path):
    content = _content(tmp_path, "![gone](https://spaces.ac.cn/usr/uploads/2026/07/missing.png)\n")
    with SourceSite() as site:
        opts = CrawlOptions(
            content=content, cache=tmp_path / "cache", source=site.url, delay=0.0, timeout=5.0
        )
        report = crawl_images(opts)
    assert report.downloaded == 0 and len(report.failed) == 1
    assert "missing.png" in report.failed[0] and "7001" in report.failed[0]
    assert (
        "https://spaces.ac.cn/usr/uploads/2026/07/missing.png"
        in read_post(content / "posts" / "7001.md").body
    )


def test_missing_lists_the_excerpt_posts(tmp_path: Path):
    content = _content(tmp_path)
    post = Post(id="7002", title="摘", completeness="excerpt", extra={"Status": "draft"})
    write_post(content / "posts" / "7002.md", post)
    assert missing_text(content) == ["7002"]


def test_invoke_crawl_missing_fetches_exactly_the_excerpt_posts(tmp_path: Path):
    content = _content(tmp_path)  # 7001: a full post
    write_post(
        content / "posts" / "7002.md",
        Post(id="7002", title="摘", completeness="excerpt", extra={"Status": "draft"}),
    )
    with SourceSite() as site:
        cmd = [sys.executable, "-m", "invoke", "-r", str(ROOT), "crawl", "--missing"]
        cmd += ["--content", str(content), "--cache", str(tmp_path / "cache"), "--delay", "0"]
        cmd += ["--source", site.url, "--ledger", str(tmp_path / "blog_list.txt")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        articles = [h.path for h in site.article_hits()]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "posts without their text: 1 (7002)" in done.stdout
    assert articles == ["/archives/7002"]
    post = read_post(content / "posts" / "7002.md")
    assert post.body.strip() and post.completeness != "excerpt" and "Status" not in post.extra


# ------------------------------------------------------------- images judged by their bytes

MIXED = "/usr/uploads/mixed/"
MIXED_NAMES = ["photo.jpg", "chart.png", *sorted(CLEAN_SVGS), *sorted(HOSTILE_SVGS), "notes.png"]


def mirror_mixed(tmp_path: Path) -> tuple[Path, object]:
    """A post linking a PNG named .jpg, a PNG, clean and hostile SVGs and a non-image,
    mirrored from the fixture source site."""
    body = "\n\n".join(f"![{n}]({MIXED}{n})" for n in MIXED_NAMES) + "\n"
    content = _content(tmp_path, link_images(body, "7001", None)[0])
    with SourceSite() as site:
        opts = CrawlOptions(
            content=content, cache=tmp_path / "cache", source=site.url, delay=0.0, timeout=5.0
        )
        report = crawl_images(opts)
    return content, report


def test_images_are_judged_by_their_bytes_and_the_built_site_holds_nothing_live(tmp_path):
    content, report = mirror_mixed(tmp_path)
    folder = content / "images" / "7001"
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted(["photo.png", "chart.png", *CLEAN_SVGS])  # every raster, clean SVG
    assert (folder / "photo.png").read_bytes() == PNG
    assert report.retyped == [
        f"post 7001: https://spaces.ac.cn{MIXED}photo.jpg: a PNG image named .jpg, "
        "saved as photo.png"
    ]
    failed = {f.split(": ")[1].rsplit("/", 1)[-1]: f for f in report.failed}
    assert sorted(failed) == sorted([*HOSTILE_SVGS, "notes.png"])
    for name, (_, words) in HOSTILE_SVGS.items():
        assert words in failed[name] and "stays linked" in failed[name], failed[name]
    assert "not an image" in failed["notes.png"]
    body = read_post(content / "posts" / "7001.md").body
    assert "![photo.jpg]({static}/images/7001/photo.png)" in body  # the link follows
    for name in CLEAN_SVGS:
        assert f"{{static}}/images/7001/{name})" in body
    for name in HOSTILE_SVGS:
        assert f"](https://spaces.ac.cn{MIXED}{name})" in body  # the source's, not ours
    remote = [url for _, _, url in remote_images(content)]
    assert sorted(u.rsplit("/", 1)[-1] for u in remote) == sorted(failed)
    with SourceSite() as site:  # again: what is here (photo.png for photo.jpg) is not asked
        again = crawl_images(CrawlOptions(content=content, source=site.url, delay=0.0))
        asked = sorted(h.path.rsplit("/", 1)[-1] for h in site.hits if MIXED in h.path)
    assert again.downloaded == 0 and again.relinked == []
    assert asked == sorted(failed)
    out = tmp_path / "output"
    build_site(content, out)
    assert sorted(p.name for p in (out / "images" / "7001").iterdir()) == kept
    assert scan_site(out) == []
