"""Seeded errors: the mistakes a checker must catch, made in a verified step's right side.

Three kinds, as the issue names them: a sign flipped (the first top-level ``+``/``-``, or
the whole side negated), an exponent changed (the first ``^{n}``/``^n`` with an integer
n, made n+1), a term dropped (the last top-level term of a sum).  Each returns the new
right side, or None when the side has nothing of that kind.
"""

from __future__ import annotations

import re

from kexue.steps.read import _TOKEN_RE

__all__ = ["MUTATIONS", "change_exponent", "drop_term", "flip_sign"]

_OPEN = {"{", "(", "[", "\\left"}
_CLOSE = {"}", ")", "]", "\\right"}


def _top_level_signs(toks: list[str]) -> list[int]:
    """Indices of ``+``/``-`` at depth 0 that are binary (something precedes them)."""
    out, depth = [], 0
    for k, t in enumerate(toks):
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth -= 1
        elif depth == 0 and t in "+-" and any(not x.isspace() for x in toks[:k]):
            out.append(k)
    return out


def _zero(text: str) -> bool:
    return re.fullmatch(r"\s*[+-]?\s*0(?:\.0*)?\s*", text) is not None


def flip_sign(rhs: str) -> str | None:
    """None for a side that is 0 (negating it changes nothing)."""
    if _zero(rhs):
        return None
    toks = _TOKEN_RE.findall(rhs)
    signs = _top_level_signs(toks)
    if not signs:
        return f"-\\left({rhs}\\right)"
    k = signs[0]
    toks[k] = "-" if toks[k] == "+" else "+"
    return "".join(toks)


def change_exponent(rhs: str) -> str | None:
    m = re.search(r"\^\s*\{\s*(-?\d+)\s*\}|\^\s*(\d)", rhs)
    if not m:
        return None
    n = int(m.group(1) or m.group(2))
    return rhs[: m.start()] + f"^{{{n + 1}}}" + rhs[m.end() :]


def drop_term(rhs: str) -> str | None:
    toks = _TOKEN_RE.findall(rhs)
    signs = _top_level_signs(toks)
    if not signs or _zero("".join(toks[signs[-1] :])):
        return None  # nothing to drop, or the term is 0
    return "".join(toks[: signs[-1]]).strip() or None


MUTATIONS = {"sign flipped": flip_sign, "exponent changed": change_exponent,
             "term dropped": drop_term}  # fmt: skip
