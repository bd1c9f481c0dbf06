"""The output folder's layout: every path under output/ that the build, the checks, the
theme's templates (``KEXUE_OUTPUT``, :func:`for_templates`) or its scripts (the search
contract) name, here.  Paths are relative to the output folder, with ``/``."""

from __future__ import annotations

#: The theme's static files (Pelican's THEME_STATIC_DIR).
THEME = "theme"
THEME_MAIN_CSS = f"{THEME}/css/main.css"
#: Front-end files copied from node_modules (kexue.site.assets).
VENDOR = "vendor"
#: The browser's MathJax 3, for formulas not typeset at build time.
MATHJAX3 = f"{VENDOR}/mathjax"
MATHJAX3_SCRIPT = f"{MATHJAX3}/tex-chtml.js"
MATHJAX3_FONTS = f"{MATHJAX3}/output/chtml/fonts/woff-v2"
#: Build-time typesetting (MathJax 4): its base stylesheet and fonts.
MATHJAX4 = f"{VENDOR}/mathjax4"
MATHJAX4_STYLESHEET = f"{MATHJAX4}/chtml.css"
#: The figures' bundle (kexue.figures.bundle).
FIGURES = "figures"
#: The search: Pagefind's bundle, the post list, and the contract module (in THEME).
PAGEFIND = "pagefind"
PAGEFIND_SCRIPT = f"{PAGEFIND}/pagefind.js"
SEARCH = "search"
SEARCH_POSTS = f"{SEARCH}/posts.json"
SEARCH_CONTRACT = f"{SEARCH}/contract.js"  # under THEME
#: The folders the steps after Pelican write (a build's pruning leaves them alone).
OWN_FOLDERS = frozenset({THEME, VENDOR, FIGURES, PAGEFIND, SEARCH})


def for_templates() -> dict[str, str]:
    """The paths the templates use, by name (the ``KEXUE_OUTPUT`` setting)."""
    return {
        "mathjax3_script": MATHJAX3_SCRIPT,
        "mathjax3_fonts": MATHJAX3_FONTS,
        "figures": FIGURES,
        "search_contract": SEARCH_CONTRACT,
    }
