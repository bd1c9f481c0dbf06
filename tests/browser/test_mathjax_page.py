"""Sample pages in headless Chromium: MathJax typesets from our origin, nothing else."""

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
    page.goto(f"{served_sample_site.url}/archives/90001/")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    assert page.locator("mjx-container").count() > 10
    assert page.locator("mjx-merror").count() == 0
    # The macros every page defines (data/tex-macros.toml) are MathJax's.
    for name in ("argmax", "argmin", "msign"):
        mml = page.evaluate(f"MathJax.tex2mml('\\\\{name}_x f(x)')")
        assert "merror" not in mml and 'texclass="OP"' in mml, mml
    # "$5 和 $10" in prose stays text on the post that has it.
    page.goto(f"{served_sample_site.url}/archives/90002/")
    page.evaluate("MathJax.startup.promise")
    assert "花了 $5 和 $10 之间" in page.inner_text("main")
    assert 'echo "beta=$beta lr=$LR cost=$5"' in page.inner_text("pre")
    page.close()
    assert not foreign, foreign
    assert not errors, errors
