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
* ``named``: its text names the equation, ``式(3)``, ``公式(12)``, ``方程(5)``, ``eq. (3)``;
* ``similar``: it holds a display whose TeX tokens (after normalisation) mostly are those
  of one of the post's numbered rows (a rewritten or extended formula);
* ``section``: its heading is (nearly) one of the post's headings: it goes at the end of
  that section of the post, ``## @[标题]``.

The rules are a table (RULE_TABLE), tried in that order; the first with evidence decides,
and within a rule the equation named most often wins (then the best score, then the
first).  Every placement carries its rule and a score in [0, 1] (1 for a rule that names
the equation; the similarity for ``quote``, ``similar`` and ``section``).  A number the
note tags itself (``\\tag{22}`` on a display that is not the post's (22)) is the note's
own and never names the post's equation.  A section is not anchored when it is only a
heading, or when an earlier, non-adjacent section already took its target; consecutive
sections about the same target form one panel.

A person decides over the rules in the note's header (kept by every re-run)::

    Pin: 2. 方差 => (3); 4. 讨论 => [方差的计算]
    Reject: 3.1 生活化类比

``Pin`` places the section with that heading (its text, without the ``#``) at the anchor
given; ``Reject`` keeps it in the appendix.  `invoke anchor-notes --review FILE` lists
every placement with its rule, score and what it matched, for such decisions.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kexue.core.fsutil import atomic_write_text, read_record, text_digest
from kexue.core.header import parse_header
from kexue.core.posts import read_post
from kexue.math.tex import find_code_ranges, find_math, number_equations, split_rows
from kexue.notes import PostTargets, Target, find_post_file, iter_note_files
from kexue.notes.note import _ANCHOR_RE, Anchor
from kexue.notes.targets import heading_key, named_equations

__all__ = [
    "RULES",
    "RULE_TABLE",
    "Decisions",
    "without_decisions",
    "AnchorResult",
    "AnchoringReport",
    "anchor_imported",
    "anchor_note",
    "anchor_notes",
    "save_record",
    "strip_anchors",
]

#: The record of what the anchoring wrote (digests of the note before and after).
RECORD = Path("overrides") / "legacy-anchoring.json"
#: The import's digests of the notes it wrote (kexue.legacy.importer).
IMPORT_RECORD = Path("overrides") / "legacy-notes.json"

_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
# A section line the anchoring inserts: `## @(3)`, `## @eq:label`, `## @free`, no title.
_INSERTED_RE = re.compile(r"^## @(?:\([^()\n]+\)|\[[^\]\n]+\]|free|[^\s()\[\]]+)$")
_ANY_ANCHOR_RE = re.compile(r"^##[ \t]+@", re.M)
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
_TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|[^\\]")
_MIN_TOKENS = 8  # shorter displays are too common to point at one equation
_SIMILAR = 0.7  # token similarity a rewritten formula reaches
_HEADING_NEAR = 0.6  # character-pair overlap (Dice) of two headings
# Headings that every post and note has: they name no particular section.
_GENERIC_HEADINGS = frozenset(
    (
        "总结 小结 引言 前言 结论 结语 思考 讨论 附录 参考文献 文章小结 本文小结 延伸阅读 扩展阅读"
    ).split()
)
_NUMBERING_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+[章节部分步]|[一二三四五六七八九十]+[、.．]|"
    r"[\d]+(?:\.\d+)*[.、．)]?|[（(][\d一二三四五六七八九十]+[)）])\s*"
)
_DECISION_KEYS = ("Pin", "Reject")


def _norm_tex(tex: str) -> str:
    return _NOISE_RE.sub("", tex)


# ------------------------------------------------------------------------- the result


@dataclass
class SectionResult:
    line: int  # 1-based line (in the original note) where the section starts
    heading: str  # its heading line, "" for text before the first heading
    target: str = ""  # the anchor written (`(3)`, `eq:x`, `[标题]`), "" if in the appendix
    rule: str = ""  # which rule anchored it (RULES, or "pinned")
    reason: str = ""  # why a section naming an equation stayed in the appendix
    score: float = 0.0  # how sure the rule is, in [0, 1]
    matched: str = ""  # what the rule matched in the post (its TeX or heading, shortened)


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
                {
                    "line": s.line,
                    "heading": s.heading,
                    "anchor": s.target,
                    "rule": s.rule,
                    "score": round(s.score, 3),
                }
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


_named = named_equations


def _anchor_of(t: Target) -> str:
    if t.kind == "heading":
        return f"[{t.heading}]"
    return t.label if t.label and re.fullmatch(r"[^\s()\[\]]+", t.label) else f"({t.shown})"


def _tokens(norm: str) -> list[str]:
    return _TOKEN_RE.findall(norm)


def _heading_words(text: str) -> str:
    """A heading compared loosely: no Markdown marks, numbering or punctuation."""
    text = re.sub(r"^#+\s*", "", text).strip()
    text = re.sub(r"\$[^$]*\$", "", text)
    text = _NUMBERING_RE.sub("", re.sub(r"[*_`]+", "", text).strip())
    return re.sub(r"[\s:：,，.。、;；!！?？\-—–()（）\[\]【】《》\"'“”‘’]+", "", heading_key(text))


# ------------------------------------------------------------------------ the rules


@dataclass
class _Note:
    """What the rules see of one note and its post."""

    index: _PostIndex
    displays: list[_Display]
    own_tags: set[str]  # numbers the note tags itself: there 式(N) is the note's own
    labels: set[str]  # the note's own \label names

    def number(self, n: str) -> Target | None:
        return None if n in self.own_tags else self.index.by_shown.get(n)


@dataclass
class _Section:
    """One section of the note, as the rules see it."""

    heading: str
    body: str  # its prose (code and comments blanked), without the heading line
    displays: list[_Display]
    note: _Note

    @cached_property
    def quotes(self) -> list[tuple[_Display, Target, float]]:
        """Each display that is a post's row verbatim or near-verbatim, with the row."""
        out = []
        for d in self.displays:
            for piece in d.pieces:
                q = _quoted(piece, self.note.index)
                if q is not None:
                    out.append((d, q, 1.0 if piece in self.note.index.exact else _NEAR))
                    break
        return out


Evidence = list[tuple[Target, float]]


def _by_heading(s: _Section) -> Evidence:
    return [(t, 1.0) for n in _named(s.heading) if (t := s.note.number(n))]


def _by_tag(s: _Section) -> Evidence:
    return [(t, score) for d, t, score in s.quotes if d.tag == t.shown]


def _by_quote(s: _Section) -> Evidence:
    return [(t, score) for d, t, score in s.quotes if d.tag != t.shown]


def _by_eqref(s: _Section) -> Evidence:
    by_label = s.note.index.by_label
    return [
        (by_label[x], 1.0)
        for x in _EQREF_RE.findall(s.body)
        if x in by_label and x not in s.note.labels
    ]


def _by_named(s: _Section) -> Evidence:
    return [(t, 1.0) for n in _named(s.body) if (t := s.note.number(n))]


def _by_similarity(s: _Section) -> Evidence:
    """Displays whose TeX tokens mostly are one post row's: the best row of each."""
    out = []
    for d in s.displays:
        best, score = None, _SIMILAR
        for piece in d.pieces:
            mine = _tokens(piece)
            if len(mine) < _MIN_TOKENS:
                continue
            for row, t in s.note.index.rows:
                theirs = _tokens(row)
                if not 0.6 <= len(theirs) / len(mine) <= 1.6:
                    continue
                sm = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
                if sm.quick_ratio() < score:
                    continue
                r = sm.ratio()
                if r > score:
                    best, score = t, r
        if best is not None:
            out.append((best, score))
    return out


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _heading_likeness(mine: str, theirs: str) -> float:
    """1 for the same words; 0.9 when one holds the other (4 characters or more); else
    the overlap of their character pairs (Dice)."""
    if mine == theirs:
        return 1.0
    if min(len(mine), len(theirs)) >= 4 and (mine in theirs or theirs in mine):
        return 0.9
    a, b = _pairs(mine), _pairs(theirs)
    return 2 * len(a & b) / (len(a) + len(b))


def _by_section(s: _Section) -> Evidence:
    """The post's heading this section's heading (nearly) repeats."""
    mine = _heading_words(s.heading)
    if len(mine) < 2 or mine in _GENERIC_HEADINGS:
        return []
    best, score = None, _HEADING_NEAR
    for t in s.note.index.targets.headings:
        theirs = _heading_words(t.heading)
        if len(theirs) < 2 or theirs in _GENERIC_HEADINGS:
            continue
        r = _heading_likeness(mine, theirs)
        if r >= score and (best is None or r > score):
            best, score = t, r
    return [(best, score)] if best is not None else []


#: The anchoring rules, strongest first: (name, evidence of a section).
RULE_TABLE: tuple[tuple[str, Callable[[_Section], Evidence]], ...] = (
    ("heading", _by_heading),
    ("tag", _by_tag),
    ("quote", _by_quote),
    ("eqref", _by_eqref),
    ("named", _by_named),
    ("similar", _by_similarity),
    ("section", _by_section),
)
RULES = tuple(name for name, _ in RULE_TABLE)


def _apply_rules(section: _Section) -> tuple[Target | None, str, float]:
    """The first rule with evidence: its target (named most often, then best scored, then
    first), its name and its score."""
    for name, rule in RULE_TABLE:
        evidence = rule(section)
        if not evidence:
            continue
        counts = Counter(t for t, _ in evidence)
        best = {t: max(sc for u, sc in evidence if u == t) for t in counts}
        order = {t: i for i, (t, _) in reversed(list(enumerate(evidence)))}
        pick = max(counts, key=lambda t: (counts[t], best[t], -order[t]))
        return pick, name, best[pick]
    return None, "", 0.0


# ------------------------------------------------------------------ a person's word


@dataclass
class Decisions:
    """``Pin:`` and ``Reject:`` in a note's header: section heading -> anchor, headings."""

    pins: dict[str, str] = field(default_factory=dict)
    rejects: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, text: str) -> Decisions:
        values = parse_header(text).values
        out = cls()
        for item in values.get("Pin", "").split(";"):
            heading, sep, anchor = item.partition("=>")
            if sep and heading.strip() and anchor.strip():
                out.pins[_heading_words(heading)] = anchor.strip()
        out.rejects = {_heading_words(h) for h in values.get("Reject", "").split(";") if h.strip()}
        return out

    def decide(self, heading: str, index: _PostIndex) -> tuple[bool, Target | None]:
        """(decided, target): whether a person decided this section, and where it goes."""
        key = _heading_words(heading)
        if not heading or not key:
            return False, None
        if key in self.rejects:
            return True, None
        if key in self.pins:
            m = _ANCHOR_RE.match(self.pins[key])
            anchor = _pin_anchor(m) if m else None
            return True, index.targets.resolve(anchor) if anchor else None
        return False, None


def _pin_anchor(m: re.Match) -> Anchor | None:
    if m.group("eq"):
        return Anchor("equation", m.group("eq").strip())
    if m.group("heading"):
        return Anchor("heading", m.group("heading").strip())
    return Anchor("label", m.group("label")) if m.group("label") else None


def without_decisions(text: str) -> str:
    """``text`` without its ``Pin:``/``Reject:`` header lines: what the import wrote (a
    person's decisions do not make a note "edited")."""
    try:
        header = parse_header(text)
    except Exception:
        return text
    head, body = text[: header.body_start], text[header.body_start :]
    keep = [
        line for line in head.split("\n") if line.split(":", 1)[0].strip() not in _DECISION_KEYS
    ]
    return "\n".join(keep) + body


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


def _note_view(text: str, index: _PostIndex) -> _Note:
    displays = _displays(text)
    own_tags = set()
    for d in displays:
        if d.tag is not None:
            quoted = [_quoted(p, index) for p in d.pieces]
            if not any(q is not None and q.shown == d.tag for q in quoted):
                own_tags.add(d.tag)
    return _Note(index, displays, own_tags, set(_LABEL_RE.findall(text)))


def _prose_lines(text: str) -> list[str]:
    """The note's lines with code and comments blanked: mentions there don't count."""
    prose = list(text)
    for a, b in find_code_ranges(text) + [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]:
        prose[a:b] = re.sub(r"[^\n]", " ", text[a:b])
    return "".join(prose).split("\n")


def _skip_reason(text: str, index: _PostIndex, post_body: str) -> str:
    code = find_code_ranges(text)
    if any(not any(a <= m.start() < b for a, b in code) for m in _ANY_ANCHOR_RE.finditer(text)):
        return "the note has `## @…` sections of its own"
    if not index.targets.equations and not index.targets.headings:
        return "the post has no numbered equation or heading" + (
            "" if post_body.strip() else " (no post text)"
        )
    return ""


@dataclass
class _Placement:
    chunk: _Chunk
    target: Target | None = None
    rule: str = ""
    score: float = 0.0
    reason: str = ""


def anchor_note(text: str, post_body: str, post_id: str = "") -> AnchorResult:
    """Insert ``## @…`` lines into a legacy note (``text``, no anchors of its own) so that
    each section that names or quotes an equation of the post (``post_body``, Markdown), or
    repeats one of its headings, sits there.  Returns the new text and what happened to
    each section (its rule and score)."""
    if not post_id:
        post_id = parse_header(text).values.get("Post", "")
    result = AnchorResult(post_id, text)
    index = _post_index(post_body)
    lines, chunks = _chunks(text)
    result.skipped = _skip_reason(text, index, post_body)
    if result.skipped:
        if "`## @" not in result.skipped:
            result.sections = [
                SectionResult(c.start + 1, c.heading) for c in chunks if _has_body(lines, c)
            ]
        return result
    placements = _place(text, lines, chunks, index)
    result.text = _with_anchor_lines(lines, chunks, placements)
    for p in placements:
        if _has_body(lines, p.chunk):
            result.sections.append(_section_result(p))
    return result


def _place(
    text: str, lines: list[str], chunks: list[_Chunk], index: _PostIndex
) -> list[_Placement]:
    """Each chunk's placement: a person's decision, else the rules'."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    note = _note_view(text, index)
    decisions = Decisions.of(text)
    prose = _prose_lines(text)
    taken: dict[Target, int] = {}  # target -> index of the last chunk anchored to it
    out = []
    for ci, chunk in enumerate(chunks):
        p = _Placement(chunk)
        out.append(p)
        if not _has_body(lines, chunk):
            continue
        decided, target = decisions.decide(chunk.heading, index)
        if decided:
            p.target, p.rule, p.score = target, "pinned" if target else "", 1.0 if target else 0
            p.reason = "" if target else "rejected in the note's header"
        else:
            a, b = offsets[chunk.start], offsets[chunk.end]
            body = "\n".join(prose[chunk.start + (1 if chunk.heading else 0) : chunk.end])
            mine = [d for d in note.displays if a <= d.start < b]
            p.target, p.rule, p.score = _apply_rules(_Section(chunk.heading, body, mine, note))
        if p.target is not None and p.rule != "pinned" and taken.get(p.target, ci - 1) != ci - 1:
            p.reason = f"names {_anchor_of(p.target)}, already annotated by an earlier section"
            p.target, p.rule, p.score = None, "", 0.0
        if p.target is not None:
            taken[p.target] = ci
    return out


def _with_anchor_lines(lines: list[str], chunks: list[_Chunk], placements: list[_Placement]) -> str:
    out: list[str] = lines[: chunks[0].start] if chunks else list(lines)
    previous: Target | None = None
    for p in placements:
        if p.target is not None and p.target != previous:
            out.append(f"## @{_anchor_of(p.target)}")
        elif p.target is None and previous is not None:
            out.append("## @free")
        out.extend(lines[p.chunk.start : p.chunk.end])
        previous = p.target
    return "\n".join(out)


def _section_result(p: _Placement) -> SectionResult:
    t = p.target
    matched = ""
    if t is not None:
        matched = t.heading if t.kind == "heading" else f"({t.shown})"
    return SectionResult(
        p.chunk.start + 1,
        p.chunk.heading,
        _anchor_of(t) if t else "",
        p.rule,
        p.reason,
        p.score,
        matched,
    )


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

    def review(self) -> str:
        """Every placement, weakest evidence first within each note, for a person to pin or
        reject in the note's header (Markdown)."""
        out = [
            "# Anchoring review (`invoke anchor-notes --review`)",
            "",
            "Each line: note line, section heading -> where it is placed, the rule and its "
            "score. To change one, add to the note's header `Pin: <heading> => (N)` (or "
            "`=> [post heading]`, `=> eq:label`) or `Reject: <heading>` (several: separate "
            "with `;`), then run `invoke anchor-notes` again.",
        ]
        for r in self.results:
            if not r.anchored:
                continue
            out += ["", f"## {r.post_id} ({len(r.anchored)} placed)", ""]
            for s in sorted(r.anchored, key=lambda s: (s.score, s.line)):
                heading = re.sub(r"^#+\s*", "", s.heading) or "(text before the first heading)"
                out.append(f"- line {s.line}: {heading} -> {s.target} · {s.rule} {s.score:.2f}")
        return "\n".join(out) + "\n"

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
                    out.append(
                        f"      line {s.line}: @{s.target} by {s.rule} ({s.score:.2f}): {s.heading}"
                    )
        for note, why in self.left_alone:
            out.append(f"  left alone: {note}: {why}")
        return "\n".join(out)


def _post_body(content: Path, post_id: str) -> str:
    post_file = find_post_file(content, post_id)
    return read_post(post_file).body if post_file else ""


def _entry(raw: str, result: AnchorResult) -> dict:
    """The record of one note: digests without a person's decisions (Pin/Reject)."""
    return {
        "raw_digest": text_digest(without_decisions(raw)),
        "digest": text_digest(without_decisions(result.text)),
        **result.to_dict(),
    }


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
    excerpt completed by the crawler, gets new anchors) and both records are updated.  A
    person's ``Pin:``/``Reject:`` header lines do not count as an edit, and the re-run
    follows them.
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
        if imported.get(post_id) != text_digest(without_decisions(text)):
            why = "edited since the import" if post_id in imported else "not an imported note"
            report.left_alone.append((str(path), why))
            continue
        raw = strip_anchors(text) if post_id in record else text
        raw_digest = text_digest(without_decisions(raw))
        if post_id in record and raw_digest != record[post_id].get("raw_digest"):
            report.left_alone.append((str(path), "its anchors are not the anchoring's"))
            continue
        result = anchor_note(raw, _post_body(content, post_id), post_id)
        report.results.append(result)
        if atomic_write_text(path, result.text):
            report.written.append(str(path))
        imported[post_id] = text_digest(without_decisions(result.text))
        record[post_id] = _entry(raw, result)
    if report.results:
        atomic_write_text(
            content / IMPORT_RECORD, json.dumps(imported, indent=1, sort_keys=True) + "\n"
        )
        save_record(content, record, imported)
    return report
