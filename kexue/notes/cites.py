"""Appendix sections that cite the post's equations, linked both ways.

A folded section of the appendix (kexue.notes.parts) that names one of the post's
equations (``式(3)``, ``\\eqref{eq:x}``) gets an id, ``deriv-part-K``, and a line
原文：式 (3) linking to the equation; at the equation the post gets a line 注释：§ 标题
linking to the section (derivations.js opens it).  Only links are added.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kexue.notes.targets import PostTargets, Target, named_equations

_PART_RE = re.compile(
    r'<details class="deriv-part([^"]*)"><summary class="deriv-part-title">(.*?)</summary>'
    r'<div class="deriv-part-body">',
    re.S,
)
_TAG_RE = re.compile(r"<[^>]+>")
_EQREF_RE = re.compile(r"\\(?:eq)?ref\{([^{}\n]+)\}")
MAX_CITED = 6  # equations linked from one section: more is a survey, not a citation


@dataclass(frozen=True)
class Cite:
    target: Target
    part_id: str
    title: str


def _cited(text: str, targets: PostTargets) -> list[Target]:
    by_label = {t.label: t for t in targets.equations if t.label}
    by_shown = {t.shown: t for t in targets.equations}
    found = [by_label[x] for x in _EQREF_RE.findall(text) if x in by_label]
    found += [by_shown[n] for n in named_equations(text) if n in by_shown]
    unique = list(dict.fromkeys(t for t in found if t.element_id))
    return unique if len(unique) <= MAX_CITED else []


def link_parts(appendix: str, targets: PostTargets) -> tuple[str, list[Cite]]:
    """The appendix with an id on each section and a link back to each equation it
    cites; and the citations, for the links at the equations."""
    found = list(_PART_RE.finditer(appendix))
    out, cites, last = [], [], 0
    for k, m in enumerate(found, 1):
        end = found[k].start() if k < len(found) else len(appendix)
        text = html.unescape(_TAG_RE.sub(" ", appendix[m.end() : end]))
        cited = _cited(text, targets)
        part_id = f"deriv-part-{k}"
        out.append(appendix[last : m.start()])
        out.append(
            m.group(0).replace(
                f'class="deriv-part{m.group(1)}"',
                f'class="deriv-part{m.group(1)}" id="{part_id}"',
                1,
            )
        )
        if cited:
            links = "、".join(
                f'<a href="#{html.escape(t.element_id)}">式 ({html.escape(t.shown)})</a>'
                for t in cited
            )
            out.append(f'<p class="deriv-cited">原文：{links}</p>')
        title = html.unescape(_TAG_RE.sub("", m.group(2))).strip()
        cites += [Cite(t, part_id, title) for t in cited]
        last = m.end()
    out.append(appendix[last:])
    return "".join(out), cites


def cite_html(cites: list[Cite]) -> str:
    """The line at an equation: 注释：§ 标题 for each appendix section citing it."""
    links = "；".join(f'<a href="#{c.part_id}">§ {html.escape(c.title[:40])}</a>' for c in cites)
    return f'\n<p class="deriv-cites">注释：{links}</p>\n'
