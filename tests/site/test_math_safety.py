"""Build-time math under attack and bad luck (issue 24): what a formula may carry, a formula
or worker over budget, no node, a damaged formula cache, a page a stopped build left.

The real Node worker typesets small pages written for these tests
(tests/site/test_prerender.py's ``write_page``); each failure ends in one line and a
finished run."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from kexue.core.problems import CheckContext
from kexue.math.checks import built_problems, check_math_pages
from kexue.math.prerender import STYLESHEET, prerender_files
from kexue.site.sanitize import sanitize_math
from tests.site.test_prerender import HEAD, write_page

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

TEXT = "公式 $a+b$ 与 $\\href{javascript:alert(1)}{x}$，$\\style{position:fixed;color:red}{y}$\n"


def _typeset(html: str) -> int:
    """The page's formulas typeset at build time (elements of class mjx-server)."""
    return len(re.findall(r'<(?:span|div) class="math [a-z]+ mjx-server[ "]', html))


def _build(tmp_path: Path, text: str = TEXT, env: dict | None = None, **kw):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    page = write_page(out, "a.html", text)
    old = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        stats = prerender_files([page], out, tmp_path / "cache", **kw)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return page.read_text(encoding="utf-8"), stats


def _warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def test_filtered_commands_are_typeset_without_what_they_carried_and_reported(tmp_path):
    html, stats = _build(tmp_path)
    assert stats.rejected == 0 and _typeset(html) == 3
    assert 'data-tex="$\\href{javascript:alert(1)}{x}$"' in html  # the TeX as written
    assert "<a " not in html and "position: fixed" not in html and "color: red" in html
    problems = [p.message for p in built_problems(html)]
    assert any("safe filter removed \\href{javascript:alert(1)}" in p for p in problems)
    assert any("safe filter removed \\style{position:fixed}" in p for p in problems)


def test_the_second_allowlist_removes_what_mathjax_should_never_write():
    markup = (
        '<mjx-container class="MathJax"><mjx-mi style="position: fixed; color: red" id="eq-1" '
        'class="deriv-note mjx-n" data-pagefind-ignore="all" onclick="alert(1)">'
        '<a href="javascript:alert(2)">x</a></mjx-mi><script>alert(3)</script></mjx-container>'
    )
    cleaned, removed = sanitize_math(markup)
    for gone in ("fixed", "eq-1", "deriv-note", "pagefind", "onclick", "javascript", "script"):
        assert gone not in cleaned, gone
    assert "color: red" in cleaned and "mjx-n" in cleaned
    assert "style position: fixed" in removed and "id=eq-1" in removed


def test_ids_two_formulas_share_are_kept_once_on_the_page(tmp_path):
    html, _ = _build(tmp_path, "$\\cssId{dup}{a}$ 和 $\\cssId{dup}{b}$ 和 $\\cssId{eq-1}{c}$\n")
    assert html.count('id="mjx-tex-dup"') == 1 and 'id="eq-1"' not in html


def test_a_formula_over_the_time_budget_is_left_to_the_browser_with_a_warning(tmp_path, capsys):
    n = 150  # a 150 x 150 matrix: far more than a second
    rows = "\\\\".join("&".join(f"x_{{{i}{j}}}" for j in range(n)) for i in range(n))
    text = f"前 $a$\n\n$$\\begin{{matrix}}{rows}\\end{{matrix}}$$\n\n后 $b$\n"
    html, stats = _build(tmp_path, text, env={"KEXUE_MATH_TIMEOUT": "0.5"})
    assert stats.rejected == 1 and _typeset(html) == 2
    assert 'data-mjx-error="not typeset at build time: over the time budget' in html
    (warning,) = _warnings(capsys)
    assert "a.html: formula '$$\\\\begin{matrix}" in warning
    assert warning.endswith("left to the browser: over the time budget (3 s)")


def test_a_worker_out_of_memory_is_retried_then_the_formula_left_to_the_browser(tmp_path, capsys):
    n = 200
    rows = "\\\\".join("&".join(f"x_{{{i}{j}}}" for j in range(n)) for i in range(n))
    text = f"前 $a$\n\n$$\\begin{{matrix}}{rows}\\end{{matrix}}$$\n"
    html, stats = _build(tmp_path, text, env={"KEXUE_MATH_MEMORY_MB": "60"})
    assert stats.rejected == 1 and _typeset(html) == 1
    (warning,) = _warnings(capsys)
    assert warning.endswith("the MathJax worker stopped (out of memory: over the heap budget)")


def test_without_node_one_line_and_every_formula_left_to_the_browser(tmp_path, capsys):
    empty = tmp_path / "bin"
    empty.mkdir()
    html, stats = _build(tmp_path, env={"PATH": str(empty)})
    assert stats.rejected == 3 and _typeset(html) == 0
    assert "<!--kexue-client-mathjax-->" in html  # the browser typesets them
    assert _warnings(capsys) == [
        "[kexue] warning: node is not on PATH: formulas are left to MathJax in the browser "
        "(install Node)"
    ]


def _truncated(path: Path) -> None:
    db = sqlite3.connect(path.parent / "src.sqlite")
    db.execute("CREATE TABLE formula (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE rule (id TEXT PRIMARY KEY, text TEXT)")
    db.executemany("INSERT INTO formula VALUES (?, ?)", [(str(i), "x" * 500) for i in range(3000)])
    db.commit()
    db.close()
    path.write_bytes((path.parent / "src.sqlite").read_bytes()[:200_000])


DAMAGE = {
    "random bytes": (lambda p: p.write_bytes(os.urandom(5000)), "file is not a database"),
    "truncated": (_truncated, "database disk image is malformed"),
    "a folder": (lambda p: (p / "x").mkdir(parents=True), "unable to open database file"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_formula_cache_is_moved_aside_and_rebuilt(damage, tmp_path, capsys):
    cache = tmp_path / "cache" / "formulas.sqlite"
    cache.parent.mkdir()
    make, why = DAMAGE[damage]
    make(cache)
    html, stats = _build(tmp_path)
    assert stats.typeset == 3 and _typeset(html) == 3
    assert _warnings(capsys) == [
        f"[kexue] warning: {cache}: the formula cache was damaged ({why}): moved to "
        "formulas.sqlite.broken, rebuilt"
    ]
    assert cache.is_file() and (cache.parent / "formulas.sqlite.broken").exists()
    _, again = _build(tmp_path)  # and the next run uses the new one
    assert again.typeset == 0 and _warnings(capsys) == []


def test_a_cache_folder_that_is_a_file_is_bypassed(tmp_path, capsys):
    (tmp_path / "cache").write_text("x", encoding="utf-8")
    html, stats = _build(tmp_path)
    assert _typeset(html) == 3
    (warning,) = _warnings(capsys)
    assert "the formula cache cannot be used" in warning and "`invoke clean --all`" in warning


def test_a_page_a_stopped_build_left_untypeset_is_reported(tmp_path):
    html, _ = _build(tmp_path)
    out = tmp_path / "out"
    assert (out / STYLESHEET).is_file()
    # A second page as Pelican writes it, before the run typesets it (then the run stopped).
    raw = write_page(out, "b.html", "只有 $c$\n")
    assert raw.read_text(encoding="utf-8").startswith(HEAD)
    problems = [str(p) for p in check_math_pages(CheckContext(tmp_path, tmp_path, out))]
    assert f"{raw}: its formulas were never typeset (a build stopped before it finished): " in (
        "".join(problems)
    )
