"""The MathJax 4 font files a page uses: which files the base stylesheet gives each font
class and family (:class:`Fonts`, for the preload links of kexue.math.page.render_page),
and the base stylesheet without the fonts the font package does not ship."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kexue.core.paths import ROOT

FONT_FILES = ROOT / "node_modules" / "@mathjax" / "mathjax-newcm-font" / "chtml" / "woff2"
_FONT_URL_RE = re.compile(r'url\("woff2/([^"]+)"\)')
_FACE_RE = re.compile(r"@font-face[^{]*\{\s*font-family: ([\w-]+);\s*src: url\(\"([^\"]+)\"\)")
_CLASS_FONT_RE = re.compile(r"^\.(NCM-[\w-]+) \{\s*font-family: ([^;]+);", re.M)
_USED_CLASS_RE = re.compile(r"\bNCM-[\w-]+")
_USED_FAMILY_RE = re.compile(r"\bMJX-[\w-]+")


@dataclass
class Fonts:
    """Which font files the base stylesheet gives each MathJax font class and family."""

    faces: dict[str, str]  # family -> URL relative to the stylesheet
    classes: dict[str, list[str]]  # class -> families
    seen: dict[str, frozenset[str]] = field(default_factory=dict)  # families by key

    @classmethod
    def parse(cls, stylesheet: str) -> Fonts:
        faces = dict(_FACE_RE.findall(stylesheet))
        classes = {
            c: [f.strip() for f in families.split(",")]
            for c, families in _CLASS_FONT_RE.findall(stylesheet)
        }
        return cls(faces, classes)

    def families(self, markup: str, key: str | None = None) -> frozenset[str]:
        """The font families ``markup`` (a page's text, a typeset formula, a rule) uses;
        remembered by ``key`` (a formula or rule met on many pages is read once)."""
        if key is not None and key in self.seen:
            return self.seen[key]
        families = set(_USED_FAMILY_RE.findall(markup))
        for c in set(_USED_CLASS_RE.findall(markup)):
            families.update(self.classes.get(c, ()))
        if key is not None:
            self.seen[key] = frozenset(families)
        return frozenset(families)

    def files(self, families: Iterable[str]) -> list[str]:
        """The font files of ``families``."""
        return sorted({self.faces[f] for f in families if f in self.faces})


def shipped(rules: list[str]) -> list[str]:
    """The stylesheet without the @font-face of fonts the font package does not ship (a
    few it names, for rare scripts): a browser would ask for them and get a 404."""
    kept = []
    for rule in rules:
        m = _FONT_URL_RE.search(rule)
        if rule.startswith("@font-face") and m and not (FONT_FILES / m.group(1)).is_file():
            continue
        kept.append(rule)
    return kept
