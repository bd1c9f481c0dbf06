"""Sample pages in headless Chromium: math typeset at build time, fonts from our origin,
nothing else."""

from __future__ import annotations


def test_sample_post_typesets_without_errors_or_foreign_requests(browser, served_sample_site):
    page = browser.new_page()
    foreign, errors = [], []
    page.on(
        "request",
        lambda r: None if r.url.startswith(served_sample_site.url) else foreign.append(r.url),
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served_sample_site.url}/archives/90001/", wait_until="load")
    page.evaluate("document.fonts.ready")
    assert page.locator("mjx-container").count() > 10
    assert page.locator("mjx-merror").count() == 0
    assert page.evaluate("typeof window.MathJax") == "undefined"  # none in the browser
    # "$5 和 $10" in prose stays text on the post that has it.
    page.goto(f"{served_sample_site.url}/archives/90002/", wait_until="load")
    assert "花了 $5 和 $10 之间" in page.inner_text("main")
    assert 'echo "beta=$beta lr=$LR cost=$5"' in page.inner_text("pre")
    page.close()
    assert not foreign, foreign
    assert not errors, errors
