"""How build-time math is laid out for readers (issue 27): the math font's scale, the
widths displays are broken at, and the page CSS that chooses a display's form.

The text's Latin letters (the theme's sans-serif stack) have an x-height of about 0.54 em,
MathJax's New Computer Modern 0.442 em: math is drawn at :data:`MATH_SCALE` times the text
size so the two match (tests/browser/test_readers.py measures it).  A display is broken
into lines at the desktop column (:data:`WIDE_PX` at :data:`WIDE_TEXT_PX` text) and, when
wider than the phone column, typeset a second time broken at :data:`NARROW_PX` (the phone
column less the padding of a box, a quote or a note).  The page chooses by container
queries on the display (``container-type: inline-size`` in theme/static/css/math.css):

- ``kx-bN``: the narrow form is shown while the display is narrower than N em (the wide
  form's width in text em); the wide form keeps only its MathML, for screen readers;
- ``kx-tN``: while the display is narrower than N em (the width of the form shown), that
  form could not be broken to fit: it is drawn smaller to fit, down to
  :data:`MIN_SHRINK` of its size, and scrolls inside the display beyond that; its
  equation numbers move under it (``.eq-tags-under``), so they stay in view.
"""

from __future__ import annotations

import json
import math

#: Math font size over the text's (x-heights 0.54 / 0.442).
MATH_SCALE = 1.22
#: The desktop text column and its text size (main.css: --text-width, .post-body 1.03rem).
WIDE_PX, WIDE_TEXT_PX = 704, 16.48
#: The narrowest phone column a display sits in (360 px less the page's and a box's
#: padding) and the phone text size.
NARROW_PX, NARROW_TEXT_PX = 288, 16


#: A form wider than its display is drawn smaller to fit, down to this much of its size;
#: beyond that it scrolls.
MIN_SHRINK = 0.85


def widths_em() -> dict[str, float]:
    """The widths displays are broken at, in math em (the worker's layout argument)."""
    return {
        "wide": round(WIDE_PX / (WIDE_TEXT_PX * MATH_SCALE), 3),
        "narrow": round(NARROW_PX / (NARROW_TEXT_PX * MATH_SCALE), 3),
    }


def layout_json() -> str:
    return json.dumps(widths_em(), sort_keys=True)


def text_em(width: float) -> int:
    """A width in math em as whole text em, rounded up (a container-query bucket)."""
    return math.ceil(width * MATH_SCALE - 1e-6)


def scale_rule() -> str:
    """The page rule that draws build-time math at the text's x-height."""
    return f".mjx-server mjx-container[jax]{{font-size:{MATH_SCALE * 100:g}%}}"


def bucket_rules(breaks: set[int], tags: set[int]) -> str:
    """The container queries for the buckets a page uses (see the module docstring)."""
    rules = []
    for n in sorted(breaks | tags):
        inner = ""
        if n in breaks:
            inner += (
                f".kx-b{n}>.kx-full>mjx-math{{display:none}}"
                f".kx-b{n}>.kx-full{{min-width:0!important;height:0;margin:0!important;"
                "overflow:hidden}"
                f".kx-b{n}>.kx-narrow{{display:block!important}}"
            )
        if n in tags:
            inner += (
                f".kx-t{n} mjx-labels{{display:none}}.kx-t{n}>.eq-tags-under{{display:block}}"
                f".math.kx-t{n}>mjx-container[jax]{{font-size:max({MATH_SCALE * MIN_SHRINK:.3f}em,"
                f"{MATH_SCALE * 100:g}cqi/{n})}}"
            )
        rules.append(f"@container (width < {n}em){{{inner}}}")
    return "".join(rules)
