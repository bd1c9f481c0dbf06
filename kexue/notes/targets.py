"""The places in a post a note section can attach to: its equations and headings."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from kexue.math.tex import find_code_ranges, find_math, number_equations
from kexue.notes.note import Anchor

_HEADING_MD_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$", re.M)
_NUM = r"([0-9]+(?:\.[0-9]+)*[a-z]?)"
_PAREN = r"\$?\s*[（(]\s*" + _NUM + r"\s*[)）]\s*\$?"
# 式(3), 公式（12）, 方程 (5), 恒等式$(18)$, eq. (3), Eq.(3), equation (3); then a list:
# 式(16)和(17), 式(3)、(4), 式(3)-(5).
_NAMED_RE = re.compile(
    r"(?:式|方程|[Ee]q\.|[Ee]qs\.|[Ee]quations?|[Ee]q)\s*" + _PAREN,
)
_LIST_TAIL_RE = re.compile(r"\s*(?:和|与|及|、|,|，|-|–|~|到|至|and)\s*" + _PAREN)


@dataclass(frozen=True)
class Target:
    """A place in a post a section can attach to."""

    kind: str  # "equation" | "heading"
    shown: str = ""  # equation: what the reader sees, "3" or "KL"
    number: int | None = None
    label: str | None = None
    heading: str = ""  # heading: its text as written
    level: int = 0

    @property
    def element_id(self) -> str | None:
        """The id of the post's element (kexue.math.extension's contract), if it has one."""
        if self.number is not None:
            return f"eq-{self.number}"
        return self.label

    @property
    def panel_id(self) -> str:
        if self.kind == "equation":
            return "deriv-eq-" + re.sub(r"\s+", "-", self.shown)
        return "deriv-sec-" + heading_key(self.heading)

    @property
    def caption(self) -> str:
        return f"式 ({self.shown})" if self.kind == "equation" else f"§ {self.heading}"


def named_equations(text: str) -> list[str]:
    """The equation numbers ``text`` names in prose: ``式(3)``, ``公式（12）``, ``eq. (3)``,
    ``式(16)和(17)`` (in order, repeats kept)."""
    out = []
    for m in _NAMED_RE.finditer(text):
        out.append(m.group(1))
        pos = m.end()
        while t := _LIST_TAIL_RE.match(text, pos):
            out.append(t.group(1))
            pos = t.end()
    return out


def heading_key(text: str) -> str:
    """Heading text compared loosely: no white space, emphasis or code marks."""
    return re.sub(r"[\s*`]+", "", html.unescape(text))


@dataclass
class PostTargets:
    """The equations (numbered or tagged) and headings of one post's Markdown body."""

    equations: list[Target]
    headings: list[Target]

    @classmethod
    def from_markdown(cls, body: str) -> PostTargets:
        equations = [
            Target("equation", e.shown, e.number, e.label)
            for e in number_equations(find_math(body))
        ]
        code = find_code_ranges(body)
        headings = []
        for m in _HEADING_MD_RE.finditer(body):
            if any(a <= m.start() < b for a, b in code):
                continue
            text = re.sub(r"\s*\{[^{}]*\}$", "", m.group(2))  # attribute list {#id}
            text = re.sub(r"\s+#+$", "", text).strip()  # closing hashes
            headings.append(Target("heading", heading=text, level=len(m.group(1))))
        return cls(equations, headings)

    def resolve(self, anchor: Anchor) -> Target | None:
        if anchor.kind == "equation":
            return next((t for t in self.equations if t.shown == anchor.value), None)
        if anchor.kind == "label":
            return next((t for t in self.equations if t.label == anchor.value), None)
        key = heading_key(anchor.value)
        return next((t for t in self.headings if heading_key(t.heading) == key), None)

    def candidates(self, anchor: Anchor, n: int = 3) -> list[str]:
        """The nearest existing anchors, written as a note would write them."""
        if anchor.kind == "equation" and anchor.value.isdigit():
            want = int(anchor.value)
            numbered = [t for t in self.equations if t.number is not None]
            numbered.sort(key=lambda t: (abs(t.number - want), t.number))
            return [f"({t.shown})" for t in numbered[:n]]
        written = {f"({t.shown})": t.shown for t in self.equations}
        written.update({t.label: t.label for t in self.equations if t.label})
        if anchor.kind == "heading":
            written = {f"[{t.heading}]": t.heading for t in self.headings}
        by_value = {v: w for w, v in written.items()}
        near = difflib.get_close_matches(anchor.value, list(by_value), n, 0.4)
        return [by_value[v] for v in near] or list(written)[:n]
