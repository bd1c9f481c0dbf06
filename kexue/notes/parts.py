"""The appendix as an optional layer: each of its sections folded under its heading.

A note's free text is cut at its section headings: the first heading level used at least
twice at the top of the text (outside boxes), so a lone title such as ``## 公式推导与注释``
stays a plain heading and the sections under it fold.  Each section becomes

    <details class="deriv-part"><summary class="deriv-part-title"><h3 …>…</h3></summary>
    <div class="deriv-part-body">…</div></details>

closed by default, so the appendix reads as its list of sections; a click, Enter or Space
on a title opens it, and derivations.js keeps the open section in the URL hash (a deep
link to the heading, or to anything inside, opens it).  Only tags are inserted: every
byte of the rendered note is kept, in order.
"""

from __future__ import annotations

import re
from collections import Counter

import lxml.html

_HEADING_RE = re.compile(r"<h([1-6])\b[^>]*>.*?</h\1>", re.S | re.I)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
PART_OPEN = '<details class="deriv-part"><summary class="deriv-part-title">'
PART_BODY = '</summary><div class="deriv-part-body">'
PART_CLOSE = "</div></details>"


def _top_level(fragment: str) -> list[bool]:
    """For each heading of ``fragment`` (document order): whether it is at the top level
    (not inside a box, list or table)."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [el.getparent() is root for el in root.iter(*_HEADINGS)]


def fold_sections(fragment: str) -> str:
    """``fragment`` (one rendered note section) with its sections folded (see above)."""
    found = list(_HEADING_RE.finditer(fragment))
    if not found:
        return fragment
    top = _top_level(fragment)
    if len(top) != len(found):  # a heading the parser sees differently: leave it open
        return fragment
    heads = [(m, int(m.group(1))) for m, ok in zip(found, top, strict=True) if ok]
    counts = Counter(level for _, level in heads)
    level = next((lv for lv in sorted(counts) if counts[lv] >= 2), None)
    if level is None:
        return fragment
    out, last, open_part = [], 0, False
    for m, lv in heads:
        if lv > level:
            continue
        out.append(fragment[last : m.start()])
        if open_part:
            out.append(PART_CLOSE)
            open_part = False
        if lv == level:
            out += [PART_OPEN, m.group(0), PART_BODY]
            open_part = True
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(fragment[last:])
    if open_part:
        out.append(PART_CLOSE)
    return "".join(out)
