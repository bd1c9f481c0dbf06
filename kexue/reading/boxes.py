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

from xml.etree import ElementTree as etree  # noqa: N813 (Markdown's own name)

from markdown import Extension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.treeprocessors import Treeprocessor

KINDS = {
    "derivation": "推导",
    "theorem": "定理",
    "proof": "证明",
    "example": "例子",
    "intuition": "直观理解",
    "note": "注",
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
        label = KINDS.get(kind, kind)
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
