"""The one HTML allowlist of the site, and the checks that report what it removes.

Every piece of HTML that comes from outside our own templates passes :data:`POLICY`
(nh3, i.e. ammonia): crawled article bodies (kexue/crawl/convert.py), and everything Python-
Markdown produces from posts, pages and derivation notes (this module is also a Markdown
extension, ``kexue.site.sanitize``, in pelicanconf.py's MARKDOWN, which the notes' renderer
reuses).  Raw HTML in a post or note, ``{: onclick=…}`` attribute lists and
``javascript:`` links are all neutralised there, after Markdown and before the page.

What is allowed: the crawled bodies' tags (text, headings, lists, tables, figures,
images, links) plus what notes and our Markdown extensions write: ``details/summary``,
the box ``div``s (classes), definition lists, footnotes and heading ids, Pygments
``span`` classes, table cell alignment, the math elements' ``data-eq-*`` attributes and
the figure placeholders' ``data-figure``/``data-param-*``.  Removed with their content:
``script``, ``style``, ``iframe``, forms, embedded objects, SVG/MathML.  Links and images
keep only http, https and mailto URLs (and relative ones).  No event handler, no
``style`` beyond ``text-align``, no comment survives.

``invoke check`` (:func:`check_authored_html`) names each element or attribute the
allowlist would remove as ``file:line``, so an author sees what the page will not show:
a problem when the reader loses text (an unknown element such as ``<eos>``, a damaged
link), a notice when the site only neutralised something active (an iframe, a script,
an event attribute, a ``javascript:`` link).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import nh3
from markdown import Extension
from markdown.postprocessors import Postprocessor

from kexue.core.paths import NOTE_DIR, PAGE_DIR, POST_DIRS, content_files
from kexue.core.problems import CheckContext, Problem
from kexue.math.element import ATTRIBUTES as MATH_ATTRIBUTES
from kexue.math.tex import find_code_ranges, find_math

# Tags of crawled article bodies (what the source's editor writes).
BODY_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
})  # fmt: skip
# What notes and our Markdown extensions add: collapsible boxes, definition lists, marks.
NOTE_TAGS = frozenset({"details", "summary", "dl", "dt", "dd", "mark", "small", "col", "colgroup"})
ALLOWED_TAGS = BODY_TAGS | NOTE_TAGS
# Removed together with everything inside them.
REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "form", "noscript", "object", "embed",
    "textarea", "select", "button", "template", "svg", "math", "applet", "audio", "video",
    "canvas", "input", "link", "meta", "base", "title", "head",
})  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "style"},
    "ol": {"start", "type"},
    "li": {"value"},
    "details": {"open"},
    "abbr": set(),
    # kexue.math.extension (numbered displays) and kexue.figures.directive (placeholders).
    "div": {*MATH_ATTRIBUTES, "data-pagefind-ignore"},
    "span": MATH_ATTRIBUTES,
    "figure": {"data-figure"},
}
ATTRIBUTE_PREFIXES = frozenset({"data-param-"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src"})
STYLE_PROPERTIES = frozenset({"text-align"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    generic_attribute_prefixes=set(ATTRIBUTE_PREFIXES),
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    link_rel=None,
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """``html`` with everything outside the allowlist removed (text is kept as text)."""
    return _CLEANER.clean(html)


# ------------------------------------------------------- formulas typeset at build time

# MathJax's CHTML output (tools/prerender-math.mjs), passed through a second allowlist
# after MathJax's own safe filter (theme/static/js/mathjax-safe.js): its elements, the
# MathML of assistive output, links; classes, ids and data attributes in MathJax's
# namespaces; styles whose values cannot position, load or script anything.
MATH_TAGS = frozenset({
    "a", "mjx-container", "mjx-math", "mjx-c", "mjx-utext", "mjx-texatom", "mjx-assistive-mml",
    *(f"mjx-{k}" for k in (
        "base beg block box break dbox den dstrike dstrut dtable end ext frac itable labels "
        "line linebox linestack linestrut mark mid nstrut num over rbox root row script "
        "spacer sqrt stretchy-h stretchy-v surd table tstrut under mtable mtr mtd mlabeledtr "
        "maction menclose mfenced mfrac mglyph mi mmultiscripts mprescripts none mn mo "
        "mpadded mroot mrow ms mspace msqrt msub msup msubsup mtext munder mover munderover "
        "mstyle merror mphantom semantics annotation annotation-xml"
    ).split()),
    *(
        "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot mstyle merror mpadded mphantom "
        "menclose msub msup msubsup munder mover munderover mmultiscripts mprescripts none "
        "mtable mtr mtd mlabeledtr maction semantics annotation"
    ).split(),
})  # fmt: skip
MATH_ATTRIBUTES = frozenset({
    "class", "id", "style", "href", "role", "aria-label", "aria-hidden", "aria-labelledby",
    "tabindex", "align", "atop", "break-top", "breakable", "delims", "display", "extra",
    "jax", "justify", "limits", "lineno", "noic", "overflow", "rspace", "side", "size",
    "space", "texclass", "type", "variant", "width", "unselectable", "ctxtmenu_counter",
    "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "accent",
    "accentunder", "columnalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
    "frame", "framespacing", "displaystyle", "scriptlevel", "mathcolor", "mathbackground",
    "notation", "linethickness", "height", "depth", "voffset", "encoding", "movablelimits",
    "largeop", "symmetric", "minsize", "maxsize", "form", "linebreak", "indentalign",
})  # fmt: skip
# MathJax's own data attributes; a formula's \data gives data-mjx-tex-NAME.
_MATH_DATA_RE = re.compile(
    r"^data-(?:mjx-[\w-]+|frame-styles|lineleading|padding|vertical-align|align|overflow"
    r"|array-padding|width-includes-label|break-align|cramped|braketbar|semantic-[\w-]+"
    r"|latex|latex-item)$"
)
_MATH_CLASS_RE = re.compile(r"^(?:mjx-[\w-]+|NCM-[\w-]+|MathJax(?:_ref)?|tex2jax_ignore|[A-Z]+)$")
_MATH_ID_RE = re.compile(r"^mjx-(?:eqn:[^\s]+|tex-[\w-]+)$")
# A style value: words, numbers with units, colours, MathJax's rotate/translate; never
# url(), expression(), a backslash escape, or a position other than relative.
_MATH_STYLE_VALUE_RE = re.compile(
    r"^(?:[-\w.#%, ]|(?:rotate|translate[XY]?|rgba?|hsla?)\([-\w.%, ]*\))*$"
)
MATH_STYLE_PROPERTIES = frozenset({
    "background-color", "border", "border-top", "border-right", "border-bottom", "border-left",
    "border-width", "border-style", "border-color", "border-radius", "color", "display",
    "font-family", "font-size", "font-style", "font-weight", "height", "left", "right", "top",
    "bottom", "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
    "max-width", "min-width", "min-height", "padding", "padding-bottom", "padding-left",
    "padding-right", "padding-top", "position", "text-align", "transform", "vertical-align",
    "width", "line-height", "letter-spacing", "white-space",
    *(f"border-{s}-{p}" for s in ("top", "right", "bottom", "left")
      for p in ("width", "style", "color")),
})  # fmt: skip


def _math_style(value: str, removed: list[str]) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, colon, v = declaration.partition(":")
        name, v = name.strip().lower(), v.strip()
        if not name and not v:
            continue
        ok = colon and name in MATH_STYLE_PROPERTIES and _MATH_STYLE_VALUE_RE.match(v)
        if ok and (name != "position" or v == "relative"):
            kept.append(f"{name}: {v}")
        else:
            removed.append(f"style {declaration.strip()}")
    return "; ".join(kept) + ";" if kept else None


def _math_attribute(name: str, value: str, removed: list[str]) -> str | None:
    """``value`` of attribute ``name`` on typeset math, or None to remove it."""
    if name == "style":
        return _math_style(value, removed)
    if name == "href":
        scheme = _url_scheme(value)
        ok = scheme is None or scheme in URL_SCHEMES
    elif name == "class":
        kept = [c for c in value.split() if _MATH_CLASS_RE.match(c)]
        if len(kept) < len(value.split()):
            removed.append(f"class {value}")
        return " ".join(kept) or None
    elif name == "id":
        ok = bool(_MATH_ID_RE.match(value))
    elif name.startswith("data-"):
        ok = bool(_MATH_DATA_RE.match(name))
    else:
        ok = True
    if not ok:
        removed.append(f"{name}={value}")
    return value if ok else None


_MATH_TAG_RE = re.compile(r"<(?!/)([A-Za-z][\w-]*)((?:\s+[^\s=>\"'/<]+=\"[^\"<]*\")*)\s*>")
_MATH_ATTR_RE = re.compile(r"\s+([^\s=>\"'/<]+)=\"([^\"<]*)\"")


@functools.lru_cache(maxsize=65536)
def _math_attribute_kept(name: str, raw: str) -> bool:
    """True when the allowlist keeps attribute ``name`` with the escaped value ``raw``."""
    if name not in MATH_ATTRIBUTES and not name.startswith("data-"):
        return False
    removed: list[str] = []
    return _math_attribute(name, html.unescape(raw), removed) is not None and not removed


def _math_markup_is_clean(markup: str) -> bool:
    """True when every tag of ``markup`` is a plain start tag (quoted attributes) of
    MATH_TAGS whose attributes the allowlist keeps as they are: MathJax's output, nearly
    always, so the slower nh3 pass is skipped."""
    tags = 0
    for m in _MATH_TAG_RE.finditer(markup):
        tags += 1
        if m.group(1).lower() not in MATH_TAGS:
            return False
        for a in _MATH_ATTR_RE.finditer(m.group(2)):
            if not _math_attribute_kept(a.group(1).lower(), a.group(2)):
                return False
    return tags == markup.count("<") - markup.count("</") and "<!" not in markup


def sanitize_math(markup: str) -> tuple[str, list[str]]:
    """Typeset math (MathJax CHTML) through the math allowlist: the markup kept, and what
    was removed (an attribute as ``name=value``; a removed element leaves its text)."""
    if _math_markup_is_clean(markup):
        return markup, []
    removed: list[str] = []

    def attribute(element: str, name: str, value: str) -> str | None:
        return _math_attribute(name, value, removed)

    cleaned = nh3.clean(
        markup,
        tags=set(MATH_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT - {"math"}),
        attributes={"*": set(MATH_ATTRIBUTES)},
        generic_attribute_prefixes={"data-"},
        attribute_filter=attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    return cleaned, removed


# ------------------------------------------------------------------ Markdown extension


class SanitizePostprocessor(Postprocessor):
    """The last step of Markdown: the whole HTML through the allowlist."""

    def run(self, text: str) -> str:
        return sanitize_html(text) if text else text


class SanitizeExtension(Extension):
    """``markdown.Markdown(extensions=[SanitizeExtension()])``: every output sanitised."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        # After raw HTML (30), the math in raw HTML (25) and entity restoring (20).
        md.postprocessors.register(SanitizePostprocessor(md), "kexue_sanitize", 5)
        md.registerExtension(self)

    def reset(self):
        pass


def makeExtension(**kwargs):  # noqa: N802 (Markdown's entry-point name)
    return SanitizeExtension(**kwargs)


# ---------------------------------------------------------------------------- checking

# A start tag (not an autolink like <https://…>: a name, then a blank, / or >).
TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR_RE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_MD_LINK_RE = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*):")
_ATTR_LIST_RE = re.compile(r"\{:?[^}\n]*?\s(on[a-z]+|style)\s*=", re.I)
_SCHEME_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")


# Attributes Markdown itself reads and drops (md_in_html): never on the page, never lost.
MARKDOWN_ATTRIBUTES = frozenset({"markdown"})


def _allowed_attribute(tag: str, name: str) -> bool:
    name = name.lower()
    if name in MARKDOWN_ATTRIBUTES:
        return True
    if name in ALLOWED_ATTRIBUTES["*"] or name in ALLOWED_ATTRIBUTES.get(tag, ()):
        return True
    return any(name.startswith(p) for p in ATTRIBUTE_PREFIXES)


def _url_scheme(value: str) -> str | None:
    """The scheme of a URL as a browser reads it (entities and blanks ignored), if any."""
    m = _SCHEME_RE.match(re.sub(r"[\x00-\x20]", "", html.unescape(value)))
    return m.group(1).lower() if m else None


class Removal(NamedTuple):
    """One thing the allowlist removes: where, what, and whether it is only a notice."""

    offset: int
    message: str
    # True when the site neutralises something active (a script, an iframe, an event
    # attribute, a javascript: link) and the reader loses no text: a notice, not a problem.
    neutralised: bool


# Schemes of active links: removed on purpose (a notice); any other unknown scheme is a
# damaged address, which the reader loses (a problem).
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})


def removed_markup(text: str) -> Iterator[Removal]:
    """What the allowlist removes from raw HTML and links written in Markdown ``text``:
    one :class:`Removal` per element, attribute or link (a tag may span lines)."""
    for m in TAG_RE.finditer(text):
        tag = m.group(1).lower()
        if tag in REMOVED_WITH_CONTENT:
            yield Removal(
                m.start(), f"<{tag}> is removed with its content (not allowed on the site)", True
            )
            continue
        if tag not in ALLOWED_TAGS:
            yield Removal(
                m.start(),
                f"<{tag}> is not an allowed HTML element: removed, its content kept "
                f"(to show it as text, write &lt;{tag}&gt;)",
                False,
            )
            continue
        for message, scheme in _removed_attributes(tag, m.group(2)):
            yield Removal(m.start(), message, scheme is None or scheme in ACTIVE_SCHEMES)
    for m in _MD_LINK_RE.finditer(text):
        scheme = m.group(1).lower()
        if scheme not in URL_SCHEMES and scheme != "static":
            yield Removal(
                m.start(),
                f"{scheme}: link is removed (only http, https, mailto and relative links)",
                scheme in ACTIVE_SCHEMES,
            )
    for m in _ATTR_LIST_RE.finditer(text):
        yield Removal(m.start(), f"attribute {m.group(1)}= in an attribute list is removed", True)


def _removed_attributes(tag: str, attrs: str) -> Iterator[tuple[str, str | None]]:
    """What the allowlist removes from the attributes ``attrs`` of an allowed ``tag``:
    (message, the URL scheme removed or None)."""
    for a in _ATTR_RE.finditer(attrs):
        name, value = a.group(1), (a.group(2) or "").strip("\"'")
        if not _allowed_attribute(tag, name):
            yield f"attribute {name}= on <{tag}> is removed (not in the HTML allowlist)", None
        elif name.lower() in URL_ATTRIBUTES:
            scheme = _url_scheme(value)
            if scheme and scheme not in URL_SCHEMES:
                yield (
                    f"{scheme}: URL in {name}= on <{tag}> is removed (only http(s), mailto)",
                    scheme,
                )


def prose_only(text: str) -> str:
    """``text`` with code, math and HTML comments blanked (newlines kept), so only the
    markup a reader's browser would get is looked at."""
    chars = list(text)
    ranges = find_code_ranges(text) + [(s.start, s.end) for s in find_math(text)]
    ranges += [(m.start(), m.end()) for m in re.finditer(r"<!--.*?-->", text, re.S)]
    for start, end in ranges:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def authored_files(content: Path) -> list[Path]:
    """Markdown files written by hand or imported: posts, samples, notes, pages."""
    return content_files(content, (*POST_DIRS, NOTE_DIR, PAGE_DIR))


def check_authored_html(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: each element, attribute or link in a post, note or page that the
    HTML allowlist removes from the built page, at ``file:line``."""
    for path in authored_files(ctx.content):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the post-header check reports unreadable files
        text = text.replace("\r\n", "\n")
        header = len(text.split("\n\n", 1)[0])  # the Key: value lines are text
        for offset, message, neutralised in sorted(removed_markup(prose_only(text))):
            if offset > header:
                line = text.count("\n", 0, offset) + 1
                yield Problem(str(path), line, message, notice=neutralised)
