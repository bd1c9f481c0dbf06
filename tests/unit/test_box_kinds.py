"""Box kinds: one list (kexue.reading.boxes.KINDS) that the notes and the theme's colours follow."""

from __future__ import annotations

import re

import markdown

from kexue.core.paths import ROOT
from kexue.notes.markdown import BOX_KINDS
from kexue.notes.render import NoteRenderer
from kexue.reading.boxes import CSS_END, CSS_START, KINDS, THEME_CSS, BoxExtension, kinds_css

NOTES_CSS = ROOT / "theme" / "static" / "derivations" / "derivations.css"


def test_the_theme_css_is_generated_from_the_list():
    css = THEME_CSS.read_text(encoding="utf-8")
    assert css.count(CSS_START) == 1 and css.count(CSS_END) == 1
    assert kinds_css() in css, "run `python -m kexue.reading.boxes` after editing KINDS"
    for kind, box in KINDS.items():
        # one colour per theme, written once
        assert re.findall(rf"--box-{kind}: (#\w+);", css) == [box.light, box.dark]


def test_notes_know_the_same_kinds():
    assert BOX_KINDS == tuple(KINDS)


def test_notes_give_no_box_kind_a_colour_of_their_own():
    """A theorem box in a note looks like one in a post: the notes' stylesheet sets no
    colour on a box (the kind's colour comes from main.css's --kind)."""
    css = NOTES_CSS.read_text(encoding="utf-8")
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if "box" not in selector:
            continue
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b|color|background|var\(--", body), selector


def test_a_kind_gets_the_same_classes_in_a_post_and_in_a_note():
    text = '!!! theorem "柯西"\n    内容\n'
    post = markdown.Markdown(extensions=[BoxExtension()]).convert(text)
    note = NoteRenderer()(text)
    post_classes = set(re.search(r'<div class="([^"]*)"', post).group(1).split())
    note_classes = set(re.search(r'<div class="([^"]*)"', note).group(1).split())
    assert {"box", "theorem"} <= post_classes <= note_classes
    # and the theme colours each of them with the theorem's token
    rule = next(r for r in kinds_css().splitlines() if r.startswith(".box.theorem"))
    assert rule.endswith("{ --kind: var(--box-theorem); }") and ".theorem-box" in rule
