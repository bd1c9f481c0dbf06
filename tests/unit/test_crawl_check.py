"""`invoke check`'s "crawled posts" check."""

from kexue.core.posts import write_post
from kexue.crawl.convert import convert_page
from kexue.site.checks import CheckContext, run_checks
from tests.fixtures.source_site import POST_7001, page


def test_check_finds_missing_images_and_leftover_placeholders(tmp_path):
    content = tmp_path / "content"
    images = content / "images" / "7001"
    images.mkdir(parents=True)
    (images / "3021.png").write_bytes(b"png")
    post = convert_page(page(POST_7001), "7001", images_dir=images).post
    write_post(content / "posts" / "7001.md", post)
    ctx = CheckContext(root=tmp_path, content=content, output=tmp_path / "output")
    assert dict(run_checks(ctx, ["crawled posts"]))["crawled posts"] == []
    (images / "3021.png").unlink()
    post.body += "\ue000kxc3\ue001\n"
    write_post(content / "posts" / "7001.md", post)
    problems = dict(run_checks(ctx, ["crawled posts"]))["crawled posts"]
    messages = " ".join(p.message for p in problems)
    assert "images/7001/3021.png is missing" in messages and "--ids 7001" in messages
    assert "placeholder" in messages
