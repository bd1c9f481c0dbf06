"""`invoke check` for notes: the post exists, anchors resolve, math is sound."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kexue.core.posts import PostFormatError, iter_post_files, read_post
from kexue.core.problems import CheckContext, Problem
from kexue.math.tex import MathSpan, _escaped, find_code_ranges, find_math, number_equations
from kexue.notes.note import (
    COMMENT_RE,
    STATUSES,
    Note,
    NoteFormatError,
    iter_note_files,
    read_note,
)
from kexue.notes.targets import PostTargets
from kexue.notes.unsourced import LABEL, REVIEWED_KEY, findings, post_numbers, reviewed

_OTHER_LEVEL_RE = re.compile(r"^(#|#{3,6})[ \t]+@\S", re.M)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def find_post_file(content: Path, post_id: str) -> Path | None:
    return next((p for p in iter_post_files(content) if p.stem == post_id), None)


def note_masks(text: str) -> list[tuple[int, int]]:
    """Ranges where no math counts: Markdown code and HTML comments."""
    ranges = find_code_ranges(text)
    ranges += [(m.start(), m.end()) for m in COMMENT_RE.finditer(text)]
    return sorted(ranges)


def check_note(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """Every problem of one note; ``targets`` is None when its post is not in content/."""
    yield from _header_problems(note, targets)
    yield from _heading_level_problems(note)
    yield from _section_problems(note, targets)
    yield from check_math(note, targets)


def _header_problems(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    path, lines = note.path, note.header_lines
    stem = Path(path).stem
    if stem != note.post_id and path != "<string>":
        yield Problem(
            path,
            lines.get("Post", 1),
            f"`Post: {note.post_id}` differs from the file name {stem}.md: rename one",
        )
    if note.status not in STATUSES:
        yield Problem(
            path,
            lines.get("Status", 1),
            f"unknown status {note.status!r}: use one of {', '.join(STATUSES)}",
        )
    if note.date and not _DATE_RE.match(note.date):
        yield Problem(path, lines.get("Date", 1), f"date {note.date!r} is not YYYY-MM-DD")
    if targets is None:
        yield Problem(
            path,
            lines.get("Post", 1),
            f"post {note.post_id} is not in content/ (posts/ or samples/): the note builds as a "
            f"page of its own; fetch the post (`invoke crawl` or `invoke import-legacy`) or fix "
            f"the id",
        )


def _heading_level_problems(note: Note) -> Iterator[Problem]:
    """``# @…`` or ``### @…`` outside code: meant as an anchor, read as plain text."""
    code = find_code_ranges(note.text)
    for m in _OTHER_LEVEL_RE.finditer(note.text):
        if not any(a <= m.start() < b for a, b in code):
            yield Problem(
                note.path,
                note.line_of(m.start()),
                "an anchor heading is level 2: write `## @…` (this line stays plain text)",
            )


def _section_problems(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """Anchors that cannot be read or found, empty sections, two sections on one target."""
    seen: dict[object, int] = {}
    for section in note.sections:
        raw = section.raw_anchor
        if raw is not None and section.anchor is None and not raw.startswith("free"):
            yield Problem(
                note.path,
                section.line,
                f"cannot read the anchor `@{raw}`: write `@(3)`, `@eq:label`, `@[heading]` "
                "or `@free`",
            )
            continue
        if section.empty:
            what = f"section @{section.anchor}" if section.anchor else "section @free"
            yield Problem(
                note.path, section.line, f"{what} is empty: write the note or delete the section"
            )
        if section.anchor is None or targets is None:
            continue
        target = targets.resolve(section.anchor)
        if target is None:
            near = targets.candidates(section.anchor)
            yield Problem(
                note.path,
                section.line,
                f"post {note.post_id} has no {section.anchor.kind} "
                f"{section.anchor}" + (f"; nearest: {', '.join(near)}" if near else ""),
            )
        elif target in seen:
            yield Problem(
                note.path,
                section.line,
                f"@{section.anchor} annotates {target.caption}, already annotated at line "
                f"{seen[target]}: merge the two sections",
            )
        else:
            seen[target] = section.line


def _note_displays(note: Note) -> tuple[list[MathSpan], list[MathSpan]]:
    """The note's math spans after its header (outside code and comments), and its
    displays."""
    body_start = min((s.offset for s in note.sections), default=len(note.text))
    spans = [s for s in find_math(note.text, skip=note_masks(note.text)) if s.start >= body_start]
    return spans, [s for s in spans if s.display]


def check_math(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """Every formula balanced; no label defined twice.  (A note's equations are numbered
    in their own series on the page, kexue.notes.numbering, so automatic numbers are fine;
    a tag the post also shows is a notice: :func:`tag_collisions`.)"""
    text = note.text
    body_start = min((s.offset for s in note.sections), default=len(text))
    masks = note_masks(text)
    spans, displays = _note_displays(note)
    labels: dict[str, int] = {}
    for eq in number_equations(displays):
        line = note.line_of(displays[eq.span].start)
        if eq.label:
            if eq.label in labels:
                yield Problem(
                    note.path,
                    line,
                    f"\\label{{{eq.label}}} is defined twice (line {labels[eq.label]})",
                )
            labels.setdefault(eq.label, line)
    for span in spans:
        for message in formula_problems(span):
            yield Problem(note.path, note.line_of(span.start), message)
    for offset, opener in unclosed_math(text, spans, masks, body_start):
        yield Problem(note.path, note.line_of(offset), f"`{opener}` opens math that never closes")


_BRACE_OR_ENV_RE = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}|\\(left|right)(?![A-Za-z])|[{}]")


def formula_problems(span: MathSpan) -> list[str]:
    """Cheap static parse of one formula: braces, \\begin/\\end and \\left/\\right balance."""
    tex = span.source
    out: list[str] = []
    depth = 0
    envs: list[str] = []
    lr = 0
    for m in _BRACE_OR_ENV_RE.finditer(tex):
        if _escaped(tex, m.start()):
            continue
        if m.group(1):
            out += _environment_problems(m.group(1), m.group(2), envs, tex)
        elif m.group(3):
            lr += 1 if m.group(3) == "left" else -1
        elif m.group(0) == "{":
            depth += 1
        elif depth:
            depth -= 1
        else:
            out.append(f"a `}}` closes nothing in `{_short(tex)}`")
    return out + _unbalanced(tex, depth, envs, lr)


def _environment_problems(kind: str, name: str, envs: list[str], tex: str) -> list[str]:
    """One \\begin or \\end against the stack of open environments ``envs`` (updated)."""
    if kind == "begin":
        envs.append(name)
        return []
    if not envs:
        return [f"\\end{{{name}}} without \\begin in `{_short(tex)}`"]
    top = envs.pop()
    if top != name:
        return [f"\\begin{{{top}}} is closed by \\end{{{name}}} in `{_short(tex)}`"]
    return []


def _unbalanced(tex: str, depth: int, envs: list[str], lr: int) -> list[str]:
    """What is still open at the end of a formula."""
    out = [f"{depth} unclosed `{{` in `{_short(tex)}`"] if depth > 0 else []
    out += [f"\\begin{{{env}}} without \\end in `{_short(tex)}`" for env in envs]
    if lr:
        out.append(f"\\left and \\right do not pair up in `{_short(tex)}`")
    return out


def unclosed_math(
    text: str, spans: list[MathSpan], masks: list[tuple[int, int]], start: int
) -> list[tuple[int, str]]:
    """Display openers outside every span, code and comment: math that never closes."""
    taken = sorted([(s.start, s.end) for s in spans] + masks)
    out = []
    for m in re.finditer(r"\$\$|\\\[|\\begin\{[A-Za-z]+\*?\}", text[start:]):
        pos = start + m.start()
        if _escaped(text, pos) or any(a <= pos < b for a, b in taken):
            continue
        out.append((pos, m.group(0)))
    return out


def _short(tex: str, n: int = 50) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= n else tex[: n - 1] + "…"


def tag_collisions(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """A note ``\\tag{N}`` the post shows too: the page renumbers the note's (its own
    series), which the author should know (a quote of the post's (N) included)."""
    post_shown = {t.shown for t in targets.equations} if targets else set()
    _, displays = _note_displays(note)
    for eq in number_equations(displays):
        if eq.tag is not None and eq.tag in post_shown:
            yield Problem(
                note.path,
                note.line_of(displays[eq.span].start),
                f"\\tag{{{eq.tag}}} is also the number of the post's equation ({eq.tag}): "
                "the page shows the note's in its own series instead; choose a tag the post "
                f"does not use (e.g. {eq.tag}.1) or drop it",
            )


class _PostHeaderError(Exception):
    """The post's header does not parse (the content-files check reports it)."""


def _targets(ctx: CheckContext, note: Note) -> PostTargets | None:
    post_file = find_post_file(ctx.content, note.post_id)
    try:
        return PostTargets.from_markdown(read_post(post_file).body) if post_file else None
    except PostFormatError as e:
        raise _PostHeaderError from e


def check_notes(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: every problem of every note in ``content/derivations/`` (post
    exists, anchors resolve, formulas parse)."""
    for path in iter_note_files(ctx.content):
        try:
            note = read_note(path)
            targets = _targets(ctx, note)
        except NoteFormatError as e:
            yield Problem(e.path, e.line, e.message)
            continue
        except _PostHeaderError:
            continue
        yield from check_note(note, targets)


def notice_note_tags(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check` notice: note tags the post shows too (renumbered on the page)."""
    for path in iter_note_files(ctx.content):
        try:
            note = read_note(path)
            targets = _targets(ctx, note)
        except (NoteFormatError, _PostHeaderError):
            continue  # check_notes reports it
        yield from tag_collisions(note, targets)


def notice_unsourced(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check` notice: note tables and results whose numbers the post does not
    hold (kexue.notes.unsourced), until the note's header says ``Reviewed: yes``."""
    for path in iter_note_files(ctx.content):
        try:
            note = read_note(path)
            post_file = find_post_file(ctx.content, note.post_id)
            body = read_post(post_file).body if post_file else None
        except (NoteFormatError, PostFormatError):
            continue  # check_notes and the content-files check report it
        if body is None or reviewed(note):
            continue
        start = min((s.offset for s in note.sections), default=len(note.text))
        for f in findings(note.text, post_numbers(body)):
            if f.offset < start:
                continue
            what = "table" if f.kind == "table" else "result"
            shown = ", ".join(f.numbers[:4]) + ("…" if len(f.numbers) > 4 else "")
            yield Problem(
                note.path,
                note.line_of(f.offset),
                f"{what} with numbers post {note.post_id} does not hold ({shown}): labelled "
                f"{LABEL} on the page until the header says `{REVIEWED_KEY}: yes`",
            )
