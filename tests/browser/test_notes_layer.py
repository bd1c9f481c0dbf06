"""The notes' appendix as an optional layer (kexue/notes/parts.py, derivations.js): its
sections closed under their titles, opened by a click or a key, the open one in the URL
hash; and the 另见文末推导与注释 link lands on the notes at phone and desktop widths, on a
long post whose blocks are laid out late (content-visibility)."""

from __future__ import annotations

import pytest

from tests.browser.test_long_post import WAIT, _post
from tests.conftest import serve_post_with_note

SECTIONS = 6
NOTE = (
    "Post: 91201\nStatus: review\nAuthors: 测试者\n\n## 公式推导与注释\n\n总的说明。\n\n"
    + "\n\n".join(
        f"### {i}. 第{i}节\n\n" + f"注释段落 {i}，含 $x_{i}$。" * 60 for i in range(1, SECTIONS + 1)
    )
    + "\n"
)
PAGE = "/archives/91201/"
# where the notes are, and where a link to them should put them (below the header)
LANDING = """() => {
  const r = document.getElementById('derivations').getBoundingClientRect();
  return [r.top, parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop)];
}"""


@pytest.fixture(scope="module")
def layer_site(tmp_path_factory):
    yield from serve_post_with_note(tmp_path_factory, "layer", _post(), NOTE)


@pytest.fixture
def page(desktop_page):
    return desktop_page


def _open(page, url: str, width: int = 1280) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(WAIT)


def test_sections_are_closed_with_their_titles_listed(page, layer_site):
    _open(page, layer_site.url + PAGE)
    parts = page.locator("details.deriv-part")
    assert parts.count() == SECTIONS
    assert parts.evaluate_all("ds => ds.filter(d => d.open).length") == 0
    titles = page.locator("details.deriv-part > summary").all_text_contents()
    assert [t.strip() for t in titles] == [f"{i}. 第{i}节" for i in range(1, SECTIONS + 1)]
    # the appendix, closed, is a small part of the page
    share = page.evaluate(
        "document.querySelector('.deriv-appendix').offsetHeight"
        " / document.documentElement.scrollHeight"
    )
    assert share < 0.2, share


def test_a_click_or_a_key_opens_a_section_and_the_url_says_which(page, layer_site):
    _open(page, layer_site.url + PAGE)
    second = page.locator("details.deriv-part").nth(1)
    second.locator("summary").click()
    assert second.evaluate("d => d.open")
    heading_id = second.locator("summary [id]").get_attribute("id")
    page.wait_for_function(f"location.hash === '#' + encodeURIComponent({heading_id!r})")
    third = page.locator("details.deriv-part").nth(2)
    third.locator("summary").focus()
    page.keyboard.press("Enter")
    assert third.evaluate("d => d.open")
    # a deep link to a section's title opens it (a fresh load: nothing else open)
    page.goto("about:blank")
    _open(page, layer_site.url + PAGE + "#" + heading_id)
    page.wait_for_function("document.querySelectorAll('details.deriv-part[open]').length === 1")
    assert page.locator("details.deriv-part").nth(1).evaluate("d => d.open")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_appendix_link_lands_on_the_notes(page, layer_site, width):
    _open(page, layer_site.url + PAGE, width)
    page.locator(".deriv-notice a[href='#derivations']").click()
    page.wait_for_timeout(1200)  # the link follows the target while the layout settles
    top, wanted = page.evaluate(LANDING)
    assert abs(top - wanted) <= 40, (width, top, wanted)
    page.wait_for_timeout(600)
    assert page.evaluate(LANDING)[0] == top  # and stays there
