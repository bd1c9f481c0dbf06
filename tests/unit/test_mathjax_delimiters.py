"""The delimiters MathJax is configured with (kexue/math/mathjax_config.py) are the ones
kexue.math.tex.find_math finds: what the build protects and numbers, MathJax typesets."""

from __future__ import annotations

from kexue.math.mathjax_config import TEX
from kexue.math.tex import find_math


def test_each_configured_delimiter_pair_is_found_as_math():
    for key, display in (("inlineMath", False), ("displayMath", True)):
        for left, right in TEX[key]:
            text = f"前 {left}x+1{right} 后"
            [span] = find_math(text)
            assert span.source == f"{left}x+1{right}" and span.display is display, left
