"""Find TeX spans in Markdown text, the way the source site's MathJax finds them.

The source site (MathJax 2, ``tex2jax``) treats as math: inline ``$…$`` and ``\\(…\\)``,
display ``$$…$$`` and ``\\[…\\]``, and bare ``\\begin{env}…\\end{env}`` environments
(``processEnvironments``).  This module finds those spans in Markdown source text while
skipping code (fenced blocks, indented blocks, code spans), so that callers can lift
them out before any Markdown or HTML processing and put them back byte for byte.

Two rules differ from a naive scanner, to keep prose intact:

* an inline ``$`` opens math only when the next character is not a space, and closes
  only when the previous character is not a space and the next is not a digit
  (so "花了 $5 和 $10" holds no math);
* a dollar preceded by an odd number of backslashes is a literal dollar.

Nothing here imports Pelican or Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MathSpan", "find_math", "find_code_ranges"]


@dataclass(frozen=True)
class MathSpan:
    """One math span in a text: ``text[start:end]`` is ``open + tex + close``."""

    start: int
    end: int
    open: str
    close: str
    tex: str
    display: bool

    @property
    def source(self) -> str:
        """The span exactly as written, delimiters included."""
        return self.open + self.tex + self.close

    @property
    def environment(self) -> str | None:
        """The environment name of a bare ``\\begin{…}`` span, else None."""
        if self.open.startswith("\\begin{"):
            return self.open[len("\\begin{") : -1]
        return None


_FENCE_RE = re.compile(r"^(?P<indent>[ \t>]*?)(?P<fence>`{3,}|~{3,})", re.M)
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+")
_BEGIN_RE = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
# MathJax's processRefs: a bare \eqref{…} or \ref{…} in prose is typeset too.
_REF_RE = re.compile(r"\\(eqref|ref)\{[^{}\n]*\}")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line, end excluding the newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def find_code_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges of ``text`` that Markdown treats as code, where no math may start.

    Covers fenced blocks (``` and ~~~, also inside blockquotes), indented code blocks
    (four spaces or a tab after a blank line, outside lists) and code spans.
    """
    ranges: list[tuple[int, int]] = []
    lines = _line_spans(text)
    i = 0
    in_list = False
    prev_blank = True
    block_ranges: list[tuple[int, int]] = []
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        m = _FENCE_RE.match(line)
        if m and not (m.group("fence")[0] == "`" and "`" in line[m.end() :]):
            fence = m.group("fence")
            j = i + 1
            closer = re.compile(
                r"^[ \t>]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$"
            )
            while j < len(lines) and not closer.match(text[lines[j][0] : lines[j][1]]):
                j += 1
            last = min(j, len(lines) - 1)
            block_ranges.append((start, lines[last][1]))
            i = last + 1
            prev_blank = False
            continue
        stripped = line.strip()
        if not stripped:
            prev_blank = True
            i += 1
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if _LIST_ITEM_RE.match(line) and not indented:
            in_list = True
        elif not indented and prev_blank:
            in_list = False
        if indented and prev_blank and not in_list:
            j = i
            last = i
            while j < len(lines):
                seg = text[lines[j][0] : lines[j][1]]
                if seg.strip() and not (seg.startswith("    ") or seg.startswith("\t")):
                    break
                if seg.strip():
                    last = j
                j += 1
            block_ranges.append((start, lines[last][1]))
            i = last + 1
            prev_blank = False
            continue
        prev_blank = False
        i += 1
    ranges.extend(block_ranges)
    # Code spans, outside code blocks.  A run of N backticks closes at the next run of
    # exactly N backticks, within one paragraph (no blank line between).
    pos = 0
    for b_start, b_end in sorted(block_ranges) + [(len(text), len(text))]:
        ranges.extend(_code_spans(text, pos, b_start))
        pos = b_end
    return sorted(ranges)


_TICKS_RE = re.compile(r"(?<!`)(`+)(?!`)")
_BLANK_LINE_RE = re.compile(r"\n[ \t>]*\n")


def _code_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    pos = lo
    while True:
        m = _TICKS_RE.search(text, pos, hi)
        if not m:
            return spans
        if _escaped(text, m.start()):
            pos = m.end()
            continue
        ticks = m.group(1)
        closer = re.compile(r"(?<!`)" + ticks + r"(?!`)")
        c = closer.search(text, m.end(), hi)
        if c and not _BLANK_LINE_RE.search(text, m.end(), c.start()):
            spans.append((m.start(), c.end()))
            pos = c.end()
        else:
            pos = m.end()


def _escaped(text: str, i: int) -> bool:
    """True when the character at ``i`` is preceded by an odd number of backslashes."""
    n = 0
    j = i - 1
    while j >= 0 and text[j] == "\\":
        n += 1
        j -= 1
    return n % 2 == 1


def _find_unescaped(text: str, needle: str, pos: int, hi: int) -> int:
    while True:
        k = text.find(needle, pos, hi)
        if k < 0 or not _escaped(text, k):
            return k
        pos = k + 1


def _find_env_end(text: str, name: str, pos: int, hi: int) -> int:
    """Offset just past the ``\\end{name}`` matching a ``\\begin{name}`` before ``pos``."""
    begin, end = f"\\begin{{{name}}}", f"\\end{{{name}}}"
    depth = 1
    while depth:
        b = text.find(begin, pos, hi)
        e = text.find(end, pos, hi)
        if e < 0:
            return -1
        if 0 <= b < e:
            depth += 1
            pos = b + len(begin)
        else:
            depth -= 1
            pos = e + len(end)
    return pos


def _inline_dollar_end(text: str, pos: int, hi: int) -> int:
    """Offset of the closing ``$`` of inline math opened just before ``pos``, or -1."""
    if pos >= hi or text[pos] in " \t\n":
        return -1
    k = pos
    while True:
        k = _find_unescaped(text, "$", k, hi)
        if k < 0:
            return -1
        if _BLANK_LINE_RE.search(text, pos, k):
            return -1
        if k + 1 < hi and text[k + 1] == "$":
            # "$$" inside inline math cannot close it cleanly; give up on this opener.
            return -1
        if text[k - 1] not in " \t\n" and not (k + 1 < hi and text[k + 1].isdigit()):
            return k
        k += 1


def find_math(text: str, skip: list[tuple[int, int]] | None = None) -> list[MathSpan]:
    """All math spans of ``text`` in order, outside code.

    ``skip`` overrides the ranges where math may not start (default: Markdown code).
    """
    if skip is None:
        skip = find_code_ranges(text)
    spans: list[MathSpan] = []
    n = len(text)
    pos = 0
    skip_iter = iter(sorted(skip) + [(n + 1, n + 1)])
    next_skip = next(skip_iter)
    while pos < n:
        while next_skip[1] <= pos:
            next_skip = next(skip_iter)
        hi = n
        if next_skip[0] <= pos:
            pos = next_skip[1]
            continue
        k = min(
            (i for i in (text.find("$", pos), text.find("\\", pos)) if i >= 0),
            default=-1,
        )
        if k < 0:
            break
        if k >= next_skip[0]:
            pos = next_skip[1]
            continue
        span = _span_at(text, k, hi)
        if span is None:
            pos = k + 2 if text.startswith("\\\\", k) else k + 1
            continue
        spans.append(span)
        pos = span.end
    return spans


def _span_at(text: str, k: int, hi: int) -> MathSpan | None:
    if _escaped(text, k):
        return None
    if text.startswith("$$", k):
        e = _find_unescaped(text, "$$", k + 2, hi)
        if e < 0:
            return None
        return MathSpan(k, e + 2, "$$", "$$", text[k + 2 : e], True)
    if text[k] == "$":
        e = _inline_dollar_end(text, k + 1, hi)
        if e < 0:
            return None
        return MathSpan(k, e + 1, "$", "$", text[k + 1 : e], False)
    if text.startswith("\\[", k):
        e = _find_unescaped(text, "\\]", k + 2, hi)
        if e < 0:
            return None
        return MathSpan(k, e + 2, "\\[", "\\]", text[k + 2 : e], True)
    if text.startswith("\\(", k):
        e = _find_unescaped(text, "\\)", k + 2, hi)
        if e < 0 or _BLANK_LINE_RE.search(text, k, e):
            return None
        return MathSpan(k, e + 2, "\\(", "\\)", text[k + 2 : e], False)
    m = _REF_RE.match(text, k)
    if m:
        return MathSpan(k, m.end(), "", "", m.group(0), False)
    m = _BEGIN_RE.match(text, k)
    if m:
        name = m.group(1)
        e = _find_env_end(text, name, m.end(), hi)
        if e < 0:
            return None
        close = f"\\end{{{name}}}"
        return MathSpan(k, e, m.group(0), close, text[m.end() : e - len(close)], True)
    return None


# --- AMS equation numbering, as MathJax 3 does it with tags: "ams" -------------------

#: Environments numbered once as a whole (unless \notag/\nonumber; \tag replaces).
NUMBERED_WHOLE = frozenset({"equation", "multline"})
#: Environments whose rows are numbered one by one.
NUMBERED_ROWS = frozenset({"align", "gather", "eqnarray", "alignat", "flalign", "xalignat"})
_UNNUMBERED_KNOWN = frozenset({"xxalignat"})

_TAG_RE = re.compile(r"\\tag\*?\s*\{")
_LABEL_RE = re.compile(r"\\label\s*\{([^{}]*)\}")
_NOTAG_RE = re.compile(r"\\(?:notag|nonumber)(?![A-Za-z])")


@dataclass(frozen=True)
class Equation:
    """One numbered or tagged row of a display (``span`` indexes find_math's list)."""

    span: int
    row: int
    number: int | None  # the automatic number; None when tagged
    tag: str | None  # the text of \tag{…}, when given
    label: str | None
    tex: str  # the row's TeX (the whole body for equation/multline)

    @property
    def shown(self) -> str:
        """What the reader sees between the parentheses."""
        return self.tag if self.tag is not None else str(self.number)


def _braced(text: str, open_brace: int) -> str | None:
    """Contents of the brace group opening at ``open_brace``."""
    depth = 0
    for i in range(open_brace, len(text)):
        c = text[i]
        if c == "\\":
            continue
        if c == "{" and not _escaped(text, i):
            depth += 1
        elif c == "}" and not _escaped(text, i):
            depth -= 1
            if depth == 0:
                return text[open_brace + 1 : i]
    return None


def _tag_of(tex: str) -> str | None:
    m = _TAG_RE.search(tex)
    return _braced(tex, m.end() - 1) if m else None


def split_rows(body: str) -> list[str]:
    """Split an environment body at top-level ``\\\\`` (not inside braces or nested
    environments); the optional ``[7pt]`` or ``*`` after ``\\\\`` goes with the break.
    A last row holding only white space is dropped (MathJax does not number it)."""
    rows: list[str] = []
    depth = 0
    env_depth = 0
    start = 0
    i = 0
    n = len(body)
    while i < n:
        if body.startswith("\\begin{", i):
            env_depth += 1
            i += 7
            continue
        if body.startswith("\\end{", i):
            env_depth -= 1
            i += 5
            continue
        c = body[i]
        if c == "\\" and i + 1 < n:
            if body[i + 1] == "\\" and depth == 0 and env_depth == 0:
                rows.append(body[start:i])
                i += 2
                m = re.match(r"\*?\s*(\[[^\]]*\])?", body[i:])
                i += m.end() if m else 0
                start = i
                continue
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    rows.append(body[start:])
    if len(rows) > 1 and not rows[-1].strip():
        rows.pop()
    return rows


def _numbered_environment(span: MathSpan) -> tuple[str, str] | None:
    """(environment, body) when the display is a numbering environment (bare, or the
    only thing inside $$…$$ / \\[…\\])."""
    if span.environment:
        return span.environment, span.tex
    inner = span.tex.strip()
    m = _BEGIN_RE.match(inner)
    if m:
        name = m.group(1)
        end = _find_env_end(inner, name, m.end(), len(inner))
        if end == len(inner):
            return name, inner[m.end() : end - len(f"\\end{{{name}}}")]
    return None


def number_equations(spans: list[MathSpan], start: int = 1) -> list[Equation]:
    """The numbered and tagged rows of ``spans`` in order, by the AMS rules MathJax
    follows: each unstarred equation/multline once; each row of align, gather, eqnarray,
    alignat, flalign; \\notag/\\nonumber suppress; \\tag{…} shows its text without
    advancing the counter; starred environments and $$…$$ show only \\tag{…}."""
    out: list[Equation] = []
    counter = start
    for index, span in enumerate(spans):
        if not span.display:
            continue
        env = _numbered_environment(span)
        name, body = env if env else ("", span.tex)
        base = name.rstrip("*")
        starred = name.endswith("*") or not name or base in _UNNUMBERED_KNOWN
        rows = split_rows(body) if base in NUMBERED_ROWS else [body]
        numbered = base in NUMBERED_ROWS or base in NUMBERED_WHOLE
        for r, row in enumerate(rows):
            tag = _tag_of(row)
            label_m = _LABEL_RE.search(row)
            label = label_m.group(1) if label_m else None
            if tag is not None:
                out.append(Equation(index, r, None, tag, label, row))
            elif numbered and not starred and not _NOTAG_RE.search(row):
                out.append(Equation(index, r, counter, None, label, row))
                counter += 1
    return out
