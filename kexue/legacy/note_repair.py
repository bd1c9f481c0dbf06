"""Repairs of the formulas in imported (legacy) derivation notes that MathJax rejects.

The earlier mirror's notes were written by that mirror (not converted by html2text), and
a few of their formulas never typeset.  :func:`repair_note_math` fixes the kinds that
have exactly one reading, outside code, and says what it changed and where:

* ``\\tag`` inside ``aligned``/``gathered``: the display becomes ``align*``/``gather*``
  (rows keep their tags; MathJax allows ``\\tag`` only on a top-level row);
* an environment closed by another one's ``\\end`` (``\\begin{align}…\\end{equation}``),
  and ``\\end{equation>``: the ``\\end`` of the environment that is open;
* ``$$x$文字`` (a line that opens ``$$`` and closes with a single ``$`` before prose):
  the inline ``$x$`` that was meant;
* ``\\left\\\\{`` / ``\\right\\\\}`` (a doubled backslash): ``\\left\\{`` / ``\\right\\}``.

Undefined operators (``\\argmax``…) are not repaired here: they are defined once for every
page in data/tex-macros.toml.  What is left (a stray brace, a ``\\frac`` missing an
argument) is for a person: `invoke check` names it by file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kexue.core import cjk
from kexue.math.tex import find_code_ranges, find_math

KINDS = {
    "tag": "\\tag inside aligned/gathered -> align*/gather*",
    "end": "environment closed by another's \\end",
    "end>": "\\end{…> typo",
    "dollars": "$$ opening inline math ($$x$ 文字 -> $x$ 文字)",
    "lr": "\\left\\\\{ or \\right\\\\} (doubled backslash)",
}


@dataclass(frozen=True)
class Repair:
    line: int  # 1-based line of the text where the repaired formula starts
    kind: str  # a key of KINDS
    before: tuple[str, ...]  # the lines as they were (all of them, changed or removed)


_END_TYPO_RE = re.compile(r"\\end\{([A-Za-z]+\*?)>")
_LR_RE = re.compile(r"\\(left|right)\\\\([{}])")
_STRAY_DOLLARS_RE = re.compile(
    r"^\$\$((?:[^$\n\\]|\\.)+)\$(?!\$)(?=[^\n$]*[" + cjk.HAN_UNIFIED + "])", re.M
)
_ENV_TOKEN_RE = re.compile(r"\\(begin|end)\{([A-Za-z]+\*?)\}")
_DISPLAY_ENVS = {"equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat"}
_INNER = {"aligned": "align*", "gathered": "gather*"}
_WRAPPED_RE = re.compile(
    r"^(?P<pre>\s*)\\begin\{(?P<env>aligned|gathered)\}(?P<body>.*)\\end\{(?P=env)\}(?P<post>\s*)$",
    re.S,
)


def _lines_of(text: str, a: int, b: int) -> tuple[int, tuple[str, ...]]:
    start = text.rfind("\n", 0, a) + 1
    end = text.find("\n", b)
    end = len(text) if end < 0 else end
    return text.count("\n", 0, a) + 1, tuple(text[start:end].split("\n"))


class _Editor:
    """Collects non-overlapping replacements on one text and applies them at once."""

    def __init__(self, text: str, kind: str, repairs: list[Repair]):
        self.text, self.kind, self.repairs = text, kind, repairs
        self.edits: list[tuple[int, int, str]] = []
        code = find_code_ranges(text)
        self.code = code

    def in_code(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.code)

    def replace(self, a: int, b: int, new: str, where: tuple[int, int] | None = None) -> None:
        line, before = _lines_of(self.text, *(where or (a, b)))
        self.edits.append((a, b, new))
        self.repairs.append(Repair(line, self.kind, before))

    def result(self) -> str:
        out, pos = [], 0
        for a, b, new in sorted(self.edits):
            out.append(self.text[pos:a])
            out.append(new)
            pos = b
        out.append(self.text[pos:])
        return "".join(out)


def _regex_pass(text: str, kind: str, rx: re.Pattern, sub, repairs: list[Repair]) -> str:
    ed = _Editor(text, kind, repairs)
    for m in rx.finditer(text):
        if not ed.in_code(m.start()):
            ed.replace(m.start(), m.end(), sub(m))
    return ed.result()


def _mismatched_ends(text: str, repairs: list[Repair]) -> str:
    ed = _Editor(text, "end", repairs)
    stack: list[tuple[str, int]] = []
    for m in _ENV_TOKEN_RE.finditer(text):
        if ed.in_code(m.start()):
            continue
        name = m.group(2)
        if m.group(1) == "begin":
            stack.append((name, m.start()))
            continue
        if stack and stack[-1][0] == name:
            stack.pop()
        elif (
            len(stack) == 1
            and stack[0][0].rstrip("*") in _DISPLAY_ENVS
            and name.rstrip("*") in _DISPLAY_ENVS
        ):
            ed.replace(m.start(), m.end(), f"\\end{{{stack[0][0]}}}", (stack[0][1], m.end()))
            stack.pop()
        elif stack and any(n == name for n, _ in stack):
            while stack and stack[-1][0] != name:
                stack.pop()
            stack.pop()
    return ed.result()


def _tags_in_aligned(text: str, repairs: list[Repair]) -> str:
    ed = _Editor(text, "tag", repairs)
    masks = sorted(ed.code)
    for span in find_math(text, skip=masks):
        if not span.display or "\\tag" not in span.tex:
            continue
        if span.environment in ("equation", "equation*"):
            m = _WRAPPED_RE.match(span.tex)
            outer = None
        elif span.open in ("$$", "\\["):
            m = _WRAPPED_RE.match(span.tex)
            outer = (span.open, span.close)
        else:
            continue
        if (
            not m
            or "\\tag" not in m.group("body")
            or "\\begin{" + m.group("env") in m.group("body")
        ):
            continue
        env = _INNER[m.group("env")]
        inner = f"\\begin{{{env}}}{m.group('body')}\\end{{{env}}}"
        new = f"{outer[0]}{m.group('pre')}{inner}{m.group('post')}{outer[1]}" if outer else inner
        ed.replace(span.start, span.end, new)
    return ed.result()


def repair_note_math(text: str) -> tuple[str, list[Repair]]:
    """The note's text with the repairable formulas fixed, and each repair made (the
    line numbers are those of ``text``, not of the result)."""
    repairs: list[Repair] = []
    # Each pass keeps the line count but the last, so earlier lines stay where they were;
    # the passes' line numbers refer to the text each received (equal up to the last).
    text = _regex_pass(text, "dollars", _STRAY_DOLLARS_RE, lambda m: f"${m.group(1)}$", repairs)
    text = _regex_pass(text, "end>", _END_TYPO_RE, lambda m: f"\\end{{{m.group(1)}}}", repairs)
    text = _regex_pass(text, "lr", _LR_RE, lambda m: f"\\{m.group(1)}\\{m.group(2)}", repairs)
    text = _mismatched_ends(text, repairs)
    text = _tags_in_aligned(text, repairs)
    return text, repairs
