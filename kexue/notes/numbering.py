"""A note's equation numbers: their own series, never one the post shows.

A note is shown on the post's page, so its numbered displays would otherwise continue,
or repeat, the post's numbers: one page showing two "(3)", and ``\\eqref``, deep links
and previews pointing at the wrong one.  Before a section is rendered its TeX is
rewritten (the note file is not):

- every numbered row (an unstarred ``equation``, each row of ``align``…) gets a ``\\tag``
  in the section's series: ``N.1, N.2…`` in a panel under the post's equation (N), ``A1,
  A2…`` (one series per note) elsewhere -- in heading panels and the appendix;
- a row the author tagged keeps the tag unless the post shows the same number, or the
  note used it already; then it is numbered in the series;
- ``\\label{L}`` becomes ``\\label{note:L}`` (its id ``note:L`` never meets the post's ids)
  and ``\\eqref{L}`` / ``\\ref{L}`` point at the note's own ``note:L`` when the note
  defines ``L``, else at the post's equation.

A tagged row does not advance MathJax's counter (kexue.math.tex.number_equations), so the
post's own numbers stay what the source site shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kexue.math.tex import _LABEL_RE, _TAG_RE, Equation, _braced, find_math, number_equations

LABEL_PREFIX = "note:"
_REF_RE = re.compile(r"\\(eqref|ref)\s*\{([^{}]*)\}")
_NUMBERED_BEGIN_RE = re.compile(
    r"\s*\\begin\s*\{(?:equation|align|gather|multline|eqnarray|alignat|flalign|xalignat)\*?\}"
)


@dataclass
class NoteNumbers:
    """The numbering state of one note on one page."""

    post_shown: set[str]  # what the post's equations show: never reused
    labels: set[str] = field(default_factory=set)  # the note's own \label names
    used: set[str] = field(default_factory=set)  # tags this note shows already
    appendix: int = 0  # the last A-number given
    under: dict[str, int] = field(default_factory=dict)  # last k of N.k, by N
    renumbered: list[tuple[str, str]] = field(default_factory=list)  # (written, shown)

    @classmethod
    def for_note(cls, post_shown: Iterable[str], bodies: Iterable[str]) -> NoteNumbers:
        labels = set()
        for body in bodies:
            labels |= {e.label for e in number_equations(find_math(body)) if e.label}
        return cls(set(post_shown), labels)

    def next_tag(self, under: str | None) -> str:
        while True:
            if under is not None:
                k = self.under[under] = self.under.get(under, 0) + 1
                tag = f"{under}.{k}"
            else:
                self.appendix += 1
                tag = f"A{self.appendix}"
            if tag not in self.post_shown and tag not in self.used:
                return tag

    def tag_for(self, eq: Equation, under: str | None) -> str:
        """What ``eq`` shows in the note: its own tag when free, else the series' next."""
        if eq.tag is not None and eq.tag.strip() and eq.tag not in self.post_shown:
            if eq.tag not in self.used:
                return eq.tag
        tag = self.next_tag(under)
        self.renumbered.append((eq.shown, tag))
        return tag

    def rewrite(self, body: str, under: str | None = None) -> str:
        """``body`` (a section's Markdown) with its equations numbered in the note's series
        (``under``: the post's equation the section is shown under, if any) and its labels
        and references namespaced."""
        spans = find_math(body)
        by_span: dict[int, list[Equation]] = {}
        for eq in number_equations(spans):
            by_span.setdefault(eq.span, []).append(eq)
        out, pos = [], 0
        for index, span in enumerate(spans):
            source = body[span.start : span.end]
            # the rows are in the TeX (after $$ or \[), inside a numbering environment
            cursor = 0 if span.environment or not span.tex else max(source.find(span.tex), 0)
            begin = _NUMBERED_BEGIN_RE.match(source, cursor)  # rows are inside it
            cursor = begin.end() if begin else cursor
            for eq in by_span.get(index, []):
                tag = self.tag_for(eq, under)
                self.used.add(tag)
                source, cursor = _retag(source, cursor, eq, tag)
            out += [body[pos : span.start], self._namespaced(source)]
            pos = span.end
        out.append(body[pos:])
        return "".join(out)

    def _namespaced(self, tex: str) -> str:
        if not self.labels:
            return tex
        tex = _LABEL_RE.sub(
            lambda m: (
                f"\\label{{{LABEL_PREFIX}{m.group(1)}}}"
                if m.group(1) in self.labels
                else m.group(0)
            ),
            tex,
        )
        return _REF_RE.sub(
            lambda m: (
                f"\\{m.group(1)}{{{LABEL_PREFIX}{m.group(2)}}}"
                if m.group(2) in self.labels
                else m.group(0)
            ),
            tex,
        )


def _retag(source: str, cursor: int, eq: Equation, tag: str) -> tuple[str, int]:
    """``source`` (a span as written) with ``eq``'s row, the first at or after ``cursor``,
    showing ``tag``: its ``\\tag{…}`` replaced, or a ``\\tag{…}`` added at the end of the
    row; and where the row now ends.  A row inside a list or quote is found with its
    container's indentation; one that cannot be found is left as it is."""
    row = eq.tex
    if not row.strip():
        return source, cursor
    at = source.find(row, cursor)
    if at < 0:  # inside a list or quote: the row's lines carry the container's indentation
        pattern = r"\n[ \t>]*".join(re.escape(line) for line in row.split("\n"))
        m = re.compile(pattern).search(source, cursor)
        if m is None:
            return source, cursor
        at, row = m.start(), m.group(0)
    m = _TAG_RE.search(row)
    if m:
        inner = _braced(row, m.end() - 1)
        if inner is None:
            return source, cursor
        new_row = f"{row[: m.start()]}\\tag{{{tag}}}{row[m.end() + len(inner) + 1 :]}"
    else:
        stripped = row.rstrip()
        new_row = f"{stripped} \\tag{{{tag}}}{row[len(stripped) :]}"
    return source[:at] + new_row + source[at + len(row) :], at + len(new_row)
