"""Source page -> Post: exact TeX, metadata, boilerplate, sanitising, refused pages."""

import markdown
import pytest

from kexue.crawl.convert import (
    AccessError,
    classify_answer,
    convert_page,
    decode_page,
    decoding_warning,
)
from kexue.math.extension import MathExtension
from kexue.math.tex import find_math
from tests.fixtures.source_site import (
    ALL_POSTS,
    EXPECTED_TEX,
    GATE_PAGE,
    POST_7001,
    POST_7002,
    POST_7004,
    TITLE_ONLY,
    FixturePost,
    T,
    page,
)


def convert(post, **kw):
    return convert_page(page(post), post.id, **kw)


@pytest.mark.parametrize("pid", sorted(ALL_POSTS))
def test_every_formula_comes_back_byte_for_byte(pid):
    converted = convert(ALL_POSTS[pid])
    found = [span.source for span in find_math(converted.post.body)]
    assert found == EXPECTED_TEX[pid]
    assert converted.formulas == len(EXPECTED_TEX[pid])


def test_multiline_formula_loses_the_editors_br_and_keeps_entities_decoded():
    body = convert(POST_7001).post.body
    assert "<br" not in body
    assert "\\eta < 2/\\lambda_{\\max} & \\text{收敛} \\\\\n" in body
    assert "&amp;" not in body.split("```")[0]
    # the damage other converters did (docs/source-site.md) is absent
    assert "\\\\\\" not in body and "\\\\{" not in body and "\\\\#" not in body
    assert "$x_i^*$" in body and "x\\_i" not in body


def test_macro_definition_stays_before_its_use():
    body = convert(POST_7001).post.body
    definition = body.index("\\newcommand{\\msign}")
    assert definition < body.index("$\\msign(\\boldsymbol{g}) = ")
    assert "$\\newcommand{sgn}{\\mathop{\\text{sgn}}}$" in body


def test_metadata_comes_from_the_right_places():
    post = convert(POST_7001).post
    assert post.title == POST_7001.title  # without " - 科学空间|Scientific Spaces"
    assert post.date == "2026-08-04"
    assert post.source_category == "信息时代"
    assert post.tags == ["优化", "梯度"]  # not the sidebar's tag cloud (陷阱, 生活)
    assert post.source == "https://spaces.ac.cn/archives/7001"
    assert post.author == "苏剑林"
    assert post.completeness == "full"
    assert len(post.content_hash) == 16


def test_source_tags_are_kept_cleaned():
    """The tags of ``#tools span.cat`` stay, without a date, a category or a repeat."""
    tags = ["Adam", "2020-07-04", "数学研究", "adam", "信息时代", "优化"]
    post = FixturePost("7901", "标签", "2026-01-01", "信息时代", "Big-Data", tags, ["<p>正文</p>"])
    assert convert(post).post.tags == ["Adam", "优化"]


def test_boilerplate_and_chrome_are_cut():
    body = convert(POST_7001).post.body
    for text in ("转载到请包括本文地址", "科学空间FAQ", "评论区", "打赏", "@online", "Retrieved"):
        assert text not in body
    assert "## 问题设定\n" in body and "### 步长表\n" in body  # no trailing "#" self-link
    assert "相关文章" not in body and "上一篇</a>" not in body


def test_code_is_verbatim_dollars_included():
    body = convert(POST_7001).post.body
    assert '    print(f"step {t}: $loss = {loss:.3f}")\n# 成本 $5 & $10, a < b\necho $HOME' in body
    old = convert(POST_7004).post.body
    assert 'cost=$((x+1)); echo "$cost dollars"' in old
    assert '`$a = $b + 1; echo "$a";`' in old


def test_malformed_old_post_converts_sensibly():
    converted = convert(POST_7004)
    body = converted.post.body
    assert "[separator]" not in body
    assert "\n\\begin{equation}p(n) = n^2 + n + 41,\\quad 0 \\le n < 40\\end{equation}\n" in body
    assert converted.post.summary.startswith("早年写的小程序")
    assert "$a = $b" not in converted.post.summary  # code is left out of the summary


def test_prose_dollars_and_markup_like_text_are_literal():
    body = convert(POST_7001).post.body
    assert "花了 &#36;5 和 &#36;10 的运费" in body
    assert "&lt;script>" in body


def test_links_are_absolute_or_internal_when_mirrored():
    body = convert(POST_7001, mirrored={"7002"}).post.body
    assert "[上一篇的积分不等式]({filename}/posts/7002.md)" in body
    assert "[散步随笔](https://spaces.ac.cn/archives/7003)" in body
    assert "(https://example.org/paper?a=1&b=2)" in body
    assert "{filename}" not in convert(POST_7001).post.body


def test_images_link_locally_when_downloaded(tmp_path):
    remote = convert(POST_7001)
    assert remote.images == [("https://spaces.ac.cn/usr/uploads/2026/08/3021.png", "3021.png")]
    assert remote.missing_images == ["https://spaces.ac.cn/usr/uploads/2026/08/3021.png"]
    (tmp_path / "3021.png").write_bytes(b"png")
    local = convert(POST_7001, images_dir=tmp_path)
    assert "![损失曲线]({static}/images/7001/3021.png)" in local.post.body
    assert "不同步长下的损失曲线（示意）" in local.post.body  # the caption stays
    assert local.missing_images == []


def test_untrusted_markup_never_reaches_the_markdown():
    body = convert(POST_7001).post.body.lower()
    for bad in ("<script", "alert(", "onclick", "javascript:", "<iframe", "<form", "<input"):
        assert bad not in body
    assert "style=" not in body and "display:none" not in body
    assert "点击这里红色文字结束。" in body  # the harmless text survives


def test_summary_is_plain_text_never_cut_inside_a_formula():
    for post in ALL_POSTS.values():
        summary = convert(post).post.summary
        assert "\n" not in summary and len(summary) <= 130
        spans = find_math(summary.rstrip("…"), skip=[])
        for span in spans:
            assert span.source in EXPECTED_TEX[post.id]
    summary = convert(POST_7002).post.summary
    assert summary.startswith("设 \\(f\\) 在 $[0,1]$ 上连续且非负")


def test_an_isolated_invalid_byte_is_replaced_and_located_and_a_mostly_bad_body_refused():
    url = "https://spaces.ac.cn/archives/7209"
    good = page(POST_7002).encode()
    damaged = good[:1000] + b"\xff" + good[1001:]
    decoded = decode_page(damaged, "text/html; charset=UTF-8", url)
    assert decoded.text == good[:1000].decode() + "\ufffd" + good[1001:].decode()
    assert decoded.invalid == [(1000, 1001)]
    warning = decoding_warning(decoded, url)
    assert "1 invalid UTF-8 byte at byte offset 1000 replaced by U+FFFD" in warning
    assert "--ids 7209 --refresh" in warning
    assert decoding_warning(decode_page(good, "", url), url) is None
    gbk = "梯度下降的步长与曲率".encode("gbk") * 50  # a page in the wrong charset
    with pytest.raises(AccessError, match=r"not valid utf-8 \(\d+ of 1000 bytes invalid"):
        decode_page(gbk, "", url)


def test_refused_pages_name_the_url_and_what_to_do():
    url = "https://spaces.ac.cn/archives/7102"
    gate = classify_answer(GATE_PAGE, url)
    assert gate.kind == "gate" and "JavaScript gate" in gate.reason and "--via browser" in gate.hint
    assert gate.url == url and url in str(gate)
    assert "only the title" in classify_answer(TITLE_ONLY, url).reason
    cut = classify_answer(page(POST_7002)[: len(page(POST_7002)) // 2], url)
    assert "truncated" in cut.reason and "--ids 7102 --refresh" in cut.hint
    assert classify_answer(page(POST_7002), url) is None
    with pytest.raises(AccessError, match="not valid UTF-8.*--ids 7102"):
        decode_page(b"<html>\xff\xfe</html>", "text/html; charset=UTF-8", url)
    with pytest.raises(AccessError, match="unknown charset 'x-nonsense'"):
        decode_page(b"<html></html>", "text/html; charset=x-nonsense", url)
    with pytest.raises(AccessError):
        convert_page(GATE_PAGE, "7102")


def test_display_formulas_stay_inside_their_blockquote_or_list_item():
    pieces = [
        "<blockquote><p>引用开头<br>\n",
        T("\\begin{equation}a = b \\\\\nc\\end{equation}"),
        "<br>\n引用结尾 ",
        T("$x$"),
        "</p></blockquote>\n<ol><li>第一项<br>\n",
        T("\\begin{equation}y = 1\\end{equation}"),
        "<br>\n说明</li><li>第二项 ",
        T("$z_1$"),
        "</li></ol>\n<p>前文",
        T("$$\\sum_i x_i$$"),
        "后文</p>\n",
    ]
    post = FixturePost("7900", "块内公式", "2026-01-01", "信息时代", "Big-Data", ["优化"], pieces)
    body = convert(post).post.body
    assert [span.source for span in find_math(body)] == post.tex
    assert "> \\begin{equation}a = b" in body and "   \\begin{equation}y = 1" in body
    html = markdown.markdown(body, extensions=[MathExtension(), "extra"])
    quote = html[html.index("<blockquote>") : html.index("</blockquote>")]
    assert "a = b" in quote and "引用结尾" in quote
    item = html[html.index("<li>第一项") : html.index("</li>")]
    assert "y = 1" in item and "说明" in item
    assert "<li>第二项" in html


def test_a_prose_backtick_never_opens_a_code_span_across_a_formula():
    """The source has no Markdown: a backtick in its prose is a character.  A formula
    holding a backtick and markup stays one formula, exact and inert, on the page."""
    tex = "$a`b<img src=x onerror=alert(1)>$"
    post = FixturePost(
        "7101", "反引号", "2026-08-01", "信息时代", "Big-Data", [],
        ["<p>前面有一个反引号 ` ，然后是公式 ", T(tex), " 和另一个 `。</p>"],
    )  # fmt: skip
    body = convert(post).post.body
    assert "&#96;" in body
    md = markdown.Markdown(extensions=["kexue.math.extension", "kexue.site.sanitize"])
    out = md.convert(body)
    assert '<span class="math inline">$a`b&lt;img src=x onerror=alert(1)&gt;$</span>' in out
    assert "<code>" not in out and "<img" not in out
