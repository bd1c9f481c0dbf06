"""`invoke import-legacy`: repairs on hand-written snippets, a hand-written legacy folder, and
the real legacy corpus (skipped when absent).

Every snippet and legacy file below is written by this team, reconstructed from the damage
described in docs/source-site.md (html2text without math protection); none is corpus text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest

from kexue.core.posts import read_post
from kexue.core.problems import CheckContext
from kexue.legacy.importer import (
    import_legacy,
    parse_legacy_file,
    render_boxes,
    repair_markdown,
    repair_tex,
)
from kexue.legacy.words import repair_links, restore_words
from kexue.math.extension import MathExtension
from kexue.math.tex import find_math
from kexue.site.sanitize import check_authored_html
from kexue.topics import load_overrides

B = "\\"  # one backslash, to keep the snippets readable


# ------------------------------------------------------------------ repairs, one per kind


REPAIRS = [
    pytest.param(  # html2text: "\\" + <br> -> "\\\" + two-space break
        f"设\n{B}begin{{aligned}}x &= 1{B * 3}  \ny &= 2{B}end{{aligned}}  \n于是",
        f"设\n{B}begin{{aligned}}x &= 1{B * 2}\ny &= 2{B}end{{aligned}}\n于是",
        {
            "tripled \\\\ (line break)": 1,
            "two-space break inside TeX": 1,
            "two-space break around display math": 1,
        },
        id="tripled-line-break",
    ),
    pytest.param(  # the <br> around a display formula inside a paragraph
        f"那么：  \n{B}begin{{equation}}a=b{B}end{{equation}}  \n其中",
        f"那么：\n{B}begin{{equation}}a=b{B}end{{equation}}\n其中",
        {"two-space break around display math": 2},
        id="break-around-display",
    ),
    pytest.param(
        f"集合 ${B}left{B * 2}{{ a, b {B}right{B * 2}}}$ 中",
        f"集合 ${B}left{B}{{ a, b {B}right{B}}}$ 中",
        {"doubled \\{ \\}": 2},
        id="doubled-braces",
    ),
    pytest.param(
        f"$$x {B * 4}[5pt] y {B * 2}# z$$",
        f"$$x {B * 2}[5pt] y {B}# z$$",
        {"doubled \\\\[ (line break with spacing)": 1, "doubled \\#": 1},
        id="spaced-line-break-and-hash",
    ),
    pytest.param(  # "\+" after a line break, "\-" after &amp;; prose keeps its escape
        f"{B}begin{{aligned}}&a{B * 3}  \n{B}+ b &{B}- c{B}end{{aligned}}\n\n{B}- 不是列表",
        f"{B}begin{{aligned}}&a{B * 2}\n+ b &- c{B}end{{aligned}}\n\n{B}- 不是列表",
        {
            "line-start escape \\- \\+ \\.": 2,
            "tripled \\\\ (line break)": 1,
            "two-space break inside TeX": 1,
        },
        id="line-start-escapes",
    ),
    pytest.param(  # "\\" before a newline and a lone "\{" cannot be html2text's output
        f"$$a {B * 2}\nb {B}{{c{B}}}$$",
        f"$$a {B * 2}\nb {B}{{c{B}}}$$",
        {"spans not converted by html2text (left as written)": 1},
        id="not-html2text",
    ),
]


@pytest.mark.parametrize(("damaged", "fixed", "kinds"), REPAIRS)
def test_repair_tex(damaged: str, fixed: str, kinds: dict[str, int]):
    assert repair_tex(damaged) == (fixed, kinds)


def test_prose_and_code_are_not_touched():
    text = f"路径 C:{B * 2}{{dir}} 与 `{B * 2}{{x}}`\n\n    {B * 3}  \n"
    assert repair_tex(text) == (text, {})


def test_repaired_text_has_the_same_spans():
    damaged = (
        f"若$x{B * 2}{{1{B * 2}}}$则  \n{B}begin{{equation}}a{B * 3}  \n{B}- b{B}end{{equation}}"
        "  \n且$y$成立"
    )
    fixed, _ = repair_tex(damaged)
    assert [s.display for s in find_math(fixed)] == [s.display for s in find_math(damaged)]
    assert [s.tex for s in find_math(fixed)][2] == "y"


def test_boxes_get_markdown_attribute_and_render():
    note = (
        '<div class="derivation-box">\n\n**步骤** $a_1 + b_1$\n\n</div>\n\n'
        '```\n<div class="x">\n```'
    )
    rendered = render_boxes(note)
    assert rendered.startswith('<div class="derivation-box" markdown="1">')
    assert '```\n<div class="x">\n```' in rendered  # code untouched
    html = markdown.markdown(rendered, extensions=["markdown.extensions.extra", MathExtension()])
    assert "<strong>步骤</strong>" in html
    assert '<span class="math inline">$a_1 + b_1$</span>' in html
    assert "markdown=" not in html


# ------------------------------------------------------- a hand-written legacy folder

FULL = f"""---
title: 示例：重构的旧镜像文件
slug: example-full
date: 2020-01-02
source: https://spaces.ac.cn/archives/90101
tags: 详细推导, 示例, 示例
status: completed
---

# 示例：重构的旧...

**原文链接**: [https://spaces.ac.cn/archives/90101](https://spaces.ac.cn/archives/90101)

**发布日期**:␣

---

正文第一段，给出：␣␣
{B}begin{{equation}}{B}left{B * 2}{{x{B * 3}  \ny{B}right.{B}end{{equation}}  \n继续。

## 小节 #

结尾。

_**转载到请包括本文地址：**<https://spaces.ac.cn/archives/90101>_

**如果您需要引用本文，请参考：**

苏剑林. (Mar. 04, 2020). 《示例：重构的旧镜像文件（全）》[Blog post]. Retrieved from <https://spaces.ac.cn/archives/90101>

@online{{kexuefm-90101,␣␣
title={{示例：重构的旧镜像文件（全）}},␣␣
author={{苏剑林}},␣␣
year={{2020}},␣␣
month={{Mar}},␣␣
url={{{B}url{{https://spaces.ac.cn/archives/90101}}}},␣␣
}}␣

---

---

## 公式推导与注释

<div class="derivation-box">

推导 ${B}left{B}{{x{B}right.$ 第一行。

</div>
""".replace("␣", " ")  # ␣ marks trailing spaces (two: a <br>)

EXCERPT = """---
title: 示例：重构的旧...
slug: example-excerpt
date:␣
tags: 示例
status: pending
---
# 示例：重构的旧...

**原文链接**: [https://kexue.fm/archives/90101](https://kexue.fm/archives/90101)

**发布日期**:␣

---

只有摘要。

[[...]](https://spaces.ac.cn/archives/90101 "示例：重构的旧镜像文件")


---

## 公式推导与注释

另一份推导文字。
""".replace("␣", " ")


@pytest.fixture
def legacy_dir(tmp_path: Path) -> Path:
    src = tmp_path / "legacy"
    (src / "blogs_raw").mkdir(parents=True)
    (src / "blogs_raw" / "example-full.md").write_text(FULL, encoding="utf-8")
    (src / "blogs_raw" / "example-excerpt.md").write_text(EXCERPT, encoding="utf-8")
    (src / "blog_list.txt").write_text(
        "# Format: title | slug | path | status | date | tags\n"
        "示例：重构的旧... | example-excerpt | blogs_raw/example-excerpt.md | in_progress"
        " |  | 示例\n"
        "已删除 | gone | blogs_raw/gone.md | pending |  | \n",
        encoding="utf-8",
    )
    (src / "topic_classification.json").write_text(
        '{"优化理论": [{"title": "t", "slug": "example-full", "number": 1}]}', encoding="utf-8"
    )
    return src


def test_parse_a_reconstructed_legacy_file(legacy_dir: Path):
    f = parse_legacy_file(legacy_dir / "blogs_raw" / "example-full.md")
    assert f.id == "90101" and f.kind == "full" and f.author == "苏剑林"
    assert (0, "2020-03-04") in f.dates
    assert "示例：重构的旧镜像文件（全）" in f.titles
    assert f.post_text.startswith(
        "正文第一段，给出：\n" + B + "begin{equation}" + B + "left" + B + "{x"
    )
    assert "## 小节\n" in f.post_text and "转载" not in f.post_text and "@online" not in f.post_text
    assert f.derivation.startswith("## 公式推导与注释\n")


def test_import_merges_duplicates_and_keeps_every_note(legacy_dir: Path, tmp_path: Path):
    content = tmp_path / "content"
    report = import_legacy(legacy_dir, content)
    post = read_post(content / "posts" / "90101.md")
    assert post.title == "示例：重构的旧镜像文件（全）"  # the longest, not a cut one
    assert post.date == "2020-03-04"  # the citation block's date wins over the front matter
    assert post.completeness == "full" and post.author == "苏剑林"
    assert post.source == "https://spaces.ac.cn/archives/90101"
    assert post.tags == ["示例"] and post.extra == {"Legacy_tags": "详细推导, 示例"}
    note = (content / "derivations" / "90101.md").read_text(encoding="utf-8")
    head, _, body = note.partition("\n\n")
    assert head == "Post: 90101\nStatus: done\nAuthors:\nDate:"
    assert '<div class="derivation-box" markdown="1">' in body
    assert "另一份推导文字。" in body  # the duplicate's derivation text is kept too
    assert report.duplicates == [("90101", ["example-full.md", "example-excerpt.md"])]
    assert (
        (content / "overrides" / "legacy-topics.json")
        .read_text(encoding="utf-8")
        .startswith('{\n "90101": "优化理论"')
    )
    text = str(report)
    assert "files read:            2" in text and "blog_list.txt:3" in text


def test_rerun_changes_nothing_and_keeps_an_edited_note(legacy_dir: Path, tmp_path: Path):
    content = tmp_path / "content"
    import_legacy(legacy_dir, content)
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    report = import_legacy(legacy_dir, content)
    assert report.posts_written == 0 and report.notes_written == 0
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes
    note = content / "derivations" / "90101.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n我加的一行。\n", encoding="utf-8")
    report = import_legacy(legacy_dir, content)
    assert "我加的一行" in note.read_text(encoding="utf-8")
    assert report.notes_kept == [str(note)]
    import_legacy(legacy_dir, content, force=True)
    assert "我加的一行" not in note.read_text(encoding="utf-8")
    # A note nobody edited follows its legacy file when that changes.
    src = legacy_dir / "blogs_raw" / "example-excerpt.md"
    src.write_text(src.read_text(encoding="utf-8") + "\n补充一行。\n", encoding="utf-8")
    report = import_legacy(legacy_dir, content)
    assert "补充一行。" in note.read_text(encoding="utf-8") and not report.notes_kept


def test_legacy_topics_are_opt_in_and_an_old_import_is_undone(legacy_dir: Path, tmp_path):
    content = tmp_path / "content"
    (content / "overrides").mkdir(parents=True)
    # What an earlier import wrote into topics.json, plus one entry of a person's.
    own = content / "overrides" / "topics.json"
    own.write_text('{"90101": "优化理论", "90102": "Transformer"}', encoding="utf-8")
    report = import_legacy(legacy_dir, content)
    assert json.loads(own.read_text(encoding="utf-8")) == {"90102": "Transformer"}
    assert report.topics_moved == 1 and "taken out of overrides/topics.json" in report.format()
    assert load_overrides(content) == {"90102": "Transformer"}
    assert load_overrides(content, legacy=True)["90101"] == "优化理论"


def test_a_post_text_holding_that_mirrors_additions_goes_to_the_note(legacy_dir: Path):
    path = legacy_dir / "blogs_raw" / "example-full.md"
    path.write_text(
        FULL.replace("## 小节 #", '## 小节 #\n\n<div class="intuition-box">\n\n直觉。\n\n</div>'),
        encoding="utf-8",
    )
    f = parse_legacy_file(path)
    assert f.kind == "mixed" and f.post_text == ""
    assert "直觉。" in f.derivation and "正文第一段" in f.derivation
    assert f.derivation.index("正文第一段") < f.derivation.index("## 公式推导与注释")
    assert f.problems and f.problems[0].startswith("example-full.md:")


def test_an_excerpt_only_post_is_marked(tmp_path: Path, legacy_dir: Path):
    (legacy_dir / "blogs_raw" / "example-full.md").unlink()
    content = tmp_path / "content"
    report = import_legacy(legacy_dir, content)
    post = read_post(content / "posts" / "90101.md")
    assert post.completeness == "excerpt" and report.excerpt_only == ["90101"]
    assert post.body.rstrip().endswith('"示例：重构的旧镜像文件")')
    assert "Status: review" in (content / "derivations" / "90101.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the real corpus

# html2text's damage patterns, as they would look inside a TeX span (docs/source-site.md).
DAMAGE = {
    "tripled \\\\": re.compile(r"(?<!\\)\\\\\\(?=\s|$)"),
    # A set's braces: "\\{" after \left, \right, \big… or a space ("1\\}" can be a line
    # break before a closing brace, as in \underbrace{a,\dots,a\\}).
    "\\\\{ or \\\\}": re.compile(r"(?:\\(?:left|right|[bB]igg?[lr]?)|[\s=(,$])\\\\[{}]"),
    "\\\\\\\\[": re.compile(r"(?<!\\)\\\\\\\\\["),
    "\\\\#": re.compile(r"(?<!\\)\\\\#"),
    "line-start \\+ \\-": re.compile(r"(?m)^\\[+-]\s"),
    "two-space break": re.compile(r"  \n"),
}
BOX_TAG_RE = re.compile(r"<(div|details)\b([^>]*?)>")


@pytest.fixture(scope="module")
def imported(legacy_corpus: Path, tmp_path_factory) -> tuple[Path, object]:
    content = tmp_path_factory.mktemp("legacy") / "content"
    report = import_legacy(legacy_corpus, content)
    return content, report


def _legacy_ids(corpus: Path) -> dict[str, list[Path]]:
    ids: dict[str, list[Path]] = {}
    for path in sorted((corpus / "blogs_raw").glob("*.md")):
        m = re.search(r"spaces\.ac\.cn/archives/(\d+)", path.read_text(encoding="utf-8"))
        ids.setdefault(m.group(1), []).append(path)
    return ids


def test_real_corpus_one_post_per_id(legacy_corpus: Path, imported):
    content, report = imported
    ids = _legacy_ids(legacy_corpus)
    written = {p.stem for p in (content / "posts").glob("*.md")}
    assert written == set(ids)
    assert report.files_read == sum(len(v) for v in ids.values())
    for post_id in written:
        assert read_post(content / "posts" / f"{post_id}.md").id == post_id


def _work_lines(path: Path) -> list[str]:
    """The non-blank lines of a legacy file's derivation section: `## 公式推导与注释` and
    after, or (other headings) everything after the site's BibTeX block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.strip() == "## 公式推导与注释":
            return [x for x in lines[i:] if x.strip() and x.strip() != "---"]
    for i, line in enumerate(lines):
        if line.startswith("@online{"):
            end = next(j for j in range(i, len(lines)) if lines[j].strip() == "}")
            return [x for x in lines[end + 1 :] if x.strip() and x.strip() != "---"]
    return []


def test_real_corpus_keeps_every_line_of_every_derivation_section(legacy_corpus, imported):
    content, report = imported
    missing = []
    checked = 0
    # Lines of formulas the import repaired (kexue.legacy.note_repair), each in the report.
    repaired: dict[str, set[str]] = {}
    for name, _, r in report.note_repairs:
        repaired.setdefault(name, set()).update(r.before)
    assert 0 < len(report.note_repairs) < 100
    for post_id, paths in _legacy_ids(legacy_corpus).items():
        note = content / "derivations" / f"{post_id}.md"
        kept = set(note.read_text(encoding="utf-8").split("\n")) if note.is_file() else set()
        for path in paths:
            for line in _work_lines(path):
                if line in repaired.get(path.name, ()):
                    continue
                checked += 1
                # The only change allowed: markdown="1" on the boxes' opening tags.
                boxed = BOX_TAG_RE.sub(
                    lambda m: (
                        m.group(0)
                        if "markdown=" in m.group(2)
                        else f'<{m.group(1)}{m.group(2)} markdown="1">'
                    ),
                    line,
                )
                # Words html2text turned into tags (<eos>) are escaped again (in the report).
                if line not in kept and boxed not in kept and restore_words(boxed)[0] not in kept:
                    missing.append(f"{path.name}: {line[:60]}")
    assert checked > 80_000
    assert not missing, f"{len(missing)} lines lost, e.g. {missing[:5]}"


def test_real_corpus_posts_hold_no_html2text_damage_in_tex(imported):
    content, _ = imported
    found = []
    spans = 0
    for path in sorted((content / "posts").glob("*.md")):
        for span in find_math(read_post(path).body):
            spans += 1
            for name, pattern in DAMAGE.items():
                if pattern.search(span.source):
                    found.append(f"{path.name}: {name}: {span.source[:80]!r}")
    assert spans > 10_000
    assert not found, f"{len(found)} damaged spans, e.g. {found[:5]}"


def test_real_corpus_report_names_what_it_did(imported):
    _, report = imported
    text = report.format()
    for words in ("files read", "posts written", "duplicates merged", "excerpt-only posts"):
        assert words in text
    assert report.note_lines > 100_000
    assert report.repairs["tripled \\\\ (line break)"] > 0


def test_heading_self_link_and_alt_text_escapes():
    damaged = (
        f"## 小节 #\n\n![g{B}(t{B}) 在 {B}[0, 1{B}] 上](/usr/uploads/a.png)\n\n```\n## 代码 #\n```"
    )
    fixed, kinds = repair_markdown(damaged)
    assert fixed == "## 小节\n\n![g(t) 在 [0, 1] 上](/usr/uploads/a.png)\n\n```\n## 代码 #\n```"
    assert kinds["heading self-link ' #'"] == 1
    assert sum(kinds.values()) == 2
    assert not find_math(fixed)


def test_a_post_edited_by_hand_is_never_overwritten_and_force_says_so(legacy_dir, tmp_path):
    content = tmp_path / "content"
    import_legacy(legacy_dir, content)
    post = next((content / "posts").glob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + "\n我改的一段。\n", encoding="utf-8")
    report = import_legacy(legacy_dir, content)
    assert "我改的一段。" in post.read_text(encoding="utf-8")
    assert report.posts_kept == [str(post)]
    assert "posts kept (edited since the import" in report.format()
    report = import_legacy(legacy_dir, content, force=True)
    assert "我改的一段。" not in post.read_text(encoding="utf-8")
    assert report.replaced == [str(post)]
    assert f"edited files replaced because of --force:\n    {post}" in report.format()
    # After that, a re-run changes nothing again.
    assert import_legacy(legacy_dir, content).posts_written == 0


# ------------------------------------------- words and links the earlier mirror damaged


def test_a_word_written_as_a_tag_becomes_text_but_not_in_tex_code_or_real_html():
    text = (
        "直到出现<eos>标记，<bos>开头\n"
        "公式 $a<b>c$ 与代码 `<unk>` 与注释 <!-- <cls> -->\n"
        '<div class="x">盒子</div> <iframe src="y"></iframe> <font>旧</font>\n'
        '<parameter name="step-label">步骤</parameter> 与自动链接 <https://example.org>\n'
    )
    fixed, found = restore_words(text)
    assert fixed.splitlines() == [
        "直到出现&lt;eos&gt;标记，&lt;bos&gt;开头",
        "公式 $a<b>c$ 与代码 `<unk>` 与注释 <!-- <cls> -->",
        '<div class="x">盒子</div> <iframe src="y"></iframe> <font>旧</font>',
        '&lt;parameter name="step-label"&gt;步骤&lt;/parameter&gt; 与自动链接 <https://example.org>',
    ]
    assert found == [
        (1, "<eos>"),
        (1, "<bos>"),
        (4, '<parameter name="step-label">'),
        (4, "</parameter>"),
    ]
    assert restore_words(fixed) == (fixed, [])  # a second run changes nothing
    html = markdown.markdown(fixed)
    assert "&lt;eos&gt;" in html and "<eos>" not in html


def test_a_link_split_around_its_scheme_is_rejoined():
    text = "见[《旧文》](htthttps://kexue.fm/archives/9948p://)与[好](https://a.org/p://x)"
    fixed, found = repair_links(text)
    assert fixed == "见[《旧文》](https://kexue.fm/archives/9948)与[好](https://a.org/p://x)"
    assert found == [(1, "https://kexue.fm/archives/9948")]


def test_the_import_escapes_words_and_names_each_in_its_report(legacy_dir: Path, tmp_path):
    path = legacy_dir / "blogs_raw" / "example-full.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("结尾。", "直到<eos>为止，见[此](htthttps://kexue.fm/archives/1p://)。")
    text = text.replace("第一行。", "第一行 <parameter>。")
    path.write_text(text, encoding="utf-8")
    content = tmp_path / "content"
    report = import_legacy(legacy_dir, content)
    body = read_post(content / "posts" / "90101.md").body
    assert "直到&lt;eos&gt;为止，见[此](https://kexue.fm/archives/1)。" in body
    note = (content / "derivations" / "90101.md").read_text(encoding="utf-8")
    assert "第一行 &lt;parameter&gt;。" in note
    lines = text.split("\n")
    eos = next(i for i, x in enumerate(lines, 1) if "<eos>" in x)
    param = next(i for i, x in enumerate(lines, 1) if "<parameter>" in x)
    assert report.words == [
        ("blogs_raw/example-full.md", eos, "<eos>"),
        ("blogs_raw/example-full.md", param, "<parameter>"),
    ]
    assert report.links == [("blogs_raw/example-full.md", eos, "https://kexue.fm/archives/1")]
    shown = report.format()
    assert f"blogs_raw/example-full.md:{eos}: <eos>" in shown
    assert f"blogs_raw/example-full.md:{eos}: https://kexue.fm/archives/1" in shown
    problems = [p for p in check_authored_html(CheckContext(tmp_path, content, tmp_path))]
    assert not [p for p in problems if not p.notice], problems


def test_real_corpus_loses_no_word_to_the_allowlist(imported):
    """The earlier mirror unescaped `&lt;eos&gt;` and friends (posts 7500, 7818, 7912, 8128,
    notes 10347, 7980): after the import nothing the reader would lose is left."""
    content, report = imported
    assert len(report.words) >= 20 and {w for _, _, w in report.words} >= {"<eos>", "<cls>"}
    assert [u for _, _, u in report.links] == ["https://kexue.fm/archives/9948"]
    ctx = CheckContext(content.parent, content, content.parent)
    problems = [str(p) for p in check_authored_html(ctx) if not p.notice]
    assert problems == []
    assert "&lt;eos&gt;" in read_post(content / "posts" / "7500.md").body
