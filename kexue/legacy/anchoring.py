"""Anchor the sections of an imported (legacy) derivation note under the equations they explain.

A legacy note is free Markdown: the earlier mirror's headings (``### 1.``, ``#### 1.2``),
no ``## @…`` anchors, so the whole of it is the appendix.  :func:`anchor_note` splits the
note's body at its headings (outside code, math, comments and HTML boxes) and attaches a
section to an equation of the post when

* ``heading``: its heading names the equation (``#### 10.1 式(35)的完整展开``);
* ``tag``: it holds a display tagged ``\\tag{N}`` whose TeX is the post's equation (N),
  verbatim or near-verbatim (normalised TeX);
* ``quote``: it holds a display that is a numbered display of the post, verbatim or
  near-verbatim, without the post's tag;
* ``eqref``: it refers to one of the post's labels, ``\\eqref{eq:x}``;
* ``named``: its text names the equation, ``式(3)``, ``公式(12)``, ``方程(5)``, ``eq. (3)``.

The rules are tried in that order; within a rule the equation named most often wins
(then the first).  A number the note tags itself (``\\tag{22}`` on a display that is not
the post's (22)) is the note's own and never names the post's equation.  A section is not
anchored when it holds an auto-numbered display (in a panel it would shift the post's
numbers), when it is only a heading, or when an earlier, non-adjacent section already
took its equation; consecutive sections about the same equation form one panel.

Anchoring only *inserts* lines: ``## @<anchor>`` before an anchored section and
``## @free`` before the first appendix section after one.  Every line of the note stays,
in order (:func:`strip_anchors` gives the note back).  Nothing here imports Pelican.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.fsutil import atomic_write_text, read_record, text_digest
from kexue.core.header import parse_header
from kexue.core.posts import read_post
from kexue.math.tex import find_code_ranges, find_math, number_equations, split_rows
from kexue.notes import PostTargets, Target, find_post_file, iter_note_files

__all__ = [
    "RULES",
    "AnchorResult",
    "AnchoringReport",
    "anchor_imported",
    "anchor_note",
    "anchor_notes",
    "save_record",
    "strip_anchors",
]

#: The anchoring rules, strongest first.
RULES = ("heading", "tag", "quote", "eqref", "named")
#: The record of what the anchoring wrote (digests of the note before and after).
RECORD = Path("overrides") / "legacy-anchoring.json"
#: The import's digests of the notes it wrote (kexue.legacy.importer).
IMPORT_RECORD = Path("overrides") / "legacy-notes.json"

_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
# A section line the anchoring inserts: `## @(3)`, `## @eq:label`, `## @free`, no title.
_INSERTED_RE = re.compile(r"^## @(?:\([^()\n]+\)|free|[^\s()\[\]]+)$")
_ANY_ANCHOR_RE = re.compile(r"^##[ \t]+@", re.M)
_NUM = r"([0-9]+(?:\.[0-9]+)*[a-z]?)"
_PAREN = r"\$?\s*[（(]\s*" + _NUM + r"\s*[)）]\s*\$?"
# 式(3), 公式（12）, 方程 (5), 恒等式$(18)$, eq. (3), Eq.(3), equation (3); then a list:
# 式(16)和(17), 式(3)、(4), 式(3)-(5).
_NAMED_RE = re.compile(
    r"(?:式|方程|[Ee]q\.|[Ee]qs\.|[Ee]quations?|[Ee]q)\s*" + _PAREN,
)
_LIST_TAIL_RE = re.compile(r"\s*(?:和|与|及|、|,|，|-|–|~|到|至|and)\s*" + _PAREN)
_EQREF_RE = re.compile(r"\\(?:eq)?ref\{([^{}\n]+)\}")
_TAG_RE = re.compile(r"\\tag\*?\{([^{}]*)\}")
_LABEL_RE = re.compile(r"\\label\{([^{}]*)\}")
_AUTO_ENV_RE = re.compile(
    r"\\begin\{(equation|align|gather|multline|eqnarray|alignat|flalign|xalignat)\}"
)
_OPEN_BOX_RE = re.compile(r"<(div|details)\b[^>]*?(?<!/)>", re.I)
_CLOSE_BOX_RE = re.compile(r"</(div|details)\s*>", re.I)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Normalised TeX: what two writings of one formula need not share.
_NOISE_RE = re.compile(
    r"\\(?:begin|end)\{(?:equation|align|gather|multline|eqnarray|aligned|split|gathered)"
    r"\*?\}|\\(?:tag\*?|label)\{[^{}]*\}|\\(?:nonumber|notag|displaystyle|left|right|big|Big"
    r"|bigg|Bigg)(?![A-Za-z])|\\[,;:! ]|\\q?quad(?![A-Za-z])|&|\\\\|[\s.,，。;；]"
)
_MIN_QUOTE = 12  # normalised characters: shorter displays (x = 0) are not quotes
_NEAR = 0.9


def _norm_tex(tex: str) -> str:
    return _NOISE_RE.sub("", tex)


# ------------------------------------------------------------------------- the result


@dataclass
class SectionResult:
    line: int  # 1-based line (in the original note) where the section starts
    heading: str  # its heading line, "" for text before the first heading
    target: str = ""  # the anchor written (`(3)`, `eq:x`), "" if left in the appendix
    rule: str = ""  # which rule anchored it (RULES)
    reason: str = ""  # why a section naming an equation stayed in the appendix


@dataclass
class AnchorResult:
    """What :func:`anchor_note` did to one note."""

    post_id: str
    text: str  # the note with the anchors inserted
    sections: list[SectionResult] = field(default_factory=list)
    skipped: str = ""  # why the note was not anchored at all

    @property
    def anchored(self) -> list[SectionResult]:
        return [s for s in self.sections if s.target]

    @property
    def appendix(self) -> list[SectionResult]:
        return [s for s in self.sections if not s.target]

    def by_rule(self) -> Counter:
        return Counter(s.rule for s in self.anchored)

    def to_dict(self) -> dict:
        return {
            "post": self.post_id,
            "skipped": self.skipped,
            "anchored": [
                {"line": s.line, "heading": s.heading, "anchor": s.target, "rule": s.rule}
                for s in self.anchored
            ],
            "appendix": [
                {"line": s.line, "heading": s.heading, **({"reason": s.reason} if s.reason else {})}
                for s in self.appendix
            ],
        }


# ------------------------------------------------------------------------ splitting


@dataclass
class _Chunk:
    start: int  # index of its first line in the note's lines
    end: int
    heading: str
    level: int


def _masked_lines(text: str, lines: list[str], body_start: int) -> set[int]:
    """Indices of lines that start inside code, math, a comment or an HTML box."""
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    code = find_code_ranges(text)
    ranges = code + [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]
    ranges += [(s.start, s.end) for s in find_math(text, skip=sorted(ranges))]
    masked = set()
    for a, b in ranges:
        masked.update(range(bisect.bisect_right(starts, a), bisect.bisect_left(starts, b)))
    in_code = set()
    for a, b in code:
        in_code.update(range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)))
    # HTML boxes (<div class="derivation-box" markdown="1"> … </div>): never split inside.
    depth = 0
    for i, line in enumerate(lines):
        if starts[i] < body_start or i in in_code:
            continue
        if depth > 0:
            masked.add(i)
        depth += len(_OPEN_BOX_RE.findall(line)) - len(_CLOSE_BOX_RE.findall(line))
        depth = max(depth, 0)
    return masked


def _chunks(text: str) -> tuple[list[str], list[_Chunk]]:
    body_start = parse_header(text).body_start
    lines = text.split("\n")
    first = text.count("\n", 0, body_start)
    masked = _masked_lines(text, lines, body_start)
    heads = []
    for i in range(first, len(lines)):
        m = _HEADING_RE.match(lines[i])
        if m and i not in masked:
            heads.append((i, lines[i], len(m.group(1))))
    chunks = []
    if not heads or heads[0][0] > first:
        chunks.append(_Chunk(first, heads[0][0] if heads else len(lines), "", 0))
    for k, (i, line, level) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        chunks.append(_Chunk(i, end, line, level))
    return lines, chunks


# ----------------------------------------------------------------------- evidence


@dataclass
class _PostIndex:
    targets: PostTargets
    by_shown: dict[str, Target]
    by_label: dict[str, Target]
    exact: dict[str, Target]  # normalised TeX of each numbered row -> its target
    rows: list[tuple[str, Target]]


def _post_index(post_body: str) -> _PostIndex:
    targets = PostTargets.from_markdown(post_body)
    spans = find_math(post_body)
    eqs = number_equations(spans)
    by_shown = {}
    for t in targets.equations:
        by_shown.setdefault(t.shown, t)
    by_label = {t.label: t for t in targets.equations if t.label}
    exact: dict[str, Target] = {}
    rows = []
    for eq, t in zip(eqs, targets.equations, strict=True):
        norm = _norm_tex(eq.tex)
        if len(norm) >= _MIN_QUOTE:
            exact.setdefault(norm, t)
            rows.append((norm, t))
    return _PostIndex(targets, by_shown, by_label, exact, rows)


def _quoted(norm: str, index: _PostIndex) -> Target | None:
    """The post's numbered row this normalised TeX is, verbatim or near-verbatim."""
    if len(norm) < _MIN_QUOTE:
        return None
    if norm in index.exact:
        return index.exact[norm]
    best, score = None, _NEAR
    for row, t in index.rows:
        if not 0.8 <= len(row) / len(norm) <= 1.25:
            continue
        sm = difflib.SequenceMatcher(None, norm, row, autojunk=False)
        if sm.real_quick_ratio() < score or sm.quick_ratio() < score:
            continue
        r = sm.ratio()
        if r >= score:
            best, score = t, r
    return best


@dataclass
class _Display:
    start: int  # offset in the note
    tag: str | None
    pieces: list[str]  # normalised TeX: the whole display and each of its rows
    auto_numbered: bool


def _displays(text: str) -> list[_Display]:
    masks = sorted(
        find_code_ranges(text) + [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]
    )
    spans = [s for s in find_math(text, skip=masks) if s.display]
    numbered = {eq.span for eq in number_equations(spans) if eq.number is not None}
    out = []
    for k, s in enumerate(spans):
        inner = s.tex
        env = re.match(r"\s*\\begin\{([A-Za-z]+\*?)\}(.*)\\end\{\1\}\s*$", inner, re.S)
        body = env.group(2) if env else inner
        rows = split_rows(body)
        pieces = [_norm_tex(inner)] + ([_norm_tex(r) for r in rows] if len(rows) > 1 else [])
        tag = _TAG_RE.search(inner)
        out.append(_Display(s.start, tag.group(1).strip() if tag else None, pieces, k in numbered))
    return out


def _named(text: str) -> list[str]:
    out = []
    for m in _NAMED_RE.finditer(text):
        out.append(m.group(1))
        pos = m.end()
        while t := _LIST_TAIL_RE.match(text, pos):
            out.append(t.group(1))
            pos = t.end()
    return out


def _anchor_of(t: Target) -> str:
    return t.label if t.label and re.fullmatch(r"[^\s()\[\]]+", t.label) else f"({t.shown})"


# ------------------------------------------------------------------------ anchoring


def strip_anchors(text: str) -> str:
    """The note without the section lines :func:`anchor_note` inserts."""
    code = find_code_ranges(text)
    out = []
    pos = 0
    for line in text.split("\n"):
        if not (_INSERTED_RE.match(line) and not any(a <= pos < b for a, b in code)):
            out.append(line)
        pos += len(line) + 1
    return "\n".join(out)


def anchor_note(text: str, post_body: str, post_id: str = "") -> AnchorResult:  # noqa: C901 (one pass over the note's sections: the matching rules read best together)
    """Insert ``## @…`` lines into a legacy note (``text``, no anchors of its own) so that
    each section that names or quotes an equation of the post (``post_body``, Markdown) sits
    under it.  Returns the new text and what happened to each section."""
    if not post_id:
        post_id = parse_header(text).values.get("Post", "")
    result = AnchorResult(post_id, text)
    code = find_code_ranges(text)
    if any(not any(a <= m.start() < b for a, b in code) for m in _ANY_ANCHOR_RE.finditer(text)):
        result.skipped = "the note has `## @…` sections of its own"
        return result
    index = _post_index(post_body)
    lines, chunks = _chunks(text)
    if not index.targets.equations:
        result.skipped = "the post has no numbered equation" + (
            "" if post_body.strip() else " (no post text)"
        )
        result.sections = [
            SectionResult(c.start + 1, c.heading) for c in chunks if _has_body(lines, c)
        ]
        return result
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    displays = _displays(text)
    # Numbers the note tags itself, on displays that are not the post's equation of that
    # number: there, 式(N) means the note's own (N).
    own_tags = set()
    for d in displays:
        if d.tag is not None:
            quoted = [_quoted(p, index) for p in d.pieces]
            if not any(q is not None and q.shown == d.tag for q in quoted):
                own_tags.add(d.tag)
    note_labels = set(_LABEL_RE.findall(text))

    def resolve_number(n: str) -> Target | None:
        return None if n in own_tags else index.by_shown.get(n)

    prose = list(text)  # the note with code and comments blanked: mentions there don't count
    for a, b in find_code_ranges(text) + [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]:
        prose[a:b] = re.sub(r"[^\n]", " ", text[a:b])
    prose_lines = "".join(prose).split("\n")
    taken: dict[Target, int] = {}  # target -> index of the last chunk anchored to it
    decided: list[tuple[_Chunk, Target | None, str, str]] = []
    for ci, chunk in enumerate(chunks):
        if not _has_body(lines, chunk):
            decided.append((chunk, None, "", ""))
            continue
        a, b = offsets[chunk.start], offsets[chunk.end]
        body = "\n".join(prose_lines[chunk.start + (1 if chunk.heading else 0) : chunk.end])
        mine = [d for d in displays if a <= d.start < b]
        evidence: dict[str, list[Target]] = {r: [] for r in RULES}
        evidence["heading"] = [t for n in _named(chunk.heading) if (t := resolve_number(n))]
        for d in mine:
            for p in d.pieces:
                q = _quoted(p, index)
                if q is not None:
                    evidence["tag" if d.tag == q.shown else "quote"].append(q)
                    break
        evidence["eqref"] = [
            index.by_label[x]
            for x in _EQREF_RE.findall(body)
            if x in index.by_label and x not in note_labels
        ]
        evidence["named"] = [t for n in _named(body) if (t := resolve_number(n))]
        pick, rule = None, ""
        for r in RULES:
            if evidence[r]:
                counts = Counter(evidence[r])
                top = max(counts.values())
                pick = next(t for t in evidence[r] if counts[t] == top)
                rule = r
                break
        reason = ""
        if pick is not None and any(d.auto_numbered for d in mine):
            reason = f"names ({pick.shown}) but holds an auto-numbered display"
            pick = None
        elif pick is not None and pick in taken and taken[pick] != ci - 1:
            reason = f"names ({pick.shown}), already annotated by an earlier section"
            pick = None
        if pick is not None:
            taken[pick] = ci
        decided.append((chunk, pick, rule if pick else "", reason))

    out: list[str] = lines[: chunks[0].start] if chunks else list(lines)
    previous: Target | None = None
    for chunk, target, rule, reason in decided:
        if target is not None and target != previous:
            out.append(f"## @{_anchor_of(target)}")
        elif target is None and previous is not None:
            out.append("## @free")
        out.extend(lines[chunk.start : chunk.end])
        previous = target
        if _has_body(lines, chunk):
            result.sections.append(
                SectionResult(
                    chunk.start + 1,
                    chunk.heading,
                    _anchor_of(target) if target else "",
                    rule,
                    reason,
                )
            )
    result.text = "\n".join(out)
    return result


def _has_body(lines: list[str], chunk: _Chunk) -> bool:
    first = chunk.start + (1 if chunk.heading else 0)
    return any(line.strip() and line.strip() != "---" for line in lines[first : chunk.end])


# ----------------------------------------------------------------- notes in content/


@dataclass
class AnchoringReport:
    results: list[AnchorResult] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    left_alone: list[tuple[str, str]] = field(default_factory=list)  # (note, why)

    def totals(self) -> dict:
        rules = Counter()
        for r in self.results:
            rules.update(r.by_rule())
        return {
            "notes": len(self.results),
            "notes_with_anchors": sum(1 for r in self.results if r.anchored),
            "anchored": sum(len(r.anchored) for r in self.results),
            "by_rule": {k: rules.get(k, 0) for k in RULES},
            "appendix": sum(len(r.appendix) for r in self.results),
            "written": len(self.written),
            "left_alone": len(self.left_alone),
        }

    def to_dict(self) -> dict:
        return {
            "totals": self.totals(),
            "posts": [r.to_dict() for r in self.results],
            "left_alone": [{"note": n, "why": w} for n, w in self.left_alone],
        }

    def format(self, per_post: bool = True, details: bool = False) -> str:
        t = self.totals()
        out = [
            f"anchoring: {t['notes']} notes, {t['anchored']} sections anchored in "
            f"{t['notes_with_anchors']} notes, {t['appendix']} left in the appendix "
            f"(written {t['written']}, left alone {t['left_alone']})",
            "  anchored by rule: " + ", ".join(f"{k} {v}" for k, v in t["by_rule"].items()),
        ]
        if per_post:
            for r in self.results:
                rules = ", ".join(f"{k} {v}" for k, v in sorted(r.by_rule().items()))
                out.append(
                    f"  {r.post_id}: {len(r.anchored)} anchored"
                    + (f" ({rules})" if rules else "")
                    + f", {len(r.appendix)} in the appendix"
                    + (f"; {r.skipped}" if r.skipped else "")
                )
                for s in r.anchored if details else ():
                    out.append(f"      line {s.line}: @{s.target} by {s.rule}: {s.heading}")
        for note, why in self.left_alone:
            out.append(f"  left alone: {note}: {why}")
        return "\n".join(out)


def _post_body(content: Path, post_id: str) -> str:
    post_file = find_post_file(content, post_id)
    return read_post(post_file).body if post_file else ""


def _entry(raw: str, result: AnchorResult) -> dict:
    return {"raw_digest": text_digest(raw), "digest": text_digest(result.text), **result.to_dict()}


def anchor_imported(content: Path, post_id: str, raw: str, record: dict) -> AnchorResult:
    """Anchor a note the import is about to write, against the post now in ``content``;
    its entry goes into ``record`` (saved by :func:`save_record`)."""
    result = anchor_note(raw, _post_body(Path(content), post_id), post_id)
    record[post_id] = _entry(raw, result)
    return result


def save_record(content: Path, record: dict, written: dict[str, str]) -> bool:
    """Merge ``record`` into ``content/overrides/legacy-anchoring.json``, keeping only the
    entries of notes that hold what the anchoring wrote (``written``: the import's digests)."""
    path = Path(content) / RECORD
    merged = read_record(path)
    merged.update({k: v for k, v in record.items() if written.get(k) == v["digest"]})
    return atomic_write_text(path, json.dumps(merged, ensure_ascii=False, indent=1) + "\n")


def anchor_notes(content: Path, post_ids: list[str] | None = None) -> AnchoringReport:
    """Anchor every imported note in ``content/derivations/`` that nobody has edited.

    A note is the import's when its digest is the one ``kexue.legacy.importer`` recorded; a note
    edited since (its ``## @…`` anchors included) or written by a person is left alone.
    The note is anchored afresh from its unanchored text (so a post that changed, e.g. an
    excerpt completed by the crawler, gets new anchors) and both records are updated.
    """
    content = Path(content)
    imported = read_record(content / IMPORT_RECORD)
    record = read_record(content / RECORD)
    report = AnchoringReport()
    for path in iter_note_files(content):
        post_id = path.stem
        if post_ids and post_id not in post_ids:
            continue
        text = path.read_text(encoding="utf-8")
        if imported.get(post_id) != text_digest(text):
            why = "edited since the import" if post_id in imported else "not an imported note"
            report.left_alone.append((str(path), why))
            continue
        raw = strip_anchors(text) if post_id in record else text
        if post_id in record and text_digest(raw) != record[post_id].get("raw_digest"):
            report.left_alone.append((str(path), "its anchors are not the anchoring's"))
            continue
        result = anchor_note(raw, _post_body(content, post_id), post_id)
        report.results.append(result)
        if atomic_write_text(path, result.text):
            report.written.append(str(path))
        imported[post_id] = text_digest(result.text)
        record[post_id] = _entry(raw, result)
    if report.results:
        atomic_write_text(
            content / IMPORT_RECORD, json.dumps(imported, indent=1, sort_keys=True) + "\n"
        )
        save_record(content, record, imported)
    return report
