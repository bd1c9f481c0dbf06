"""A post's equations and headings a note section attaches to (kexue/notes/targets.py)."""

from __future__ import annotations

from kexue.core.posts import read_post
from kexue.notes import Anchor, PostTargets
from tests.unit.conftest import SAMPLES


def test_anchors_resolve_against_the_post():
    targets = PostTargets.from_markdown(read_post(SAMPLES / "90003.md").body)
    kl = targets.resolve(Anchor("equation", "KL"))
    assert (kl.number, kl.label, kl.panel_id) == (None, "eq:kl", "deriv-eq-KL")
    assert targets.resolve(Anchor("label", "eq:kl-mid")).shown == "1"
    assert targets.resolve(Anchor("heading", "检验")).kind == "heading"
    assert targets.resolve(Anchor("equation", "3")) is None
    assert targets.candidates(Anchor("equation", "3"))[:2] == ["(2)", "(1)"]
