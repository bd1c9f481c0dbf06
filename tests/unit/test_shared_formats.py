"""One definition each: the CJK ranges (kexue/core/cjk.py), the placeholders
(kexue/core/placeholders.py) and the output folder's layout (kexue/core/layout.py)."""

from __future__ import annotations

import re

from kexue.core import cjk, layout, placeholders
from kexue.core.paths import ROOT
from kexue.math import page, tex
from kexue.math.extension import placeholder
from kexue.reading.structure import reading_minutes, slugify_heading

TEMPLATES = ROOT / "theme" / "templates"
SCRIPTS = ROOT / "theme" / "static"


def test_the_named_ranges_keep_what_each_user_matched():
    # the ranges as their users spelled them before they were named here
    assert re.fullmatch(f"[{cjk.PROSE}]+", "\u3000\u303f\u3400\u4dc0\u9fff\uff00\uffef")
    assert not re.search(f"[{cjk.PROSE}]", "\u33ff\ua000\u2e80")
    assert re.fullmatch(f"[{cjk.READ_AS_CHARACTERS}]+", "\u3400\u4e00\uf900\u3040\u30ff\uac00")
    assert not re.search(f"[{cjk.READ_AS_CHARACTERS}]", "\u4dc0\u3000\uff0c")
    assert re.fullmatch(f"[{cjk.HAN}]+", "\u3007\u4e00\U00020000\U0003134f")
    assert tex._is_prose("中文") and tex._is_prose("，") and not tex._is_prose("x+y")


def test_reading_time_counts_han_kana_and_hangul_as_characters():
    # 400 characters a minute: 401 of them take two minutes, as 401 Latin words would not
    for chars in ("中" * 401, "か" * 401, "한" * 401):
        assert reading_minutes(f"<p>{chars}</p>") == 2
    assert reading_minutes("<p>" + "词 " * 401 + "</p>") == 2
    assert reading_minutes("<p>" + "word " * 201 + "</p>") == 2


def test_math_placeholders_are_the_shared_ones():
    mark = placeholder(7)
    assert mark == placeholders.placeholder("kxm", 7)
    assert re.fullmatch(placeholders.pattern("kxm"), mark).group(1) == "7"
    assert placeholders.ANY_RE.fullmatch(mark)
    assert placeholders.LEFTOVER_RE.search(placeholders.literal(3))
    assert slugify_heading(f"变分{mark}推断") == "变分-推断"


def test_templates_and_scripts_name_output_paths_only_through_the_layout():
    spelled = re.compile(r"""["'/](?:vendor|pagefind|figures)/|search/(?:posts\.json|contract)""")
    for path in [*TEMPLATES.rglob("*.html"), *SCRIPTS.rglob("*.js")]:
        text = re.sub(r"\{#.*?#\}|//[^\n]*", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not spelled.search(text), f"{path}: {spelled.search(text).group(0)}"


def test_the_head_partial_holds_the_marks_typesetting_replaces():
    head = (TEMPLATES / "partials" / "math_head.html").read_text(encoding="utf-8")
    for mark in (page.STYLE_MARK, page.CLIENT_START, page.CLIENT_END):
        assert mark in head
    assert page.STYLESHEET.startswith(layout.MATHJAX4 + "/")
