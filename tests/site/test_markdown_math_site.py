"""The tests of the unit module of the same name that build a site or run a subprocess.
(the site tier: tests/unit runs neither)."""

from __future__ import annotations

from kexue.math.element import page_math
from tests.conftest import build_site


def test_summaries_never_cut_a_formula(tmp_path):
    content = tmp_path / "content" / "samples"
    content.mkdir(parents=True)
    (content / "91101.md").write_text(
        "Title: 摘要\nDate: 2026-01-01\nSlug: 91101\n\n"
        "甲 乙 $a + b + c + d$ 丙 丁\n"
        "\\begin{equation} e + f \\label{eq:e}\\end{equation}\n戊 己 庚\n",
        encoding="utf-8",
    )
    out = tmp_path / "output"
    for words in (3, 5):
        build_site(tmp_path / "content", out, SUMMARY_MAX_LENGTH=words)
        index = (out / "index.html").read_text(encoding="utf-8")
        found = [tex for _, tex in page_math(index)]
        assert found and set(found) <= {
            "$a + b + c + d$",
            "\\begin{equation} e + f \\label{eq:e}\\end{equation}",
        }
        assert 'id="eq-1"' not in index and 'id="eq:e"' not in index
