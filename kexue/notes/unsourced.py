"""Material a note adds that the post does not hold: tables and numeric results whose
numbers occur nowhere in the post.

Notes are this site's text; some imported ones present experiment tables or results
("本文方法在 CIFAR-10 上达到 93.2%") the original never reports.  Such a place is

- listed by `invoke check` as a notice (file:line), and
- labelled on the page 本站补充，未经原文核实 (a ``<mark class="deriv-unsourced">``) until a
  person who checked it writes ``Reviewed: yes`` in the note's header.

A number counts when it is a decimal (``0.93``) or a percentage (``93%``): integers are
too often sizes and counts the post mentions in words.  A table is unsourced when it has
at least two such numbers and fewer than half of them occur in the post; a line of prose
when it speaks of a result (准确率, BLEU, 提升…) with such a number the post does not hold.
Numbers inside math, code and comments do not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kexue.math.tex import find_code_ranges, find_math
from kexue.notes.note import COMMENT_RE, Note

LABEL = "本站补充，未经原文核实"
MARK = f'<mark class="deriv-unsourced">{LABEL}</mark>'
REVIEWED_KEY = "Reviewed"

_NUMBER_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(%|％)?")
_ANY_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_TABLE_LINE_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_RESULT_RE = re.compile(
    r"准确率|正确率|精度|召回|困惑度|实验结果|本文方法|提升|下降了|达到|"
    r"\b(?:accuracy|acc|BLEU|ROUGE|PPL|perplexity|FID|F1|mAP|top-?[15]|SOTA)\b",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    offset: int  # where the table or line starts in the text given
    kind: str  # "table" | "result"
    numbers: tuple[str, ...]  # the numbers the post does not hold


def _canonical(number: str) -> str:
    return str(float(number)) if "." in number else str(int(number))


def post_numbers(post_body: str) -> set[str]:
    """Every number the post writes (prose and math), canonical (``0.50`` is ``0.5``)."""
    return {_canonical(n) for n in _ANY_NUMBER_RE.findall(post_body)}


def _blanked(text: str) -> str:
    """``text`` with math, code and comments replaced by spaces (lines kept)."""
    chars = list(text)
    ranges = find_code_ranges(text) + [(m.start(), m.end()) for m in COMMENT_RE.finditer(text)]
    ranges += [(s.start, s.end) for s in find_math(text, skip=sorted(ranges))]
    for a, b in ranges:
        chars[a:b] = re.sub(r"[^\n]", " ", text[a:b])
    return "".join(chars)


def _significant(line: str) -> list[str]:
    return [
        _canonical(m.group(1)) for m in _NUMBER_RE.finditer(line) if "." in m.group(1) or m.group(2)
    ]


def findings(text: str, known: set[str]) -> list[Finding]:
    """The unsourced tables and result lines of ``text`` (Markdown), in order."""
    plain = _blanked(text)
    lines = plain.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    out, i = [], 0
    while i < len(lines):
        if _TABLE_LINE_RE.match(lines[i]):
            j = i
            while j < len(lines) and _TABLE_LINE_RE.match(lines[j]):
                j += 1
            block = lines[i:j]
            if any(_TABLE_RULE_RE.match(x) for x in block):
                numbers = [n for x in block for n in _significant(x)]
                missing = tuple(dict.fromkeys(n for n in numbers if n not in known))
                if len(numbers) >= 2 and len(missing) * 2 > len(numbers):
                    out.append(Finding(starts[i], "table", missing))
            i = j
            continue
        if _RESULT_RE.search(lines[i]):
            missing = tuple(dict.fromkeys(n for n in _significant(lines[i]) if n not in known))
            if missing:
                out.append(Finding(starts[i], "result", missing))
        i += 1
    return out


def reviewed(note: Note) -> bool:
    return note.extra.get(REVIEWED_KEY, "").strip().lower() in ("yes", "true", "1", "是")


def mark(text: str, known: set[str]) -> str:
    """``text`` with the label before each unsourced table (a line of its own, its
    indentation kept) and at the end of each unsourced result line."""
    found = findings(text, known)
    if not found:
        return text
    out, pos = [], 0
    for f in found:
        end = text.find("\n", f.offset)
        end = len(text) if end < 0 else end
        if f.kind == "table":
            indent = re.match(r"[ \t]*", text[f.offset :]).group(0)
            out += [text[pos : f.offset], f"{indent}{MARK}\n\n"]
            pos = f.offset
        else:
            out += [text[pos:end], f" {MARK}"]
            pos = end
    out.append(text[pos:])
    return "".join(out)
