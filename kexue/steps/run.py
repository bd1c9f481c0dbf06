"""`invoke check-steps`: check the ``=`` steps of notes (and posts), cache, report.

Results are cached by the step's text, the note's reading context and CHECKER_VERSION in
one JSON file under .cache/steps/ (a warm run parses nothing).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kexue.core.fsutil import atomic_write_text, read_record
from kexue.core.paths import NOTE_DIR, POST_DIRS, ROOT, content_files
from kexue.core.problems import CheckContext, Problem
from kexue.steps.split import note_context, note_steps

__all__ = ["CHECKER_VERSION", "Report", "check_files", "notice_step_funnel", "step_files"]

#: Bump when a change to the reading or the checking changes any verdict.
CHECKER_VERSION = "14"
CACHE = ROOT / ".cache" / "steps" / "results.json"


def cache_path() -> Path:
    """The cache file: .cache/steps/results.json, or $KEXUE_STEPS_CACHE."""
    return Path(os.environ.get("KEXUE_STEPS_CACHE") or CACHE)


NOT_YET = "not yet checked (run `invoke check-steps`)"


@dataclass
class StepResult:
    file: str
    line: int
    lhs: str
    rhs: str
    verdict: str  # verified | failed | unchecked
    reason: str = ""
    counterexample: dict = field(default_factory=dict)
    parsed: bool = False
    lhs_parsed: str = ""
    rhs_parsed: str = ""

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "lhs": self.lhs,
            "rhs": self.rhs,
            "verdict": self.verdict,
            "reason": self.reason,
            "counterexample": self.counterexample,
        }

    def failure(self) -> str:
        values = ", ".join(
            f"{k}={v}" for k, v in self.counterexample.items() if k not in ("lhs", "rhs")
        )
        return (
            f"{self.file}:{self.line}: {self.lhs} = {self.rhs} fails at {values or 'no symbols'}: "
            f"left {self.counterexample.get('lhs')} (read as {self.lhs_parsed}), "
            f"right {self.counterexample.get('rhs')} (read as {self.rhs_parsed})"
        )


@dataclass
class Report:
    results: list[StepResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # header conventions not understood
    conventions: dict[str, str] = field(default_factory=dict)  # file -> conventions in force
    seconds: float = 0.0
    fresh: int = 0  # steps checked in this run (not from the cache)

    def funnel(self, file: str | None = None) -> dict:
        rs = [r for r in self.results if file is None or r.file == file]
        verdicts = Counter(r.verdict for r in rs)
        reasons = Counter(r.reason for r in rs if r.verdict == "unchecked")
        return {
            "steps": len(rs),
            "parsed": sum(r.parsed for r in rs),
            "checked": verdicts["verified"] + verdicts["failed"],
            "verified": verdicts["verified"],
            "failed": verdicts["failed"],
            "unchecked": verdicts["unchecked"],
            "reasons": dict(reasons.most_common()),
        }

    def summary(self) -> str:
        f = self.funnel()
        share = f["checked"] / f["steps"] if f["steps"] else 0.0
        lines = [
            f"steps {f['steps']}, parsed {f['parsed']}, checked {f['checked']} ({share:.1%}), "
            f"verified {f['verified']}, failed {f['failed']}, unchecked {f['unchecked']}",
            "unchecked by reason: "
            + ", ".join(f"{reason} {n}" for reason, n in f["reasons"].items()),
        ]
        if self.conventions:
            lines.append(
                "conventions: "
                + "; ".join(f"{file}: {c}" for file, c in sorted(self.conventions.items()))
            )
        return "\n".join(lines)

    def failures(self) -> list[str]:
        return [r.failure() for r in self.results if r.verdict == "failed"]


def step_files(content: Path, ids: list[str] | None = None, posts: bool = False) -> list[Path]:
    files = content_files(content, (NOTE_DIR,) + (POST_DIRS if posts else ()))
    if ids:
        wanted = set(ids)
        files = [p for p in files if p.stem in wanted]
    return files


def _key(step, ctx, definitions: dict[str, str]) -> str:
    context = [
        sorted(definitions.items()),
        CHECKER_VERSION,
        ctx.conventions.describe(),
        sorted(ctx.shapes.items()),
        sorted(ctx.transposed),
        step.lhs,
        step.rhs,
        step.condition,
        sorted(step.ranges.items()),
    ]
    return hashlib.sha256(json.dumps(context, ensure_ascii=False).encode()).hexdigest()


def check_files(
    files: list[Path],
    root: Path | None = None,
    cache: Path | None = None,
    cached_only: bool = False,
) -> Report:
    """Check every ``=`` step of ``files``; reuse and update ``cache`` (None: none).
    ``cached_only``: check nothing, report steps absent from the cache as not yet checked
    (what `invoke check` shows, at no cost)."""
    start = time.perf_counter()
    stored = read_record(cache) if cache else {}
    if stored.get("version") != CHECKER_VERSION:
        stored = {"version": CHECKER_VERSION, "steps": {}}
    report = Report()
    for path in files:
        _check_file(path, _shown(path, root), stored["steps"], report, cached_only)
    if cache and report.fresh:
        atomic_write_text(cache, json.dumps(stored, ensure_ascii=False))
    report.seconds = time.perf_counter() - start
    return report


def _check_file(path: Path, shown: str, known: dict, report: Report, cached_only: bool) -> None:
    text = path.read_text(encoding="utf-8")
    ctx, problems, body_start = note_context(text, shown)
    report.problems += [Problem(shown, line, msg) for line, msg in problems]
    if ctx.conventions.describe():
        report.conventions[shown] = ctx.conventions.describe()
    definitions: dict[str, str] = {}
    for step in note_steps(text, shown, body_start):
        reason = _set_aside(step)
        key = _key(step, ctx, definitions)
        if not reason and key not in known:
            if cached_only:
                reason = NOT_YET
            else:
                from kexue.steps.numeric import check_step  # noqa: PLC0415 (SymPy: heavy, only when steps are checked)

                known[key] = asdict(check_step(step.lhs, step.rhs, ctx, step.ranges, definitions))
                report.fresh += 1
        if reason:
            report.results.append(
                StepResult(shown, step.line, step.lhs, step.rhs, "unchecked", reason)
            )
            continue
        o = known[key]
        if o.get("defines"):
            definitions[o["defines"][0]] = o["defines"][1]
        report.results.append(
            StepResult(shown, step.line, step.lhs, step.rhs, o["verdict"], o["reason"],
                       o["counterexample"], o["parsed"], o["lhs_parsed"], o["rhs_parsed"])
        )  # fmt: skip


def _set_aside(step) -> str:
    """Why a step is not checked before it is read (the author's marker, the prose)."""
    if step.skipped:
        return "skipped by the author"
    if step.posed:
        return "an equation the prose poses (令, 满足, solve…)"
    if step.condition:
        return "condition"
    return ""


def _shown(path: Path, root: Path | None) -> str:
    if root:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def write_json(report: Report, path: Path) -> None:
    atomic_write_text(
        path, json.dumps([r.to_json() for r in report.results], ensure_ascii=False, indent=1)
    )


def notice_step_funnel(ctx: CheckContext):
    """Per note: its ``=`` steps checked numerically (a notice, never a failure), from the
    cache `invoke check-steps` fills: this check itself parses nothing."""
    root = Path(ctx.content).resolve().parent
    report = check_files(step_files(ctx.content), root, cache_path(), cached_only=True)
    yield from report.problems
    for file in sorted({r.file for r in report.results}):
        f = report.funnel(file)
        if not f["steps"]:
            continue
        yield Problem(
            file,
            0,
            f"{f['steps']} = steps: {f['checked']} checked numerically ({f['verified']} agree, "
            f"{f['failed']} disagree), {f['unchecked']} not checked"
            + (f" ({f['reasons'][NOT_YET]} not yet)" if NOT_YET in f["reasons"] else "")
            + (" — `invoke check-steps --ids " + Path(file).stem + "` lists them"
               if f["failed"] else ""),
        )  # fmt: skip
