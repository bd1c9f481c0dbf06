"""The tests of tests/browser/test_reading_aids.py that read the built site without a browser
(the browser tier holds only tests that drive Chromium)."""

from __future__ import annotations

import re

import tests.browser.test_reading_aids as browser_tier

# the built site the browser tier's tests use (a fixture of that module)
aids_site = browser_tier.aids_site
served_aids = browser_tier.served_aids
served_legacy = browser_tier.served_legacy


def test_built_page_has_citation_description_and_notes_in_the_contents(aids_site):
    html = (aids_site / "archives" / "91101" / "index.html").read_text(encoding="utf-8")
    desc = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    # the summary's text, formulas left out, cut after a sentence
    assert desc.startswith("开头一句，含公式与一段“引号”。第二句在这里！")
    assert desc[-1] in "。！？" and "\\" not in desc and "$" not in desc
    assert "《阅读辅助测试（本站撰写）》[Blog post]" in html and "@online{kexuefm-91101," in html
    toc = re.search(r'<ol class="toc-list">.*?</ol>', html, re.S).group(0)
    assert 'href="#derivations-title"' in toc and 'href="#deriv-附录的第一部分"' in toc
    assert 'href="#deriv-附录的第一部分"' in toc  # the folded appendix's parts
    notes = html.split('<div class="post-notes">', 1)[1]
    assert '<h3 id="deriv-附录的第一部分">' in notes and '<h4 id="deriv-小节甲">' in notes
