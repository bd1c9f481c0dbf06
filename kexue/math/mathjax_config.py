"""The MathJax configuration, one source for both MathJaxes: the browser's (MathJax 3,
theme/static/js/mathjax-config.js, for formulas left to it) and the build's worker
(MathJax 4, tools/prerender-math.mjs).  :func:`config_json` is given to the worker as an
argument (and keys its cache) and to the browser on its script tag
(theme/templates/partials/math_head.html, the ``KEXUE_MATHJAX_CONFIG`` setting).

What each side adds is only what its MathJax version names differently (MathJax 3's
``preLoad`` and ``SymbolMap``, MathJax 4's ``preLoaded`` and ``TokenMap``) and what only
one side does (the browser finds the formulas in the page; the worker writes CSS)."""

from __future__ import annotations

import json
from pathlib import Path

from kexue.math import element
from kexue.math.macros import load_macros

TEX = {
    # The delimiters the source site's MathJax 2 used (kexue.math.tex.find_math finds the same).
    "inlineMath": [["$", "$"], ["\\(", "\\)"]],
    "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
    "processEnvironments": True,
    "processRefs": True,
    # AMS numbering, with \label names as the ids (kexue.math.tex.number_equations follows it).
    "tags": "ams",
    "useLabelIds": True,
    # MathJax 2's \color{c}{x} colours only x: colorv2, not color.  Without noundefined an
    # unknown macro is a MathJax error (reported by `invoke check`), not a quietly red name.
    # MathJax 4 adds textmacros (\text{a_b} an error); MathJax 2 and 3 show it as written
    # (MathJax 3 does not load it: removing it there changes nothing).  kexue-setcounter:
    # the source site's \setCounter{N}, defined by each side's startup.
    "packages": {
        "[-]": ["color", "noundefined", "textmacros"],
        # html and kexue-safe: \href, \class, \cssId, \style, \data as
        # theme/static/js/mathjax-safe.js filters them (kexue-safe's own \class, \cssId
        # and \data come after html's).
        "[+]": ["colorv2", "kexue-setcounter", "html", "kexue-safe"],
    },
    "autoload": {"color": [], "colorv2": ["color"]},
}
#: Extensions to load before startup.
LOAD = ["[tex]/colorv2", "[tex]/html", "ui/safe"]
#: MathJax 2's names in \require{…}: AMSmath and AMSsymbols are the ams package (loaded),
#: AMScd is amscd (autoloaded by \begin{CD}); marked loaded, else MathJax looks for files
#: that do not exist and stops typesetting the page.
REQUIRE_ALIASES = ["[tex]/AMSmath", "[tex]/AMSsymbols", "[tex]/AMScd"]


def mathjax_config(macros: Path | None = None) -> dict:
    """The shared configuration, with the macros every page defines (data/tex-macros.toml)."""
    return {
        "tex": {**TEX, "macros": load_macros(macros)},
        "load": LOAD,
        "requireAliases": REQUIRE_ALIASES,
        # Only math elements are typeset, so a "$" in prose or code is never taken for math.
        "processHtmlClass": element.CLASS,
        "ignoreHtmlClass": element.IGNORE_CLASS,
    }


def config_json(macros: Path | None = None) -> str:
    return json.dumps(mathjax_config(macros), ensure_ascii=False, sort_keys=True)
