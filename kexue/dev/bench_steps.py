"""`invoke bench` part: the derivation-step checker on a corpus.

Measures, in one process: the funnel on the notes (steps, parsed, checked, verified,
failed, reasons), steps per second cold (no cache) and warm (from the cache), the share of
the cold build a cold check adds, and the seeded-error catch rate: each verified step's
right side is changed (a sign flipped, an exponent changed, a term dropped) and checked
again; a change counts when the step stays checkable, and is caught when it fails.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kexue.steps.numeric import check_step
from kexue.steps.run import Report, check_files, step_files
from kexue.steps.seed import MUTATIONS
from kexue.steps.split import note_context

TARGETS = {"checked": 0.25, "seeded_caught": 0.95, "posts_failed_per_1000": 1.0}


@dataclass
class StepsBench:
    report: Report
    cold_seconds: float
    warm_seconds: float
    build_seconds: float | None
    seeded: dict[str, Counter] = field(default_factory=dict)  # kind -> caught/missed/unchecked
    posts: Report | None = None

    def seeded_rate(self) -> float:
        caught = sum(c["caught"] for c in self.seeded.values())
        missed = sum(c["missed"] for c in self.seeded.values())
        return caught / (caught + missed) if caught + missed else 0.0

    def summary(self) -> str:
        f = self.report.funnel()
        steps = f["steps"] or 1
        lines = [
            "notes: " + self.report.summary().replace("\n", "\n  "),
            f"  cold {self.cold_seconds:.1f} s ({f['steps'] / self.cold_seconds:.1f} steps/s, "
            f"one process), warm {self.warm_seconds:.2f} s",
        ]
        if self.build_seconds:
            lines.append(
                f"  a cold check adds {self.cold_seconds / self.build_seconds:.0%} to the cold "
                f"build ({self.build_seconds:.0f} s CPU)"
            )
        lines.append(
            f"  checked {f['checked'] / steps:.1%} of = steps (target >= {TARGETS['checked']:.0%})"
        )
        for kind, c in self.seeded.items():
            lines.append(
                f"  seeded '{kind}': caught {c['caught']}, missed {c['missed']}, "
                f"no longer checkable {c['unchecked']}"
            )
        lines.append(
            f"  seeded errors caught {self.seeded_rate():.1%} of checkable (target "
            f">= {TARGETS['seeded_caught']:.0%})"
        )
        if self.posts is not None:
            p = self.posts.funnel()
            per = 1000 * p["failed"] / (p["steps"] or 1)
            lines.append(
                f"posts: {p['steps']} steps, checked {p['checked']}, failed {p['failed']} "
                f"({per:.2f} per 1,000; target <= {TARGETS['posts_failed_per_1000']})"
            )
        return "\n".join(lines)


def seed_errors(report: Report, root: Path, sample: int = 400, seed: int = 0) -> dict:
    """Change verified steps and check them again (see the module's docstring)."""
    verified = [r for r in report.results if r.verdict == "verified"]
    random.Random(seed).shuffle(verified)
    contexts: dict[str, object] = {}
    out = {kind: Counter() for kind in MUTATIONS}
    for r in verified[:sample]:
        if r.file not in contexts:
            path = root / r.file
            contexts[r.file] = note_context(path.read_text(encoding="utf-8"), r.file)[0]
        for kind, mutate in MUTATIONS.items():
            changed = mutate(r.rhs)
            if changed is None or changed == r.rhs:
                continue
            outcome = check_step(r.lhs, changed, contexts[r.file], {})
            verdict = {"failed": "caught", "verified": "missed"}.get(outcome.verdict, "unchecked")
            out[kind][verdict] += 1
    return out


def bench_steps(
    content: Path, build_seconds: float | None = None, posts: bool = True
) -> StepsBench:
    root = Path(content).resolve().parent
    files = step_files(content)
    with tempfile.TemporaryDirectory(prefix="kexue-steps-") as tmp:
        cache = Path(tmp) / "results.json"
        start = time.process_time()
        report = check_files(files, root, cache)
        cold = time.process_time() - start
        start = time.process_time()
        check_files(files, root, cache)
        warm = time.process_time() - start
    bench = StepsBench(report, cold, warm, build_seconds)
    bench.seeded = seed_errors(report, root)
    if posts:
        post_files = [p for p in step_files(content, posts=True) if p not in set(files)]
        bench.posts = check_files(post_files, root, None)
    return bench
