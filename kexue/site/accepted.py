"""Problems a person accepted: ``data/accepted.toml``, one reviewed file.

Some problems only a person can settle (a formula MathJax rejects in a note nobody has
fixed yet).  Accepting one lets `invoke check` and `invoke publish` pass while still
listing it::

    [[accepted]]
    file = "derivations/8907.md"   # relative to the content folder
    line = 501                     # where it was when accepted (a hint: lines move)
    digest = "3f9a0c…"             # of the text there (invoke check prints it)
    reason = "MathJax rejects \\frac with one argument; the note's author must fix it"

An acceptance is keyed by the file and the digest of the text the problem is about: the
line's text, plus the whole source of any formula that starts on that line (a display
spanning lines is one formula).  When that text changes the acceptance no longer matches:
the problem is refused again, and the stale entry is listed for removal.  The line only
helps a reader find the place; a problem that moved with its text stays accepted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kexue.core.datafiles import DataFileError, read_toml
from kexue.core.paths import ROOT
from kexue.core.problems import Problem
from kexue.math.tex import find_math

__all__ = [
    "ACCEPTED_PATH",
    "Acceptance",
    "AcceptedError",
    "Sorted",
    "acceptance_entry",
    "key_digest",
    "load_accepted",
    "sort_problems",
]

ACCEPTED_PATH = ROOT / "data" / "accepted.toml"
_FIELDS = {"file", "line", "digest", "reason"}


class AcceptedError(DataFileError):
    """data/accepted.toml cannot be read; the message names the file and entry."""


@dataclass(frozen=True)
class Acceptance:
    file: str
    line: int
    digest: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason} (digest {self.digest})"


def load_accepted(path: Path = ACCEPTED_PATH) -> list[Acceptance]:
    """The acceptances of ``path`` (none when the file does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    data = read_toml(path, "accepted problems", AcceptedError)
    entries = data.get("accepted", [])
    if set(data) - {"accepted"} or not isinstance(entries, list):
        raise AcceptedError(f"{path}: expected only [[accepted]] entries")
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"{path}: [[accepted]] entry {n}"
        if not isinstance(entry, dict) or set(entry) != _FIELDS:
            raise AcceptedError(f"{where}: needs exactly {', '.join(sorted(_FIELDS))}")
        if not str(entry["reason"]).strip():
            raise AcceptedError(f"{where}: the reason is empty (say why it is acceptable)")
        if not isinstance(entry["line"], int):
            raise AcceptedError(f"{where}: line must be a number")
        out.append(
            Acceptance(
                str(entry["file"]), entry["line"], str(entry["digest"]), str(entry["reason"])
            )
        )
    return out


def _key_text(path: Path, line: int) -> str:
    """The text a problem at ``path:line`` is about (see the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return ""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    start = sum(len(x) + 1 for x in lines[: line - 1])
    end = start + len(lines[line - 1])
    formulas = [s.source for s in find_math(text) if start <= s.start <= end]
    return "\n".join([lines[line - 1], *formulas])


def _relative(file: str, content: Path) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(Path(content).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def key_digest(problem: Problem) -> str:
    """The digest an acceptance of ``problem`` is keyed by (16 hex digits of SHA-256)."""
    text = _key_text(Path(problem.file), problem.line) if problem.line else ""
    text = text or problem.message  # no line to read: the message is the subject
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def acceptance_entry(problem: Problem, content: Path, reason: str = "") -> str:
    """The TOML entry that accepts ``problem`` (the reason left for a person to write)."""
    reason = reason.replace("\\", "\\\\").replace('"', '\\"')
    return (
        "[[accepted]]\n"
        f'file = "{_relative(problem.file, content)}"\n'
        f"line = {problem.line}\n"
        f'digest = "{key_digest(problem)}"\n'
        f'reason = "{reason}"\n'
    )


@dataclass
class Sorted:
    """Findings of `invoke check` sorted for the reader."""

    problems: list[Problem]  # block publishing
    accepted: list[tuple[Problem, Acceptance]]  # listed, do not block
    notices: list[Problem]  # listed, do not block
    stale: list[Acceptance]  # acceptances nothing matches any more (text changed or fixed)


def sort_problems(found: list[Problem], acceptances: list[Acceptance], content: Path) -> Sorted:
    """Split ``found`` into problems, accepted problems and notices; an acceptance
    matches a problem of the same file whose text has the same digest."""
    by_key = {(a.file, a.digest): a for a in acceptances}
    used: set[tuple[str, str]] = set()
    out = Sorted([], [], [], [])
    for problem in found:
        if problem.notice:
            out.notices.append(problem)
            continue
        key = (_relative(problem.file, content), key_digest(problem))
        if key in by_key:
            out.accepted.append((problem, by_key[key]))
            used.add(key)
        else:
            out.problems.append(problem)
    out.stale = [a for a in acceptances if (a.file, a.digest) not in used]
    return out
