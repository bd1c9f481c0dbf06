"""A built page's formulas, as build-time typesetting sees them (kexue.math.prerender): the
math elements kexue.math.extension wrote, in reading order, with the page's equation
counters and labels (:func:`kexue.math.tex.number_equations`), the definitions each formula
uses, its cache key; what a worker must run to typeset the missing ones; and the page's
HTML once they are typeset (:func:`render_page`)."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core import layout
from kexue.math import element
from kexue.math import layout as widths
from kexue.math.element import Element
from kexue.math.fonts import Fonts
from kexue.math.tex import MathSpan, find_math, number_equations

#: Where the base stylesheet and the fonts go under output/ (kexue.site.assets copies the fonts).
VENDOR_DIR = layout.MATHJAX4
STYLESHEET = layout.MATHJAX4_STYLESHEET
#: The head partial (theme/templates/partials/math_head.html) fences the client MathJax.
CLIENT_START, CLIENT_END = "<!--kexue-client-mathjax-->", "<!--/kexue-client-mathjax-->"
CLIENT_RE = re.compile(re.escape(CLIENT_START) + ".*?" + re.escape(CLIENT_END), re.S)
STYLE_MARK = "<!--kexue-mathjax-css-->"
# Formulas whose definitions carry to the rest of the page (MathJax's state).
_DEFINES_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator"
    r"|newenvironment|renewenvironment|require)(?![A-Za-z])"
)
_COUNTS_RE = re.compile(r"\\(?:setCounter|tag|label|begin)(?![A-Za-z])")
_REFS_RE = re.compile(r"\\(?:eq)?ref\s*\{([^{}]*)\}")


@dataclass
class Formula:
    """One math element of a page, with what MathJax needs to typeset it alone."""

    element: Element
    source: str  # the author's TeX, delimiters included
    tex: str  # what MathJax reads (inside the delimiters; a bare environment whole)
    display: bool
    counter: int = 0
    context: str = ""  # digest of the page's definitions before this formula
    refs: tuple = ()
    key: str = ""
    result: dict | None = None


@dataclass
class Page:
    path: Path
    text: str
    formulas: list[Formula] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def mathjax_tex(source: str) -> tuple[str, MathSpan] | None:
    """(TeX as MathJax reads it, the span) for an element's source, or None when it is
    not exactly one math span (the browser then gets it as it is)."""
    spans = find_math(source)
    if len(spans) != 1 or spans[0].start != 0 or spans[0].end != len(source):
        return None
    span = spans[0]
    return (span.source if span.environment else span.tex), span


_DEFINED_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator)\*?\s*\{?\s*\\?([A-Za-z]+)"
    r"|\\(?:def|let)\s*\\([A-Za-z]+)"
    r"|\\(?:newenvironment|renewenvironment)\s*\{([A-Za-z]+)\}"
)
_USED_RE = re.compile(r"\\begin\s*\{([A-Za-z]+)\}|\\([A-Za-z]+)")


def _used(tex: str) -> set[str]:
    return {"env:" + m.group(1) if m.group(1) else m.group(2) for m in _USED_RE.finditer(tex)}


class Definitions:
    """The macros (and environments) a page's formulas define, in reading order, so a
    formula's cache key holds only the definitions it uses (directly or through other
    definitions): a formula on a list page then shares its key with the post's page.  A
    \\require counts for every later formula."""

    def __init__(self):
        self.formulas: list[str] = []
        self.by_name: dict[str, list[int]] = {}
        self.always: list[int] = []

    def add(self, tex: str) -> None:
        if not _DEFINES_RE.search(tex):
            return
        index = len(self.formulas)
        self.formulas.append(tex)
        names = {a or b or "env:" + c for a, b, c in _DEFINED_RE.findall(tex)}
        if "\\require" in tex or not names:
            self.always.append(index)
        for name in names:
            self.by_name.setdefault(name, []).append(index)

    def context(self, tex: str) -> str:
        if not self.formulas:
            return ""
        included, todo, seen = set(self.always), list(_used(tex)), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for index in self.by_name.get(name, ()):
                if index not in included:
                    included.add(index)
                    todo.extend(_used(self.formulas[index]))
        if not included:
            return ""
        digest = hashlib.sha256()
        for index in sorted(included):
            digest.update(self.formulas[index].encode() + b"\0")
        return digest.hexdigest()[:16]


def read_page(path: Path, version: str, text: str | None = None) -> Page:
    if text is None:
        text = path.read_text(encoding="utf-8")
    page = Page(path, text)
    spans: list[MathSpan] = []
    for el in element.find(text):
        source = el.source
        got = mathjax_tex(source)
        if got is None:
            continue
        page.formulas.append(Formula(el, source, got[0], got[1].display))
        spans.append(got[1])
    before: list[int] = []
    numbered = set()
    for eq in number_equations(spans, before=before):
        numbered.add(eq.span)
        if eq.label:
            page.labels.setdefault(eq.label, eq.shown)
    definitions = Definitions()
    for i, (f, counter) in enumerate(zip(page.formulas, before, strict=True)):
        f.counter = counter
        f.context = definitions.context(f.tex)
        f.refs = tuple((r, page.labels.get(r, "")) for r in _REFS_RE.findall(f.tex))
        # A formula that shows no number looks the same whatever the counter (a formula
        # in a summary sits at a different count on each list page).
        counts = i in numbered or _COUNTS_RE.search(f.tex)
        blob = json.dumps(
            [version, f.display, f.tex, f.counter if counts else None, f.context, f.refs]
        )
        f.key = hashlib.sha256(blob.encode()).hexdigest()
        definitions.add(f.tex)
    return page


def typeset_request(page: Page, missing: list[Formula]) -> dict:
    """The worker request for ``missing`` (formulas of ``page``): the missing ones, and
    every definition before the last."""
    last = page.formulas.index(missing[-1])
    wanted = {id(f) for f in missing}
    run = [
        {"tex": f.tex, "display": f.display, "counter": f.counter, "emit": id(f) in wanted}
        for f in page.formulas[: last + 1]
        if id(f) in wanted or _DEFINES_RE.search(f.tex)
    ]
    return {"cmd": "page", "labels": page.labels, "formulas": run}


_MATH_ID_RE = re.compile(r' id="([^"]*)"')


def _unique_ids(markup: str, seen: set[str]) -> str:
    """``markup`` (a typeset formula) without the ids an earlier formula of the page has
    (two formulas with the same \\cssId or \\label): an id stays unique on the page."""
    if ' id="' not in markup:
        return markup

    def once(m: re.Match) -> str:
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)

    return _MATH_ID_RE.sub(once, markup)


def _form_classes(r: dict, buckets: tuple[set[int], set[int]]) -> str:
    """A typeset display's classes for the form shown (kexue.math.layout): ``kx-bN`` when
    it has a narrow form (shown below N em of column), ``kx-tN`` for the width of the
    form shown at the narrowest; adds the buckets used to ``buckets``."""
    if "width" not in r:  # inline
        return ""
    classes, shown = "", r["width"]
    if r.get("narrow"):
        n = widths.text_em(r["width"])
        buckets[0].add(n)
        classes += f" kx-b{n}"
        shown = r["narrowWidth"]
    n = widths.text_em(shown)
    buckets[1].add(n)
    return classes + f" kx-t{n}"


def _forms(r: dict, markup: str) -> str:
    """A typeset display's markup (``markup``: the wide form, its container ignored by the
    browser's MathJax) as ``kx-full``, its narrow form (``kx-narrow``) when it has one, and
    its equation numbers to show under it when the form shown cannot fit."""
    if "width" not in r:  # inline
        return markup
    ignored = element.CONTAINER_IGNORED
    markup = markup.replace(ignored, ignored[:-1] + ' kx-full"', 1)
    if r.get("narrow"):
        markup += r["narrow"].replace(element.CONTAINER, ignored[:-1] + ' kx-narrow"', 1)
    if r["tags"]:
        markup += (
            '<span class="eq-tags-under" aria-hidden="true">'
            f"{html.escape(' '.join(r['tags']))}</span>"
        )
    return markup


def _relative(page: Path, output: Path, target: str) -> str:
    return Path(os.path.relpath(output / target, page.parent)).as_posix()


def render_page(
    page: Page, root_url: str, output: Path, fonts: Fonts | None = None
) -> tuple[str, int]:
    """The page's HTML with typeset formulas; and how many MathJax rejected.  The
    stylesheet link is ``root_url``-absolute, or relative to the page when it is ""; the
    font files the page's formulas use are preloaded (fetched while the page parses, not
    after its first layout)."""
    out, pos, css, rejected = [], 0, {}, 0
    buckets: tuple[set[int], set[int]] = (set(), set())  # kx-bN and kx-tN used
    keys = {}  # index in out of a typeset formula's markup -> the formula's key
    ids: set[str] = set()  # the ids of the page's typeset formulas so far
    for f in page.formulas:
        el, r = f.element, f.result
        out.append(page.text[pos : el.match.start()])
        pos = el.match.end()
        if r is None or r["error"]:
            rejected += 1
            out.append(element.rejected(el, r["error"] if r else "not typeset at build time"))
            continue
        for rule in r["css"]:
            css.setdefault(rule)
        classes = _form_classes(r, buckets)
        head, markup, tail = element.typeset(
            el, r["html"], r["tags"], r.get("filtered", ()), classes
        )
        markup = _unique_ids(_forms(r, markup), ids)
        out.append(head)
        keys[len(out)] = f.key
        out.append(markup)
        out.append(tail)
    out.append(page.text[pos:])
    text = "".join(out)
    if not rejected:
        text = CLIENT_RE.sub("", text)
    href = f"{root_url}/{STYLESHEET}" if root_url else _relative(page.path, output, STYLESHEET)
    rules = "".join(css) + widths.scale_rule() + widths.bucket_rules(*buckets)
    head = ""
    if fonts is not None and len(page.formulas) > rejected:
        base = href.rsplit("/", 1)[0] + "/" if "/" in href else ""
        # The page's pieces each read alone (none starts or ends inside a name).
        families = set().union(*(fonts.families(rule, rule) for rule in css))
        for i, key in keys.items():
            families.update(fonts.families(out[i], key))
        plain = (piece for i, piece in enumerate(out) if i not in keys)
        families.update(fonts.families("\n".join(plain)))
        for url in fonts.files(families):
            head += (
                f'<link rel="preload" href="{html.escape(base + url)}" as="font" '
                'type="font/woff2" crossorigin>'
            )
    head += f'<link rel="stylesheet" href="{html.escape(href)}"><style>{rules}</style>'
    if STYLE_MARK in text:
        text = text.replace(STYLE_MARK, head, 1)
    else:
        text = text.replace("</head>", head + "</head>", 1)
    return text, rejected
