"""The sample post with three figures (content/samples/90005.md) in headless Chromium."""

from __future__ import annotations

# A hash of every canvas in a figure (uPlot and the contour plot draw on canvases).
CANVAS_HASH = """el => Array.from(el.querySelectorAll('canvas'), c => {
  const s = c.toDataURL(); let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}).join(':')"""


def figure(page, name):
    return page.locator(f'figure[data-figure="{name}"]')


def drawn(page, name):
    """Scroll the figure into view, wait for its first drawing; return its canvas hash."""
    el = figure(page, name)
    el.scroll_into_view_if_needed()
    page.wait_for_function(
        f"document.querySelector('figure[data-figure=\"{name}\"]').dataset.drawn >= 1"
    )
    return el.evaluate(CANVAS_HASH)


def wait_changed(page, name, before):
    page.wait_for_function(
        f"([h]) => ({CANVAS_HASH})(document.querySelector('figure[data-figure=\"{name}\"]')) !== h",
        arg=[before],
    )
    return figure(page, name).evaluate(CANVAS_HASH)


def test_figures_load_lazily_redraw_on_input_and_theme(browser, served_sample_site):
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 1000, "height": 700})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{served_sample_site.url}/archives/90005/")
    page.wait_for_load_state("networkidle")
    # The optimizers figure is far below the fold: its code has not been fetched.
    assert any(u.endswith("/figures/figures.js") for u in requests)
    assert not any("/chunks/optimizers-" in u for u in requests)
    assert figure(page, "optimizers").locator(".kx-figure-fallback").count() == 1

    # Distributions: move the sample-size slider with the keyboard.
    before = drawn(page, "distributions")
    slider = figure(page, "distributions").get_by_label("样本数")
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert slider.input_value() == "2100"
    after = wait_changed(page, "distributions", before)
    assert "2100 个" in figure(page, "distributions").inner_text()
    # Switching the distribution shows that distribution's inputs only.
    figure(page, "distributions").get_by_label("分布").select_option("beta")
    wait_changed(page, "distributions", after)
    assert figure(page, "distributions").get_by_label("α").is_visible()
    assert not figure(page, "distributions").get_by_label("形状 k").is_visible()

    # Random matrices: change m.
    before = drawn(page, "matrices")
    m = figure(page, "matrices").get_by_label("列数 m")
    m.fill("150")
    wait_changed(page, "matrices", before)
    assert "0.75" in figure(page, "matrices").locator(".kx-figure-table").inner_text()  # m/n

    # Optimizers: loaded only now, on scrolling; the function select resets the rate.
    before = drawn(page, "optimizers")
    assert any("/chunks/optimizers-" in u for u in requests)
    figure(page, "optimizers").get_by_label("测试函数").select_option("bowl")
    after = wait_changed(page, "optimizers", before)
    assert figure(page, "optimizers").locator("output").first.inner_text() == "0.1"
    figure(page, "optimizers").get_by_label("Adam").uncheck()
    after = wait_changed(page, "optimizers", after)
    assert "Adam" not in figure(page, "optimizers").locator(".kx-figure-table").inner_text()

    # Theme: the figures redraw for <html data-theme="dark">, and back without it (the
    # system is light), and follow the system's preference while no theme is chosen.
    light = after
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    dark = wait_changed(page, "optimizers", light)
    page.evaluate("delete document.documentElement.dataset.theme")
    assert wait_changed(page, "optimizers", dark) == light
    page.emulate_media(color_scheme="dark")
    assert wait_changed(page, "optimizers", light) == dark

    page.close()
    assert not errors, errors


def test_page_without_figures_loads_no_figure_code(browser, served_sample_site):
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{served_sample_site.url}/archives/90001/")
    page.wait_for_load_state("networkidle")
    page.close()
    assert requests and not [u for u in requests if "/figures/" in u]
