"""The tests of tests/browser/test_legacy_math.py that read the built site without a browser
(the browser tier holds only tests that drive Chromium)."""

from __future__ import annotations

from collections import Counter

import tests.browser.test_legacy_math as browser_tier
from kexue.math.element import page_math
from kexue.math.extension import body_offset
from kexue.math.tex import find_math
from tests.browser.test_legacy_math import post_html

# the built site the browser tier's tests use (a fixture of that module)
legacy_site = browser_tier.legacy_site


def test_every_post_has_its_tex_byte_for_byte(legacy_site):
    content, out = legacy_site
    posts = sorted((content / "posts").glob("*.md"))
    assert len(posts) > 300
    altered = {}
    spans = 0
    for path in posts:
        text = path.read_text(encoding="utf-8")
        if "\nStatus: draft\n" in text.split("\n\n", 1)[0] + "\n":
            continue  # no text: not published (kexue.legacy.importer)
        source = Counter(s.source for s in find_math(text[body_offset(text) :]))
        html = (out / "archives" / path.stem / "index.html").read_text(encoding="utf-8")
        page = Counter(tex for _, tex in page_math(post_html(html)))
        spans += sum(source.values())
        if source != page:
            altered[path.stem] = (list((source - page).elements())[:3], list(page - source)[:3])
    assert not altered, f"{len(altered)} posts with altered TeX (source, page): {altered}"
    assert spans > 10_000
