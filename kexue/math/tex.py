"""Find TeX spans in Markdown text, the way the source site's MathJax finds them.

The source site (MathJax 2, ``tex2jax``) treats as math: inline ``$…$`` and ``\\(…\\)``,
display ``$$…$$`` and ``\\[…\\]``, and bare ``\\begin{env}…\\end{env}`` environments
(``processEnvironments``).  This module finds those spans in Markdown source text while
skipping code (fenced blocks, indented blocks, code spans), so that callers can lift
them out before any Markdown or HTML processing and put them back byte for byte.

The TeX of a span is what the author wrote: a multi-line formula inside a blockquote or a
list item carries Markdown's container markers on its continuation lines ("> ", the
item's indentation); those are not TeX, and :attr:`MathSpan.tex` leaves them out.  The
page shows exactly ``MathSpan.source``, and every comparison of "TeX in the source" with
"TeX on the page" uses it.

Inline ``$`` pairs as in MathJax (the next ``$`` outside braces; authors do write
``$ > $`` and ``$\\alpha_t $``), with two rules to keep prose intact:

* a ``$`` followed by a digit never closes inline math, and the ``$`` it would have
  closed opens none (so "花了 $5 和 $10" holds no math);
* a ``$`` followed by a digit opens no math when the would-be formula holds Chinese
  text outside ``\\text{…}`` ("共 $5，而 $x$ 是" holds only ``$x$``);
* a dollar preceded by an odd number of backslashes is a literal dollar.

Nothing here imports Pelican or Markdown.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kexue.core import cjk

__all__ = [
    "Equation",
    "MathSpan",
    "container_prefix",
    "find_code_ranges",
    "find_math",
    "number_equations",
    "strip_containers",
]


@dataclass(frozen=True)
class MathSpan:
    """One math span in a text: ``text[start:end]`` is ``open + tex + close``, except
    that inside a blockquote or list item its continuation lines also carry Markdown's
    container markers ("> ", the item's indentation), which are not part of ``tex``."""

    start: int
    end: int
    open: str
    close: str
    tex: str
    display: bool

    @property
    def source(self) -> str:
        """The span as the author wrote it, delimiters included: what reaches the page."""
        return self.open + self.tex + self.close

    @property
    def environment(self) -> str | None:
        """The environment name of a bare ``\\begin{…}`` span, else None."""
        if self.open.startswith("\\begin{"):
            return self.open[len("\\begin{") : -1]
        return None


_FENCE_RE = re.compile(r"^(?P<indent>[ \t>]*?)(?P<fence>`{3,}|~{3,})", re.M)
_LIST_ITEM_RE = re.compile(r"^(?:[-+*]|\d+[.)])(?:[ \t]+|$)")
# Blockquote markers at the start of a line, as Python-Markdown strips them ("> " or ">").
_QUOTE_RE = re.compile(r"(?:[ ]{0,3}>[ ]?)*")
_BEGIN_RE = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
# MathJax's processRefs: a bare \eqref{…} or \ref{…} in prose is typeset too.
_REF_RE = re.compile(r"\\(eqref|ref)\{[^{}\n]*\}")
_TICKS_RE = re.compile(r"(?<!`)(`+)(?!`)")
_BLANK_LINE_RE = re.compile(r"\n[ \t>]*\n")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line, end excluding the newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _indented(body: str) -> bool:
    return body.startswith("    ") or body.startswith("\t")


def _fence_end(text: str, lines: list[tuple[int, int]], i: int, fence: str) -> int:
    """Index of the line closing the fence opened on line ``i`` (the last line if none)."""
    closer = re.compile(r"^[ \t>]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
    j = i + 1
    while j < len(lines) and not closer.match(text[lines[j][0] : lines[j][1]]):
        j += 1
    return min(j, len(lines) - 1)


def _fence_at(line: str) -> str | None:
    m = _FENCE_RE.match(line)
    if m and not (m.group("fence")[0] == "`" and "`" in line[m.end() :]):
        return m.group("fence")
    return None


def _scan(  # noqa: C901 (one pass of a scanner: the states read best together)
    text: str, skip: list[tuple[int, int]] = ()
) -> tuple[list[MathSpan], list[tuple[int, int]]]:
    """One pass over ``text`` in reading order: (math spans, code ranges).

    Block structure is read line by line: fenced code (also inside blockquotes and list
    items), indented code (four spaces or a tab after a blank line, outside lists, also
    inside blockquotes).  Within a line, whichever comes first wins: a code span (then no
    math starts inside it) or a math span (then the lines it covers are math, whatever
    they look like: a blank line followed by an indented line inside ``$$`` is not code).
    A math span never runs into a fenced code block.
    """
    lines = _line_spans(text)
    n = len(text)
    fences = [lines[i][0] for i in range(len(lines)) if _fence_at(text[slice(*lines[i])])]
    spans: list[MathSpan] = []
    code: list[tuple[int, int]] = []
    skip = sorted(skip)
    resume = 0  # text before this offset is already consumed by a span
    in_list = False
    prev_blank = True
    i = 0
    while i < len(lines):
        start, end = lines[i]
        if end < resume:  # a line wholly inside a multi-line span
            prev_blank = False
            i += 1
            continue
        pos = max(start, resume)
        if pos == start:
            line = text[start:end]
            fence = _fence_at(line)
            if fence:
                last = _fence_end(text, lines, i, fence)
                code.append((start, lines[last][1]))
                i = last + 1
                prev_blank = False
                continue
            body = line[_QUOTE_RE.match(line).end() :]
            if not body.strip():
                prev_blank = True
                i += 1
                continue
            if _LIST_ITEM_RE.match(body):
                in_list = True
            elif not _indented(body) and prev_blank:
                in_list = False
            if _indented(body) and prev_blank and not in_list:
                last = j = i
                while j < len(lines):
                    seg = text[slice(*lines[j])]
                    seg = seg[_QUOTE_RE.match(seg).end() :]
                    if seg.strip() and not _indented(seg):
                        break
                    if seg.strip():
                        last = j
                    j += 1
                code.append((start, lines[last][1]))
                i = last + 1
                prev_blank = False
                continue
        prev_blank = False
        pos = _scan_line(text, pos, end, n, fences, skip, spans, code)
        if pos > end:
            resume = pos
            # continue with the line holding the end of the span
            while i < len(lines) and lines[i][1] < pos:
                i += 1
            continue
        i += 1
    return spans, code


def _scan_line(text, pos, end, n, fences, skip, spans, code) -> int:
    """Find code spans and math spans starting in ``text[pos:end]``; return where the
    scan stopped (past ``end`` when a span runs over several lines)."""
    while pos < end:
        k = min(
            (i for i in (text.find("$", pos, end), text.find("\\", pos, end)) if i >= 0),
            default=end,
        )
        t = text.find("`", pos, k)
        if t >= 0:
            c = _code_span_end(text, t, n)
            if c is None:
                pos = t + len(_TICKS_RE.match(text, t).group(1))
                continue
            code.append((t, c))
            pos = c
            if c > end:
                return c
            continue
        if k >= end:
            return end
        hit = next(((a, b) for a, b in skip if a <= k < b), None)
        if hit:
            pos = hit[1]
            if pos > end:
                return pos
            continue
        hi = next((f for f in fences if f > k), n)
        span = _span_at(text, k, hi)
        if span is None:
            pos = k + 2 if text.startswith("\\\\", k) else k + 1
            continue
        spans.append(_without_containers(text, span))
        pos = span.end
        if pos > end:
            return pos
    return end


def _code_span_end(text: str, t: int, n: int) -> int | None:
    """End of the code span opening at ``t``: a run of N backticks closes at the next run
    of exactly N backticks in the same paragraph.  None when it does not close."""
    if _escaped(text, t):
        return None
    ticks = _TICKS_RE.match(text, t).group(1)
    c = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, t + len(ticks), n)
    if c and not _BLANK_LINE_RE.search(text, t, c.start()):
        return c.end()
    return None


def container_prefix(text: str, pos: int) -> tuple[int, int]:
    """The Markdown container of the line holding ``pos``: (blockquote depth, indent).

    The indent is the width of the content's left edge after the blockquote markers: the
    list marker and its spaces on a list-item line, else the line's leading spaces.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos]
    quote = _QUOTE_RE.match(line)
    depth = quote.group(0).count(">")
    body = line[quote.end() :]
    return depth, re.match(r"[ ]*(?:(?:[-+*]|\d+[.)])[ ]+)?", body).end()


def strip_containers(tex: str, depth: int, indent: int) -> str:
    """``tex`` without the container markers on its continuation lines: up to ``depth``
    blockquote markers ("> " or ">") and then up to ``indent`` leading spaces.  These are
    Markdown's, not the author's TeX (the first line starts after them already)."""
    if "\n" not in tex or not (depth or indent):
        return tex
    first, *rest = tex.split("\n")
    out = [first]
    quote = re.compile(r"[ ]{0,3}>[ ]?")
    spaces = re.compile(" {0," + str(indent) + "}")
    for line in rest:
        for _ in range(depth):
            m = quote.match(line)
            if not m:
                break
            line = line[m.end() :]
        out.append(line[spaces.match(line).end() :])
    return "\n".join(out)


def _without_containers(text: str, span: MathSpan) -> MathSpan:
    if "\n" not in span.tex:
        return span
    depth, indent = container_prefix(text, span.start)
    tex = strip_containers(span.tex, depth, indent)
    if tex == span.tex:
        return span
    return MathSpan(span.start, span.end, span.open, span.close, tex, span.display)


def find_code_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges of ``text`` that Markdown treats as code, where no math may start.

    Covers fenced blocks (``` and ~~~, also inside blockquotes), indented code blocks
    (four spaces or a tab after a blank line, outside lists) and code spans; lines inside
    a math span are never code.
    """
    return sorted(_scan_once(text, ())[1])


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


_CJK_RE = re.compile(f"[{cjk.PROSE}]")
_TEXT_CMD_RE = re.compile(r"\\(?:text|mbox|hbox|mathrm|operatorname)")


def _is_prose(tex: str) -> bool:
    """Chinese text or full-width punctuation outside \\text{…}: not a formula."""
    return bool(_CJK_RE.search(tex)) and not _TEXT_CMD_RE.search(tex)


def _inline_dollar_end(text: str, pos: int, hi: int) -> int:  # noqa: C901 (a scanner: MathJax's pairing rules read best together)
    """Offset of the closing ``$`` of inline math opened just before ``pos``, or -1.

    As MathJax pairs them: the next unescaped ``$`` outside braces, within the paragraph.
    When braces never balance, the first ``$`` that could close does (MathJax would find
    no formula there, and `invoke check` says so, rather than leaving a stray ``$``).
    Against money ("花了 $5 和 $10"): a ``$`` followed by a digit does not close.
    """
    depth = 0
    fallback = -1
    k = pos
    while k < hi:
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == "\n" and _BLANK_LINE_RE.match(text, k):
            break
        elif c == "$":
            closes = not (k == pos or text.startswith("$", k + 1) or text[k + 1 : k + 2].isdigit())
            if not depth:
                if not closes:
                    return -1  # "$$" cannot close inline math; "$5" is money
                if text[pos].isdigit() and _is_prose(text[pos:k]):
                    return -1  # "共 $5，而 $x$": money, then math
                return k
            if closes and fallback < 0:
                fallback = k
        k += 1
    if fallback >= 0 and not (text[pos].isdigit() and _is_prose(text[pos:fallback])):
        return fallback
    return -1


def find_math(text: str, skip: list[tuple[int, int]] | None = None) -> list[MathSpan]:
    """All math spans of ``text`` in order, outside Markdown code.

    ``skip`` adds ranges where math may not start.  A span's ``tex`` is what the author
    wrote: on its continuation lines, the markers of the blockquote or list item holding
    it are not part of it (:func:`strip_containers`).
    """
    return list(_scan_once(text, tuple(sorted(skip or ())))[0])


@functools.lru_cache(maxsize=4)
def _scan_once(text: str, skip: tuple[tuple[int, int], ...]):
    """_scan, remembered for the last few texts: callers often ask for a text's math
    and then its code ranges (kexue.notes.PostTargets), which is one scan."""
    return _scan(text, list(skip))


def _span_at(text: str, k: int, hi: int) -> MathSpan | None:  # noqa: C901 (a scanner: one case per delimiter)
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
_SETCOUNTER_RE = re.compile(r"\\setCounter\s*\{\s*(\d+)\s*\}")
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


def number_equations(
    spans: list[MathSpan], start: int = 1, before: list[int] | None = None
) -> list[Equation]:
    """The numbered and tagged rows of ``spans`` in order, by the AMS rules MathJax
    follows: each unstarred equation/multline once; each row of align, gather, eqnarray,
    alignat, flalign; \\notag/\\nonumber suppress; \\tag{…} shows its text without
    advancing the counter; starred environments and $$…$$ show only \\tag{…}.  An inline
    span holding a whole numbered environment (``$\\begin{equation}…\\end{equation}$``) is
    numbered too, as MathJax does; ``\\setCounter{N}`` (the source site's macro, see
    mathjax-config.js) makes the next number N+1.  ``before``, when given, receives for
    each span the last number used before it (MathJax's equation counter there)."""
    out: list[Equation] = []
    counter = start
    for index, span in enumerate(spans):
        if before is not None:
            before.append(counter - 1)
        for m in _SETCOUNTER_RE.finditer(span.tex):
            counter = int(m.group(1)) + 1
        r = 0
        for name, body in _numbering_units(span):
            base = name.rstrip("*")
            starred = name.endswith("*") or not name or base in _UNNUMBERED_KNOWN
            rows = split_rows(body) if base in NUMBERED_ROWS else [body]
            numbered = base in NUMBERED_ROWS or base in NUMBERED_WHOLE
            for row in rows:
                tag = _tag_of(row)
                label_m = _LABEL_RE.search(row)
                label = label_m.group(1) if label_m else None
                if tag is not None:
                    out.append(Equation(index, r, None, tag, label, row))
                elif numbered and not starred and not _NOTAG_RE.search(row):
                    out.append(Equation(index, r, counter, None, label, row))
                    counter += 1
                r += 1
    return out


def _numbering_units(span: MathSpan) -> list[tuple[str, str]]:
    """(environment, body) pieces of a span that MathJax numbers: the span's own
    environment; else numbered environments inside it (MathJax numbers an equation even
    inside inline math); else, for display math, the whole (for a \\tag)."""
    env = _numbered_environment(span)
    if env:
        return [env]
    inner = []
    pos = 0
    tex = span.tex
    while m := _BEGIN_RE.search(tex, pos):
        name = m.group(1)
        end = _find_env_end(tex, name, m.end(), len(tex))
        if end < 0:
            break
        if name.rstrip("*") in NUMBERED_ROWS | NUMBERED_WHOLE:
            inner.append((name, tex[m.end() : end - len(f"\\end{{{name}}}")]))
            pos = end
        else:
            pos = m.end()
    if inner:
        return inner
    return [("", tex)] if span.display else []
