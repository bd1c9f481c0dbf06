"""Split a note's displays into ``=`` steps, with the conditions and controls around them.

Displays are found by kexue.math.tex (the one TeX scanner), rows by its ``split_rows``.
A display's rows are joined into chains (a row starting with ``=`` or ``&=`` continues
the row above; one starting with ``+``/``-`` continues its expression); a chain is cut into
statements at top-level commas, ``\\quad`` and condition words; a statement into parts at
its relations.  Two neighbouring parts joined by ``=`` are a step; parts joined by ``<``,
``\\approx``, ``:=``, ``\\triangleq``… are not equality steps and are not counted.

Author controls: a TeX comment ``% check-steps: skip`` in a display skips its steps; a note
header ``Conventions: log=log2; i=index`` sets how ambiguous symbols read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kexue.core.header import HeaderError, parse_header
from kexue.math.tex import find_math, split_rows
from kexue.steps.read import _TOKEN_RE, Conventions, NoteContext

__all__ = ["Step", "note_context", "note_steps"]

SKIP_RE = re.compile(r"%\s*check-steps:\s*skip\b")
_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")
_TAG_RE = re.compile(r"\\(?:tag\*?|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)\b")
_UNWRAP = "equation|align|aligned|alignedat|gather|gathered|split|multline|eqnarray|alignat|flalign"
_ENV_RE = re.compile(
    r"\\(?:begin\{(?:" + _UNWRAP + r")\*?\}(?:\{\d+\}|\[[a-z]\])?|end\{(?:" + _UNWRAP + r")\*?\})"
)
_ANNOTATED_RE = re.compile(r"\\(?:overset|stackrel|underset)\s*\{[^{}]*\}\s*\{\s*([^{}]*)\}")
_RELATIONS = {
    "=", "<", ">", "\\le", "\\leq", "\\ge", "\\geq", "\\leqslant", "\\geqslant", "\\ne", "\\neq",
    "\\approx", "\\simeq", "\\sim", "\\cong", "\\equiv", "\\propto", "\\triangleq", "\\coloneqq",
    "\\eqqcolon", "\\doteq", "\\ll", "\\gg", "\\to", "\\rightarrow", "\\Rightarrow",
    "\\Longrightarrow", "\\longrightarrow", "\\implies", "\\iff", "\\Leftrightarrow",
    "\\Longleftrightarrow", "\\mapsto", "\\in", "\\notin", "\\subset", "\\subseteq", "\\perp",
    "\\prec", "\\succ", "\\preceq", "\\succeq", "\\lesssim", "\\gtrsim", "\\asymp", "\\Krel",
    "\\leftarrow", "\\gets", "\\vdash", "\\models", "\\leftrightarrow",
}  # fmt: skip
_SEPARATORS = {",", ";", "\\quad", "\\qquad", "\\\\"}
_CONDITION_WORDS = ("where", "if", "for", "when", "s.t.", "with", "其中", "若", "当", "如果", "对",
                    "这里", "假设", "设")  # fmt: skip
_OPEN = {"{", "(", "[", "\\langle", "\\left", "\\{"}
_CLOSE = {"}", ")", "]", "\\rangle", "\\right", "\\}"}
_NUM = r"-?\d+(?:\.\d+)?"
_VAR = r"\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?"


@dataclass
class Step:
    file: str
    line: int  # the display's first line
    lhs: str
    rhs: str
    skipped: bool = False  # the author's `% check-steps: skip`
    condition: str = ""  # a condition of the display that could not be read as ranges
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    posed: bool = False  # the prose poses it ("令…", "满足…", "solve…"): not a step


def note_context(text: str, path: str) -> tuple[NoteContext, list[tuple[int, str]], int]:
    """The reading context of a note (conventions, declared shapes, transposed symbols),
    the header's problems as (line, message), and where the body starts."""
    try:
        header = parse_header(text, path)
        values, body_start, line = header.values, header.body_start, header.lines
    except HeaderError as e:
        return NoteContext(), [(e.line, e.message)], 0
    conventions, errors = Conventions.parse(values.get("Conventions", ""))
    problems = [(line.get("Conventions", 1), e) for e in errors]
    ctx = NoteContext(conventions=conventions)
    ctx.complex_numbers = bool(_COMPLEX_RE.search(text))
    ctx.orthogonal = bool(_ORTHOGONAL_RE.search(text))
    ctx.constants = bool(re.search(r"常数|constant", text, re.I))
    ctx.modular = bool(re.search(r"\\(?:pmod|bmod|mod)\b|\\equiv|模\s*\d|同余", text))
    for span in find_math(text):
        _declarations(span.tex, ctx)
    return ctx, problems, body_start


_SYMBOL_RE = r"(?:\\(?:boldsymbol|mathbf|bm)\s*\{\s*(\\?[A-Za-z]+)\s*\}|(\\?[A-Za-z]+))"
_DECL_RE = re.compile(
    r"((?:" + _SYMBOL_RE + r"\s*,\s*)*" + _SYMBOL_RE + r")"
    r"\s*\\in\s*\\mathbb\s*\{?\s*[RC]\s*\}?\s*\^\s*\{?\s*([A-Za-z0-9]+)"
    r"(?:\s*\\times\s*([A-Za-z0-9]+))?"
)
_ONE_RE = re.compile(_SYMBOL_RE)
_ORTHOGONAL_RE = re.compile(
    r"正交|单位向量|归一化|orthogonal|orthonormal|unit vector|normali[sz]ed", re.I
)
_COMPLEX_RE = re.compile(r"虚数|复数|imaginary|complex number|i\^2\s*=\s*-1|i\^\{2\}\s*=\s*-1")
_TRANSPOSED_RE = re.compile(
    _SYMBOL_RE + r"(?:_\{[^{}]*\}|_\\?[A-Za-z0-9])?\s*\^\s*\{?\s*(?:\\top|\\intercal|\\mathsf\{T\})"
)


def _declarations(tex: str, ctx: NoteContext) -> None:
    for m in _DECL_RE.finditer(tex):
        rows, cols = m.group(6), m.group(7)
        shape = (rows, cols or "1")
        for s in _ONE_RE.finditer(m.group(1)):
            bold, plain = s.group(1), s.group(2)
            name = (bold or plain).lstrip("\\")
            if name in ("in", "mathbb"):
                continue
            key = ("bold:" if bold else "") + name
            ctx.shapes.setdefault(key, shape)
    for m in _TRANSPOSED_RE.finditer(tex):
        if m.group(2):
            ctx.transposed.add(m.group(2).lstrip("\\"))


def note_steps(text: str, path: str, body_start: int = 0) -> list[Step]:
    """Every ``=`` step of the displays of ``text`` (from ``body_start``)."""
    steps: list[Step] = []
    spans = [s for s in find_math(text) if s.display and s.start >= body_start]
    for span in spans:
        line = text.count("\n", 0, span.start) + 1
        skipped = bool(SKIP_RE.search(span.tex))
        prose = _prose_conditions(text, span.start, span.end)
        found = display_steps(span.open + span.tex + span.close)
        lead = _lead(text, span.start)
        posed = len(found) == 1 and bool(_POSED_RE.search(lead))
        for lhs, rhs, condition, ranges in found:
            merged = {**prose, **ranges}
            steps.append(Step(path, line, lhs, rhs, skipped, condition, merged, posed))
    return steps


def _lead(text: str, start: int) -> str:
    """The prose that introduces a display: back to the previous display or blank line,
    through one short connective line ("即：")."""
    lead = text[max(0, start - 200) : start]
    lead = re.split(r"\$\$|\\end\{[a-z]+\*?\}|\\\]", lead)[-1]
    paragraphs = [p for p in re.split(r"\n\s*\n", lead) if p.strip()]
    if len(paragraphs) > 1 and len(paragraphs[-1].strip()) <= 6:
        return "\n".join(paragraphs[-2:])
    return paragraphs[-1] if paragraphs else ""


def display_steps(tex: str) -> list[tuple[str, str, str, dict]]:
    """(lhs, rhs, unread condition, ranges) of each ``=`` step of one display."""
    body = _COMMENT_RE.sub("", tex)
    for delim in ("$$", "\\[", "\\]"):
        body = body.replace(delim, " ")
    body = _TAG_RE.sub(" ", body)
    body = _ENV_RE.sub(" ", body)
    body = _ANNOTATED_RE.sub(" \\\\Krel ", body)
    body = re.sub(r":\s*=|=\s*:", " \\\\Krel ", body)
    out = []
    for chain in _chains(split_rows(body)):
        statements, conditions = _statements(chain)
        condition, ranges = _read_conditions(conditions)
        for statement in statements:
            parts = _parts(statement)
            for a, rel, b in zip(parts[0::2], parts[1::2], parts[2::2], strict=False):
                if rel == "=" and a.strip() and b.strip():
                    out.append((a.strip(), b.strip(), condition, ranges))
    return out


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _starts_relation(row: str) -> bool:
    toks = [t for t in _tokens(row) if not t.isspace()]
    return bool(toks) and toks[0] in _RELATIONS


_LEADING_SPACE_RE = re.compile(r"^(?:\\(?:quad|qquad|[,;:! ]|hspace\*?\{[^{}]*\})\s*)+")


def _chains(rows: list[str]) -> list[str]:
    chains: list[str] = []
    for row in rows:
        row = re.sub(r"(?<!\\)&", " ", row).strip()
        row = _LEADING_SPACE_RE.sub("", row)
        if not row:
            continue
        continues = _starts_relation(row) or (row[0] in "+-" or row.startswith("\\cdot"))
        if chains and continues:
            chains[-1] += " " + row
        else:
            chains.append(row)
    return chains


def _statements(chain: str) -> tuple[list[str], list[str]]:
    """A chain cut at top-level separators: (equation statements, conditions)."""
    pieces: list[list[str]] = [[]]
    depth = 0
    toks = _tokens(chain)
    i = 0
    conditional = [False]
    while i < len(toks):
        t = toks[i]
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and (t in _SEPARATORS or _condition_word(toks, i)):
            pieces.append([])
            conditional.append(_condition_word(toks, i) or conditional[-1] and t not in _SEPARATORS)
            if t in _SEPARATORS:
                i += 1
                continue
        pieces[-1].append(t)
        i += 1
    statements, conditions = [], []
    seen_equation = False
    for toks_, cond in zip(pieces, conditional, strict=True):
        text = "".join(toks_).strip()
        if not text:
            continue
        rels = {t for t in toks_ if t in _RELATIONS}
        if cond or (seen_equation and rels and "=" not in rels and rels <= _INEQUALITY):
            conditions.append(text)
        else:
            statements.append(text)
            seen_equation = seen_equation or "=" in rels
    return statements, conditions


_INEQUALITY = {"<", ">", "\\le", "\\leq", "\\ge", "\\geq", "\\in", "\\ne", "\\neq", "\\leqslant",
               "\\geqslant", "\\notin"}  # fmt: skip


def _condition_word(toks: list[str], i: int) -> bool:
    t = toks[i]
    if t in ("\\forall", "\\text", "\\mbox", "\\textrm", "\\quad", "\\qquad"):
        rest = "".join(toks[i + 1 : i + 8]).lstrip("{ ").lower()
        if t in ("\\quad", "\\qquad"):
            return False
        return t == "\\forall" or rest.startswith(_CONDITION_WORDS)
    return False


def _parts(statement: str) -> list[str]:
    """Parts and relations alternately: [a, "=", b, "<", c]."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for t in _tokens(statement):
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and t in _RELATIONS:
            parts.append("".join(cur))
            parts.append(t)
            cur = []
            continue
        cur.append(t)
    parts.append("".join(cur))
    return parts


def _read_conditions(conditions: list[str]) -> tuple[str, dict]:
    """Ranges for simple conditions (``0<x<1``, ``x>0``, ``x \\in (0, 1)``); the first
    condition that is not one of those, which leaves the display's steps unchecked."""
    ranges: dict[str, tuple[float, float]] = {}
    unread = ""
    for c in conditions:
        got = ranges_of(c)
        if got is None:
            unread = unread or c
        else:
            ranges.update(got)
    return unread, ranges


def _key(var: str) -> str:
    m = re.fullmatch(r"\\?([A-Za-z]+)(?:_\{?([A-Za-z0-9]+)\}?)?", var)
    if not m:
        return var
    return m.group(1) + (f"_{{{m.group(2)}}}" if m.group(2) else "")


def ranges_of(condition: str) -> dict[str, tuple[float, float]] | None:
    """Sampling ranges for a condition made of simple bounds on symbols, else None."""
    c = re.sub(
        r"\\text\s*\{[^{}]*\}|\\forall|\\quad|\\qquad|\\[,;!]|\\left|\\right", " ", condition
    )
    c = re.sub(r"\\(?:leq?|leqslant)\b", "<", c)
    c = re.sub(r"\\(?:geq?|geqslant)\b", ">", c)
    c = c.replace("\\mathbf", "").replace("\\boldsymbol", "")
    out: dict[str, tuple[float, float]] = {}
    for part in re.split(r",|;|\\text\{and\}|且", c):
        part = part.strip().strip("()").strip()
        if not part:
            continue
        got = _one_range(part)
        if got is None:
            return None
        out[got[0]] = got[1]
    return out or None


def _one_range(part: str) -> tuple[str, tuple[float, float]] | None:
    s = re.sub(r"\s+", "", part).replace("<=", "<").replace(">=", ">").replace("=", "")
    m = re.fullmatch(rf"({_NUM})<({_VAR})<({_NUM})", s)
    if m:
        a, b = float(m.group(1)), float(m.group(3))
        return _key(m.group(2)), (a + 0.1 * (b - a), b - 0.1 * (b - a))
    m = re.fullmatch(rf"({_VAR})>({_NUM})", s) or re.fullmatch(rf"({_NUM})<({_VAR})", s)
    if m:
        var, num = (
            (m.group(1), m.group(2))
            if m.group(1)[0] not in "-0123456789"
            else (m.group(2), m.group(1))
        )
        a = float(num)
        return _key(var), (a + 0.3, a + 1.7)
    m = re.fullmatch(rf"({_VAR})<({_NUM})", s) or re.fullmatch(rf"({_NUM})>({_VAR})", s)
    if m:
        var, num = (
            (m.group(1), m.group(2))
            if m.group(1)[0] not in "-0123456789"
            else (m.group(2), m.group(1))
        )
        b = float(num)
        return _key(var), (b - 1.7, b - 0.3) if b <= 0 else (max(b - 1.7, 0.1 * b), 0.9 * b)
    m = re.fullmatch(rf"({_VAR})\\in[\(\[]({_NUM}),({_NUM})[\)\]]", s)
    if m:
        a, b = float(m.group(2)), float(m.group(3))
        return _key(m.group(1)), (a + 0.1 * (b - a), b - 0.1 * (b - a))
    return None


_POSED_RE = re.compile(
    r"令|要求|满足|使得|求解|解方程|约束|假设|solve|such that|require|assume|impose", re.I
)
_PROSE_COND_RE = re.compile(r"(其中|这里|若|如果|当|对于|假设|设|where|if|assume|for)", re.I)


def _prose_conditions(text: str, start: int, end: int) -> dict[str, tuple[float, float]]:
    """Ranges stated in the prose just around a display ("其中 $0<x<1$", "若 $x>0$")."""
    before = text[max(0, text.rfind("\n\n", 0, start)) : start]
    after_end = text.find("\n\n", end)
    after = text[end : after_end if after_end > 0 else len(text)][:300]
    out: dict[str, tuple[float, float]] = {}
    for piece in (before[-300:], after):
        if not _PROSE_COND_RE.search(piece):
            continue
        for span in find_math(piece):
            if span.display:
                continue
            got = ranges_of(span.tex)
            if got:
                out.update(got)
    return out
