"""`invoke check-steps`: splitting, reading rules, verdicts, author controls, cache."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from kexue.core.problems import CheckContext
from kexue.steps.numeric import check_step
from kexue.steps.read import Conventions, NoteContext, UnreadableError, read_side
from kexue.steps.run import check_files, notice_step_funnel, write_json
from kexue.steps.seed import change_exponent, drop_term, flip_sign
from kexue.steps.split import display_steps, note_context, note_steps


def verdict(lhs: str, rhs: str, note: str = "", ranges=None) -> tuple[str, str]:
    ctx = note_context("Post: 1\n" + note + "\n\nbody\n", "n.md")[0] if note else NoteContext()
    out = check_step(lhs, rhs, ctx, ranges or {})
    return out.verdict, out.reason


# --- splitting ---------------------------------------------------------------------------


def test_chain_splits_into_steps():
    steps = display_steps("$$(a+b)^2 = a^2 + 2ab + b^2 = b^2 + 2ab + a^2$$")
    assert [(a, b) for a, b, _, _ in steps] == [
        ("(a+b)^2", "a^2 + 2ab + b^2"),
        ("a^2 + 2ab + b^2", "b^2 + 2ab + a^2"),
    ]


def test_aligned_rows_continue_the_chain():
    tex = r"""\begin{equation}\begin{aligned}
(a+b)^2 &= a^2 + 2ab + b^2 \\
&= b^2 + 2ab \\
&\quad + a^2
\end{aligned}\tag{3}\end{equation}"""
    steps = [(a, b) for a, b, _, _ in display_steps(tex)]
    assert steps[0] == ("(a+b)^2", "a^2 + 2ab + b^2")
    assert steps[1][0] == "a^2 + 2ab + b^2"
    assert steps[1][1].replace(" ", "") == "b^2+2ab+a^2"


def test_relations_other_than_equality_are_not_steps():
    assert display_steps("$$a \\leq b$$") == []
    assert display_steps("$$f := x^2$$") == []
    assert display_steps("$$y \\triangleq x^2$$") == []
    assert [(a, b) for a, b, _, _ in display_steps("$$a \\approx b = c$$")] == [("b", "c")]


def test_trailing_condition_gives_ranges():
    ((lhs, rhs, unread, ranges),) = display_steps(r"$$\sqrt{x^2} = -x, \quad x < 0$$")
    assert (lhs, rhs, unread) == (r"\sqrt{x^2}", "-x", "")
    assert ranges["x"][1] < 0
    ((_, _, unread, _),) = display_steps(r"$$(-1)^n = -1, \quad \text{if } n \text{ is odd}$$")
    assert unread


# --- reading rules ---------------------------------------------------------------------


def test_parse_rewrites_bold_as_vectors_and_matrices():
    r = read_side(r"\boldsymbol{x}^{\top}\boldsymbol{W}", NoteContext())
    kinds = sorted(s.kind for s in r.symbols.values())
    assert kinds == ["matrix", "vector"]
    with pytest.raises(UnreadableError, match="expectation"):
        read_side(r"\mathbb{E}[x]", NoteContext())
    with pytest.raises(UnreadableError, match="ellipsis"):
        read_side(r"a_1 + \cdots + a_n", NoteContext())


def test_matrix_products_keep_their_order():
    assert verdict(r"(\boldsymbol{A}\boldsymbol{B})^{\top}",
                   r"\boldsymbol{B}^{\top}\boldsymbol{A}^{\top}")[0] == "verified"  # fmt: skip
    assert verdict(r"(\boldsymbol{A}\boldsymbol{B})^{\top}",
                   r"\boldsymbol{A}^{\top}\boldsymbol{B}^{\top}")[0] == "failed"  # fmt: skip


def test_shapes_declared_in_the_note():
    text = "Post: 1\n\n$A \\in \\mathbb{R}^{n \\times r}$, $B \\in \\mathbb{R}^{r \\times m}$\n"
    ctx = note_context(text, "n.md")[0]
    assert ctx.shapes["A"] == ("n", "r")
    assert check_step("(AB)^{\\top}", "B^{\\top} A^{\\top}", ctx, {}).verdict == "verified"


def test_log_is_natural_unless_the_note_says():
    assert verdict(r"\log(ab)", r"\log a + \log b")[0] == "verified"
    assert verdict(r"\log 8", "3")[0] == "failed"
    assert verdict(r"\log 8", "3", "Conventions: log=log2")[0] == "verified"


def test_i_is_an_index_in_sums_and_imaginary_by_convention():
    assert verdict(r"\sum_{i=1}^{3} i", "6")[0] == "verified"
    assert verdict(r"\sum_{i=1}^{n} x_i", r"\sum_{k=1}^{n} x_k")[0] == "verified"
    assert verdict("i^2", "-1", "Conventions: i=imag")[0] == "verified"
    assert verdict(r"e^{i\pi}", "-1", "Conventions: i=imag")[0] == "verified"


def test_subscripts_are_distinct_symbols():
    assert verdict("x_1 + x_2", "x_2 + x_1")[0] == "verified"
    assert verdict("x_1 - x_2", "x_2 - x_1")[0] == "failed"


def test_sums_with_numeric_bounds_are_evaluated():
    assert verdict(r"\sum_{k=1}^{4} k^2", "30")[0] == "verified"
    assert verdict(r"\prod_{k=1}^{4} k", "24")[0] == "verified"


def test_condition_is_sampled_within():
    assert verdict(r"\sqrt{x^2}", "-x", ranges={"x": (-1.7, -0.3)})[0] == "verified"
    note = "Post: 1\n\n$$\\sqrt{x^2} = -x, \\quad x < 0$$\n"
    report = _check_text(note)
    assert [r.verdict for r in report.results] == ["verified"]


def test_a_definition_is_not_a_step():
    assert verdict("y", "x^2 + 1") == ("unchecked", "definition")


# --- verdicts -----------------------------------------------------------------------------


def test_true_errors_are_found():
    assert verdict(r"\log_m n", r"\log n - \log m")[0] == "failed"
    assert verdict("64^{0.625}", "12.13")[0] == "failed"
    assert verdict(r"\sigma(-x)", r"\sigma(x) - 1")[0] == "failed"


def test_correct_steps_are_not_flagged():
    assert verdict(r"\sigma(-x)", r"1 - \sigma(x)")[0] == "verified"
    assert verdict("64^{0.625}", "13.45")[0] == "verified"  # rounded as written
    assert verdict(r"\frac{d}{dx} x^3", "3x^2")[0] == "verified"
    assert verdict(r"\int_0^1 x^2 dx", r"\frac{1}{3}")[0] == "verified"
    assert verdict(r"\|\boldsymbol{x}\|^2", r"\boldsymbol{x}^{\top}\boldsymbol{x}")[0] == "verified"


def test_counterexample_names_values_and_both_sides():
    out = check_step("(a+b)^2", "a^2 + b^2", NoteContext(), {})
    assert out.verdict == "failed"
    assert {"a", "b", "lhs", "rhs"} <= set(out.counterexample)
    assert out.lhs_parsed and out.rhs_parsed


def test_seeded_errors_are_caught():
    ctx = NoteContext()
    for lhs, rhs in [("(a+b)^2", "a^2 + 2ab + b^2"), (r"\frac{x^3 - x}{x}", "x^2 - 1")]:
        assert check_step(lhs, rhs, ctx, {}).verdict == "verified"
        for mutate in (flip_sign, change_exponent, drop_term):
            changed = mutate(rhs)
            assert changed and changed != rhs
            assert check_step(lhs, changed, ctx, {}).verdict in ("failed", "unchecked")
        assert check_step(lhs, flip_sign(rhs), ctx, {}).verdict == "failed"


# --- author controls, report, cache ------------------------------------------------------


def _check_text(text: str, tmp: Path | None = None, cache: Path | None = None):
    folder = Path(tmp or tempfile.mkdtemp()) / "content" / "derivations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1.md").write_text(text, encoding="utf-8")
    return check_files([folder / "1.md"], folder.parent.parent, cache)


def test_skip_marker_and_conventions_are_reported(tmp_path):
    text = (
        "Post: 1\nConventions: log=log2\n\n"
        "$$\\log 8 = 3$$\n\n$$a = b + 1 % check-steps: skip\n$$\n\n$$(a+b)^2 = a^2 + b^2$$\n"
    )
    report = _check_text(text, tmp_path)
    verdicts = [(r.line, r.verdict, r.reason) for r in report.results]
    assert verdicts[0][1] == "verified"
    assert verdicts[1] == (6, "unchecked", "skipped by the author")
    assert verdicts[2][1] == "failed"
    assert report.conventions == {"content/derivations/1.md": "log=log2"}
    assert "skipped by the author 1" in report.summary()
    failure = report.failures()[0]
    assert failure.startswith("content/derivations/1.md:9: (a+b)^2 = a^2 + b^2 fails at a=")


def test_unknown_convention_is_a_problem(tmp_path):
    report = _check_text("Post: 1\nConventions: log=log7\n\n$$a=a$$\n", tmp_path)
    assert len(report.problems) == 1
    assert str(report.problems[0]).startswith("content/derivations/1.md:2: Conventions:")


def test_json_and_cache(tmp_path):
    text = "Post: 1\n\nSome prose.\n\n$$\n(a+b)^2 = a^2 + 2ab + b^2\n$$\n"
    cache = tmp_path / "cache.json"
    first = _check_text(text, tmp_path, cache)
    assert first.fresh == 1
    second = _check_text(text, tmp_path, cache)
    assert second.fresh == 0 and second.results[0].verdict == "verified"
    out = tmp_path / "steps.json"
    write_json(second, out)
    (obj,) = json.loads(out.read_text(encoding="utf-8"))
    assert obj == {
        "file": "content/derivations/1.md",
        "line": 5,
        "lhs": "(a+b)^2",
        "rhs": "a^2 + 2ab + b^2",
        "verdict": "verified",
        "reason": "",
        "counterexample": {},
    }


def test_notice_is_the_funnel_per_note_from_the_cache(tmp_path, monkeypatch):
    content = tmp_path / "content"
    (content / "derivations").mkdir(parents=True)
    note = content / "derivations" / "7.md"
    note.write_text("Post: 7\n\n$$(a+b)^2 = a^2 + b^2 = b^2 + a^2$$\n", encoding="utf-8")
    cache = tmp_path / "steps.json"
    monkeypatch.setenv("KEXUE_STEPS_CACHE", str(cache))
    ctx = CheckContext(tmp_path, content, tmp_path)
    (before,) = [str(p) for p in notice_step_funnel(ctx)]
    assert "2 not checked (2 not yet)" in before
    check_files([note], tmp_path, cache)
    (after,) = [str(p) for p in notice_step_funnel(ctx)]
    assert after.startswith(
        "content/derivations/7.md: 2 = steps: 2 checked numerically (1 agree, 1 disagree)"
    )


def test_conventions_parse():
    conv, errors = Conventions.parse("log=log2; i=index")
    assert (conv.log, conv.i, errors) == ("log2", "index", [])
    assert Conventions.parse("i=complex")[1]


def test_note_steps_line_is_the_display_first_line():
    text = "Post: 1\n\nprose\n\n\\begin{equation}\nx + x = 2x\n\\end{equation}\n"
    (step,) = note_steps(text, "n.md")
    assert (step.line, step.lhs, step.rhs) == (5, "x + x", "2x")


def test_sum_over_an_index_alone_runs_over_a_hidden_range():
    assert verdict(r"\sum_i (x_i + y_i)", r"\sum_i x_i + \sum_j y_j")[0] == "verified"
    assert verdict(r"\sum_i (x_i + y_i)", r"\sum_i x_i - \sum_j y_j")[0] == "unchecked"


def test_function_without_parentheses_takes_one_item():
    step = (r"\cos\theta \cdot \cos\theta - (-\sin\theta) \cdot \sin\theta", r"\cos^2\theta + 1")
    assert verdict(*step)[0] == "failed"
    assert verdict(step[0], r"\cos^2\theta + \sin^2\theta")[0] == "verified"


def test_rounded_numbers_agree_within_their_digits():
    assert verdict(r"-0.5\log 0.5 - 0.5\log 0.5", r"0.693")[0] == "verified"
    assert verdict(r"512 \times 0.8", "410")[0] == "verified"
    assert verdict(r"\frac{-0.667\log 0.667 - 0.333\log 0.333}{\log 2}", "0.637")[0] == "failed"


def test_condition_in_the_prose_before_the_display():
    text = "Post: 1\n\n对于$x \\leq 0$，我们计算：\n$$\\sqrt{x^2} = -x$$\n"
    assert [r.verdict for r in _check_text(text).results] == ["verified"]


def test_a_bare_rounded_result_agrees_but_exact_decimals_do_not_loosen():
    assert verdict("(0.5)^7", "0.0078")[0] == "verified"
    assert verdict("0.5 + 0.25", "0.7")[0] == "failed"
