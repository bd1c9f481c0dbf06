"""The tests of tests/browser/test_math_browser.py that read the built site without a browser
(the browser tier holds only tests that drive Chromium)."""

from __future__ import annotations

import re

import tests.browser.test_math_browser as browser_tier
from kexue.math.checks import built_problems, check_math_pages
from kexue.math.element import page_math
from kexue.math.tex import find_math
from kexue.site.checks import CHECKS
from tests.browser.test_math_browser import DRAWN

# the built site the browser tier's tests use (a fixture of that module)
math_site = browser_tier.math_site
served_math_site = browser_tier.served_math_site


def test_the_build_draws_the_numbers_it_computed(math_site):
    html = (math_site[1] / "archives" / "91001" / "index.html").read_text(encoding="utf-8")
    assert built_problems(html) == []
    drawn = [t for m in re.findall(r'data-mjx-tags="([^"]*)"', html) for t in m.split("|")]
    assert drawn == DRAWN
    assert "tex-chtml.js" not in html  # no client MathJax on a page typeset at build time


def test_invoke_check_lists_the_math_check():
    assert check_math_pages in [c for _, c in CHECKS]


def test_page_tex_equals_source_tex(math_site):
    content, out = math_site
    for post in ("91001", "91002"):
        text = (content / "samples" / f"{post}.md").read_text(encoding="utf-8")
        body = text[text.index("\n\n") :]
        html = (out / "archives" / post / "index.html").read_text(encoding="utf-8")
        assert [t for _, t in page_math(html)] == [s.source for s in find_math(body)]
        assert not re.search("\ue000|kxm", html)
