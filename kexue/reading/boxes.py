"""Content boxes authors write in Markdown: derivation, theorem, proof, example, intuition, note.

The syntax is Python-Markdown's admonition, one kind word, optional flags, optional title::

    !!! theorem "Cauchy–Schwarz 不等式"
        对任意向量 $x, y$ 有 $|x^\\top y| \\le \\Vert x\\Vert\\,\\Vert y\\Vert$。

    !!! proof collapsible "证明"
        折叠的框：读者点标题展开。

    !!! derivation collapsible open
        可折叠、默认展开，标题是“推导”。

Output: ``<div class="admonition theorem box">`` with a title paragraph
``<p class="admonition-title"><span class="box-kind">定理</span> <span class="box-title">…``;
a collapsible box is ``<details class="admonition proof box">`` with that title as its
``<summary>``.  Other kind words still render (as a plain box titled with the word).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from xml.etree import ElementTree as etree  # noqa: N813 (Markdown's own name)

from markdown import Extension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.treeprocessors import Treeprocessor

from kexue.core.fsutil import atomic_write_text
from kexue.core.paths import ROOT


@dataclass(frozen=True)
class BoxKind:
    """A box kind: its Chinese name and its colour in each theme (the border, the label
    and, mixed with the page's background, the box: tests/browser/test_theme.py checks
    the contrast), and the legacy mirror's ``<div class="…-box">`` classes drawn as it."""

    label: str
    light: str
    dark: str
    legacy: tuple[str, ...] = ()


#: The box kinds, the one list: the notes' classes (kexue.notes.render) and the theme's
#: colours (the generated part of theme/static/css/main.css, :func:`kinds_css`) follow it.
#: Adding a kind: an entry here, then ``python -m kexue.reading.boxes`` to rewrite the CSS.
KINDS = {
    "derivation": BoxKind("推导", "#2698ba", "#2698ba", ("analysis", "algorithm", "optimization")),
    "theorem": BoxKind("定理", "#7b4fd6", "#9d7ce8", ("definition", "result")),
    "proof": BoxKind("证明", "#6b7280", "#8c939c", ("code",)),
    "example": BoxKind("例子", "#2f9e5b", "#3fb472", ("comparison",)),
    "intuition": BoxKind(
        "直观理解", "#d99a00", "#e0a82e", ("philosophy", "future-direction", "warning", "pitfalls")
    ),
    "note": BoxKind("注", "#0f7c86", "#2aa3ad", ("summary", "timeline", "roadmap")),
}
FLAGS = {"collapsible", "open"}


class BoxTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for el in list(root.iter("div")):
            classes = el.get("class", "").split()
            if "admonition" not in classes:
                continue
            flags = FLAGS.intersection(classes)
            kinds = [c for c in classes if c not in FLAGS and c != "admonition"]
            kind = kinds[0] if kinds else "note"
            el.set("class", " ".join(["admonition", *kinds, "box"]))
            title = next((c for c in el if c.get("class") == "admonition-title"), None)
            if title is None:
                title = etree.Element("p", {"class": "admonition-title"})
                el.insert(0, title)
            self._label(title, kind)
            if "collapsible" in flags:
                el.tag = "details"
                title.tag = "summary"
                if "open" in flags:
                    el.set("open", "open")

    @staticmethod
    def _label(title: etree.Element, kind: str) -> None:
        """Prefix the kind's Chinese name; drop admonition's default English title."""
        label = KINDS[kind].label if kind in KINDS else kind
        text = "".join(title.itertext()).strip()
        own = etree.Element("span", {"class": "box-title"})
        own.text, title.text = title.text, None
        for child in list(title):
            title.remove(child)
            own.append(child)
        default = not text or text.lower() == kind or text == label
        if default or not text.startswith(label):
            kind_el = etree.SubElement(title, "span", {"class": "box-kind"})
            kind_el.text = label
            kind_el.tail = None if default else " "
        if not default:
            title.append(own)


class BoxExtension(Extension):
    """``markdown.Markdown(extensions=[BoxExtension()])``; includes admonition."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        if "admonition" not in md.parser.blockprocessors:
            AdmonitionExtension().extendMarkdown(md)
        # After inline patterns (20), before toc (5) collects headings.
        md.treeprocessors.register(BoxTreeprocessor(md), "kexue_boxes", 15)
        md.registerExtension(self)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return BoxExtension(**kwargs)


# ---------- the kinds' colours in the theme ----------

THEME_CSS = ROOT / "theme" / "static" / "css" / "main.css"
CSS_START = "/* ---------- box kinds: generated from kexue.reading.boxes.KINDS ---------- */"
CSS_END = "/* ---------- end of the box kinds ---------- */"


def kinds_css() -> str:
    """The theme's rules for :data:`KINDS`: a colour token per kind and theme, and the
    classes (``!!! kind`` boxes, notes' ``kind-box``, legacy classes) that take it."""
    light = "".join(f"  --box-{k}: {v.light};\n" for k, v in KINDS.items())
    dark = "".join(f"  --box-{k}: {v.dark};\n" for k, v in KINDS.items())
    rules = "".join(
        ", ".join([f".box.{k}", *(f".{c}-box" for c in (k, *v.legacy))])
        + f" {{ --kind: var(--box-{k}); }}\n"
        for k, v in KINDS.items()
    )
    return (
        f'{CSS_START}\n:root,\n[data-theme="light"] {{\n{light}}}\n'
        f'[data-theme="dark"] {{\n{dark}}}\n{rules}{CSS_END}'
    )


def with_kinds_css(css: str) -> str:
    """``css`` (the theme's main.css) with its generated part rewritten."""
    start, end = css.index(CSS_START), css.index(CSS_END) + len(CSS_END)
    return css[:start] + kinds_css() + css[end:]


if __name__ == "__main__":  # python -m kexue.reading.boxes: rewrite the theme's box kinds
    changed = atomic_write_text(THEME_CSS, with_kinds_css(THEME_CSS.read_text(encoding="utf-8")))
    sys.stdout.write(f"{THEME_CSS}: {'rewritten' if changed else 'up to date'}\n")
