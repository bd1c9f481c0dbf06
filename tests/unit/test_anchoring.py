"""Anchoring imported notes under the equations they explain (kexue/legacy/anchoring.py).

The notes and posts here are written for these tests; the real corpus is read only by the
tests marked ``corpus`` (skipped when it is absent), in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from kexue.core.posts import read_post
from kexue.legacy.anchoring import (
    RECORD,
    AnchoringReport,
    anchor_note,
    anchor_notes,
    strip_anchors,
)
from kexue.legacy.importer import import_legacy
from kexue.notes import PostTargets, check_note, parse_note

POST = r"""我们从一个定义开始：
\begin{equation}s = \sum_{i=1}^d q_i k_i\label{eq:score}\end{equation}
它的方差是
\begin{equation}\mathrm{Var}[s] = \sum_{i=1}^d \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2]\end{equation}
每一项都是 1，于是
\begin{equation}\mathrm{Var}[s] = d \cdot 1 = d\end{equation}
最后
$$\mathrm{softmax}\left(\frac{QK^{\top}}{\sqrt{d}}\right)V \tag{KL}$$
"""

NOTE = r"""Post: 1
Status: draft
Authors:
Date:

## 公式推导与注释

引言：这份注释逐节推导。

### 1. 打分的定义

回顾 $\eqref{eq:score}$ 的写法，它是 $d$ 项之和。

### 2. 方差

原文写成
$$\mathrm{Var}[s]=\sum_{i=1}^{d}\mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] \tag{2}$$
这里用了独立性。

#### 2.1 继续

还是关于方差。由式(2)可知各项独立。

### 3. 式(3)的含义

每一项等于 1。

### 4. 与本文无关的讨论

```python
# 式(3) in code is not a heading and not a mention
x = 1
```

### 5. 一个自动编号的式子

由式(3)：
\begin{equation}a = b\end{equation}

### 6. 引用原文的 softmax

$$\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right) V$$

<div class="derivation-box" markdown="1">

### 盒子里的标题不分节

提到式(3)。

</div>

### 7. 尾声

没有提到任何式子。
"""


def _result():
    return anchor_note(NOTE, POST)


def test_every_line_is_kept_in_order():
    result = _result()
    assert strip_anchors(result.text) == NOTE
    added = Counter(result.text.split("\n")) - Counter(NOTE.split("\n"))
    assert all(line.startswith("## @") for line in added)
    assert not Counter(NOTE.split("\n")) - Counter(result.text.split("\n"))


def test_sections_are_anchored_by_the_rules():
    got = {s.heading: (s.target, s.rule) for s in _result().anchored}
    assert got == {
        "### 1. 打分的定义": ("eq:score", "eqref"),
        "### 2. 方差": ("(2)", "tag"),  # its display is the post's (2), tagged (2)
        "#### 2.1 继续": ("(2)", "named"),  # joins the panel of (2)
        "### 3. 式(3)的含义": ("(3)", "heading"),
        "### 6. 引用原文的 softmax": ("(KL)", "quote"),
    }


def test_what_stays_in_the_appendix_and_why():
    result = _result()
    appendix = {s.heading: s.reason for s in result.appendix}
    assert appendix["### 4. 与本文无关的讨论"] == ""  # the mention is in code
    # (an auto-numbered display no longer keeps a section out: notes number their own)
    assert "already annotated" in appendix["### 5. 一个自动编号的式子"]
    assert "### 7. 尾声" in appendix
    assert "## 公式推导与注释" in appendix
    # The heading inside the HTML box is not a section boundary.
    assert not any("盒子" in s.heading for s in result.sections)


def test_the_anchored_note_passes_the_note_checks():
    result = _result()
    note = parse_note(result.text, "1.md")
    assert [str(s.anchor) for s in note.anchored] == ["eq:score", "(2)", "(3)", "(KL)"]
    problems = [p for p in check_note(note, PostTargets.from_markdown(POST))]
    assert [p.message for p in problems if "1.md" not in p.message] == [p.message for p in problems]
    # Only the appendix keeps the auto-numbered display, so the check finds nothing.
    assert problems == []
    # The appendix (free sections) holds the rest, in order.
    free = "".join(s.body for s in note.free)
    assert "### 4. 与本文无关的讨论" in free and "### 7. 尾声" in free


def test_the_note_own_numbers_are_not_the_posts():
    note = NOTE.replace(
        "还是关于方差。由式(2)可知各项独立。", "还是关于方差。\n$$x+y=z\\tag{3}$$\n由式(3)可知。"
    )
    got = {s.heading: s.target for s in anchor_note(note, POST).anchored}
    # The note tags its own (3): 式(3) there means the note's display, not the post's.
    assert "### 3. 式(3)的含义" not in got
    assert "#### 2.1 继续" not in got
    assert got["### 2. 方差"] == "(2)"


def test_a_note_with_anchors_of_its_own_is_not_touched():
    text = NOTE.replace("### 7. 尾声", "## @(3) 作者写的")
    result = anchor_note(text, POST)
    assert result.text == text and result.skipped


def test_anchoring_twice_changes_nothing():
    once = _result().text
    assert anchor_note(strip_anchors(once), POST).text == once


# ---------------------------------------------------------------- through the import


def _legacy_folder(tmp_path: Path) -> Path:
    root = tmp_path / "legacy"
    (root / "blogs_raw").mkdir(parents=True, exist_ok=True)
    body = "\n".join(
        [
            "---",
            "title: 测试",
            "source: https://spaces.ac.cn/archives/1",
            "status: completed",
            "---",
            "",
            "# 测试",
            "",
            "**原文链接**: [https://spaces.ac.cn/archives/1](https://spaces.ac.cn/archives/1)",
            "",
            "---",
            "",
            POST,
            "@online{kexuefm-1,",
            "title={测试},",
            "author={苏剑林},",
            "}",
            "",
            NOTE.split("\n\n", 1)[1],
        ]
    )
    (root / "blogs_raw" / "test.md").write_text(body, encoding="utf-8")
    return root


def test_import_anchors_and_respects_an_edited_note(tmp_path: Path):
    content = tmp_path / "content"
    report = import_legacy(_legacy_folder(tmp_path), content)
    note = content / "derivations" / "1.md"
    text = note.read_text(encoding="utf-8")
    assert "## @eq:score" in text and "## @free" in text
    assert report.anchoring.totals()["anchored"] == 5
    assert "1: 5 anchored" in report.format()
    record = json.loads((content / RECORD).read_text(encoding="utf-8"))
    assert record["1"]["anchored"] and record["1"]["appendix"]
    # Re-running the import and anchor-notes changes nothing.
    again = import_legacy(_legacy_folder(tmp_path), content)
    assert again.notes_written == 0 and note.read_text(encoding="utf-8") == text
    assert anchor_notes(content).written == []
    # A person moves an anchor: neither the import nor anchor-notes undoes it.
    edited = text.replace("## @(KL)", "## @(3)")
    note.write_text(edited, encoding="utf-8")
    import_legacy(_legacy_folder(tmp_path), content)
    report = anchor_notes(content)
    assert note.read_text(encoding="utf-8") == edited
    assert report.left_alone and "edited" in report.left_alone[0][1]


def test_anchor_notes_follows_a_completed_post(tmp_path: Path):
    """An excerpt completed later (the post changed): anchor-notes anchors afresh."""
    content = tmp_path / "content"
    import_legacy(_legacy_folder(tmp_path), content)
    post = content / "posts" / "1.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("\\tag{KL}", "\\tag{SM}"), encoding="utf-8"
    )
    report = anchor_notes(content)
    text = (content / "derivations" / "1.md").read_text(encoding="utf-8")
    assert "## @(SM)" in text and "## @(KL)" not in text
    assert report.written
    assert anchor_notes(content).written == []


# ------------------------------------------------------------------ the real corpus


def test_real_corpus_anchoring_keeps_every_line(legacy_corpus: Path, tmp_path: Path):
    content = tmp_path / "content"
    report = import_legacy(legacy_corpus, content)
    totals = report.anchoring.totals()
    print("anchoring totals:", totals)
    assert totals["anchored"] > 100
    record = json.loads((content / RECORD).read_text(encoding="utf-8"))
    for note in sorted((content / "derivations").glob("*.md")):
        text = note.read_text(encoding="utf-8")
        raw = strip_anchors(text)
        # The line multiset of the note is unchanged, apart from the `## @` lines added.
        added = Counter(text.split("\n")) - Counter(raw.split("\n"))
        assert all(line.startswith("## @") for line in added), note
        assert not Counter(raw.split("\n")) - Counter(text.split("\n")), note
        assert hashlib.sha256(raw.encode()).hexdigest() == record[note.stem]["raw_digest"], note
        post = read_post(content / "posts" / note.name)
        problems = check_note(parse_note(text, note), PostTargets.from_markdown(post.body))
        wrong = [
            p
            for p in problems
            if "shift the post's equation numbers" in p.message
            or "already annotated" in p.message
            or " has no equation" in p.message
            or " has no label" in p.message
        ]
        assert not wrong, wrong[:3]
    # Idempotent on the real corpus too.
    assert anchor_notes(content).written == []


def _rules(result):
    return {s.heading: (s.target, s.rule) for s in result.anchored}


def test_a_rewritten_formula_is_anchored_by_token_similarity_with_its_score():
    note = (
        "Post: 1\n\n### 甲\n\n改写一下：\n"
        "$$\\mathrm{Var}[s] = \\sum_{j=1}^{d} \\mathbb{E}[q_j^2]"
        "\\cdot\\mathbb{E}[k_j^2] = d\\sigma^2$$\n"
    )
    (section,) = anchor_note(note, POST).anchored
    assert (section.target, section.rule) == ("(2)", "similar") and 0.75 < section.score < 1


def test_a_note_heading_that_repeats_a_post_heading_goes_to_that_section():
    post = POST + "\n## 方差的计算\n\n正文。\n\n## 小结\n\n完。\n"
    note = NOTE.replace("### 7. 尾声", "### 7. 方差的计算：补充").replace(
        "### 4. 与本文无关的讨论", "### 4. 小结"
    )
    got = _rules(anchor_note(note, post))
    assert got["### 7. 方差的计算：补充"] == ("[方差的计算]", "section")
    assert "### 4. 小结" not in got  # a generic heading names no particular section


def test_pins_and_rejects_in_the_header_win_and_survive_a_rerun(tmp_path: Path):
    header_end = NOTE.index("\n\n")
    decided = (
        NOTE[:header_end]
        + "\nPin: 7. 尾声 => (KL); 4. 与本文无关的讨论 => eq:score\nReject: 2.1 继续"
        + NOTE[header_end:]
    )
    result = anchor_note(decided, POST)
    got = _rules(result)
    assert got["### 7. 尾声"] == ("(KL)", "pinned")
    assert got["### 4. 与本文无关的讨论"] == ("eq:score", "pinned")
    assert "#### 2.1 继续" not in got
    assert {s.heading: s.reason for s in result.appendix}["#### 2.1 继续"].startswith("rejected")
    assert anchor_note(strip_anchors(result.text), POST).text == result.text
    review = anchor_notes_review(result)
    assert "- line " in review and "-> (KL) · pinned 1.00" in review


def anchor_notes_review(result) -> str:
    return AnchoringReport(results=[result]).review()


def test_a_decision_added_to_an_imported_note_is_not_an_edit(tmp_path: Path):
    content = tmp_path / "content"
    import_legacy(_legacy_folder(tmp_path), content)
    note = content / "derivations" / "1.md"
    text = note.read_text(encoding="utf-8")
    assert "## @eq:score" in text
    decided = text.replace("Status:", "Reject: 1. 打分的定义\nStatus:", 1)
    note.write_text(decided, encoding="utf-8")
    report = anchor_notes(content)
    assert not report.left_alone and report.written
    after = note.read_text(encoding="utf-8")
    assert "Reject: 1. 打分的定义" in after and "## @eq:score" not in after
    assert anchor_notes(content).written == []  # and the decision stays decided
