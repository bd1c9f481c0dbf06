"""Notes to HTML: panels under the post's equations, the appendix, standalone pages."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kexue.core.codegraph import code_fingerprint
from kexue.core.fsutil import atomic_write_text
from kexue.core.source import post_url
from kexue.math import element
from kexue.notes.cites import Cite, cite_html, link_parts
from kexue.notes.markdown import SETUP, NoteMarkdown
from kexue.notes.note import PLACEHOLDER_RE, Note, Section
from kexue.notes.numbering import NoteNumbers
from kexue.notes.parts import PART_BODY, PART_CLOSE, PART_OPEN, fold_sections
from kexue.notes.targets import PostTargets, Target, heading_key
from kexue.notes.unsourced import mark, post_numbers, reviewed

logger = logging.getLogger(__name__)

APPENDIX_TITLE = "推导与注释"
APPENDIX_ID = "derivations"


class NoteRenderer:
    """Markdown of note sections to HTML (CommonMark: kexue.notes.markdown), with an
    optional cache file.

    The automatic numbers a note must not have get no ids (they would repeat the post's
    ``eq-N``).  With ``cache``, results are kept in that JSON file, keyed on the text, the
    Markdown setup and the code of this module and of every kexue module it imports."""

    def __init__(self, cache: Path | None = None):
        self._md = NoteMarkdown()
        self.setup = SETUP + code_fingerprint(__name__)
        self.cache = Path(cache) if cache else None
        self._old: dict[str, str] = {}
        self._used: dict[str, str] = {}
        if self.cache and self.cache.is_file():
            try:
                self._old = json.loads(self.cache.read_text(encoding="utf-8"))
            except (ValueError, OSError) as e:
                logger.warning("note cache %s unreadable, rendering afresh: %s", self.cache, e)
                self._old = {}

    def __call__(self, text: str) -> str:
        key = hashlib.sha256(f"{self.setup}\0{text}".encode()).hexdigest()
        out = self._used.get(key) or self._old.get(key)
        if out is None:
            out = element.without_auto_ids(self._md(text))
        self._used[key] = out
        return out

    def save(self) -> bool:
        """Write what this run rendered (only that) to the cache file."""
        if not self.cache or self._used == self._old:
            return False
        return atomic_write_text(self.cache, json.dumps(self._used, ensure_ascii=False))


@dataclass
class Placed:
    section: Section
    target: Target | None  # None: not found (it goes to the appendix)
    html: str = ""


@dataclass
class Annotated:
    """A post's HTML with its note attached."""

    html: str  # the post's HTML with panels inserted (every original byte kept, in order)
    insertions: list[tuple[int, str]]  # (offset in the original HTML, inserted HTML)
    appendix_html: str  # the 推导与注释 section ("" when the note has no free text)
    placed: list[Placed]
    note: Note

    @property
    def panels(self) -> int:
        return sum(1 for p in self.placed if p.target is not None)


def byline(note: Note) -> str:
    who = "、".join(note.authors) or "本站作者"
    parts = [f"本站注释，非原文 · {html.escape(who)}", f"状态：{html.escape(note.status_label)}"]
    if note.date:
        parts.append(html.escape(note.date))
    return " · ".join(parts)


def panel_html(placed: Placed, note: Note) -> str:
    t = placed.target
    title = html.escape(placed.section.title)
    label_alias = (
        f'<span class="deriv-alias" id="deriv-{html.escape(t.label)}"></span>'
        if t.kind == "equation" and t.label
        else ""
    )
    return (
        f'\n<details class="deriv-note" id="{html.escape(t.panel_id)}" '
        f'data-deriv-status="{html.escape(note.status)}">'
        f'<summary><span class="deriv-toggle">推导</span>'
        f'<span class="deriv-caption">{html.escape(t.caption)}</span>'
        + (f'<span class="deriv-title">{title}</span>' if title else "")
        + f'<span class="deriv-byline">{byline(note)}</span></summary>'
        f'{label_alias}<div class="deriv-body">\n{placed.html}\n'
        f'<p class="deriv-foot"><a class="deriv-permalink" href="#{html.escape(t.panel_id)}">'
        f"链接到此注释</a></p></div></details>\n"
    )


def _unpublished_mark(note: Note) -> str:
    """A development build's mark on a stub or draft (the production build leaves it out)."""
    if note.publishable:
        return ""
    what = "桩：尚无内容" if note.kind == "stub" else "草稿"
    return f'<p class="deriv-unpublished" role="note">未发布（{what}）：正式站点不显示此注释。</p>'


def appendix_html(note: Note, free: list[str], lost: list[Placed], intro: str = "") -> str:
    if not free and not lost:
        return ""
    parts = [
        f'<section class="deriv-appendix" id="{APPENDIX_ID}" '
        f'data-deriv-status="{html.escape(note.status)}" aria-labelledby="{APPENDIX_ID}-title">',
        f'<h2 id="{APPENDIX_ID}-title">{APPENDIX_TITLE}</h2>',
        f'<p class="deriv-byline">{byline(note)}</p>',
        _unpublished_mark(note),
        intro,
    ]
    parts += free
    for p in lost:
        title = f"关于 {html.escape(str(p.section.anchor))}" + (
            f"：{html.escape(p.section.title)}" if p.section.title else ""
        )
        parts.append(
            PART_OPEN.replace('class="deriv-part"', 'class="deriv-part deriv-lost"')
            + f"<h3>{title}</h3>{PART_BODY}\n{p.html}{PART_CLOSE}"
        )
    parts.append("</section>")
    return "\n".join(x for x in parts if x)


def _free_html(note: Note, render: NoteRenderer, prepare: Callable[..., str]) -> list[str]:
    out = []
    for s in note.free:
        if s.empty:
            continue
        head = f"<h3>{html.escape(s.title)}</h3>\n" if s.title else ""
        out.append(head + fold_sections(render(prepare(s.body))))
    return out


_HEADING_HTML_RE = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def _heading_text(inner: str) -> str:
    text = html.unescape(_TAG_RE.sub("", inner)).strip()
    return re.sub(r"\s*[#¶]$", "", text)


def locate(post_html: str, target: Target) -> int | None:
    """Where a panel for ``target`` goes in the post's HTML: just after the display that
    holds the equation, or at the end of the heading's section."""
    if target.kind == "equation":
        pos = -1
        if target.element_id:
            pos = post_html.find(f'id="{html.escape(target.element_id)}"')
        if pos < 0:  # a tag without a label: find it by what the display shows
            pos = element.showing(post_html, target.shown)
        if pos < 0:
            return None
        start = post_html.rfind(element.DISPLAY_OPEN, 0, pos + 1)
        end = post_html.find("</div>", pos)
        return end + len("</div>") if start >= 0 and end >= 0 else None
    heads = list(_HEADING_HTML_RE.finditer(post_html))
    for i, m in enumerate(heads):
        if heading_key(_heading_text(m.group(2))) == heading_key(target.heading):
            level = int(m.group(1))
            later = (h for h in heads[i + 1 :] if int(h.group(1)) <= level)
            nxt = next(later, None)
            return nxt.start() if nxt else len(post_html.rstrip()) if post_html.strip() else 0
    return None


def annotate(post_html: str, post_body: str, note: Note, render: NoteRenderer) -> Annotated:
    """Attach ``note`` to a post: each anchored section as a closed panel right after its
    equation (or at the end of its heading's section), free text and sections whose anchor
    is not found as the appendix.  The post's own bytes are kept as they are.  The note's
    equations are numbered in their own series (kexue.notes.numbering): panels under
    equation (N) first, as (N.1)…, then the rest, as (A1)…, in the order they are read."""
    targets = PostTargets.from_markdown(post_body)
    prepare = _preparer(note, (t.shown for t in targets.equations), post_numbers(post_body))
    placed: list[Placed] = []
    insertions: list[tuple[int, Placed]] = []
    for section in note.anchored:
        if section.empty:
            continue
        target = targets.resolve(section.anchor)
        pos = locate(post_html, target) if target else None
        p = Placed(section, target if pos is not None else None)
        if pos is not None:
            insertions.append((pos, p))
        placed.append(p)
    insertions.sort(key=lambda x: x[0])  # stable: note order kept
    for _, p in insertions:
        under = p.target.shown if p.target.kind == "equation" else None
        p.html = render(prepare(p.section.body, under))
    free = _free_html(note, render, prepare)
    lost = [p for p in placed if p.target is None]
    for p in lost:
        p.html = render(prepare(p.section.body))
    appendix, cites = link_parts(appendix_html(note, free, lost), targets)
    blocks = [(pos, panel_html(p, note)) for pos, p in insertions]
    blocks += _cite_blocks(post_html, cites)
    blocks.sort(key=lambda x: x[0])  # stable: a panel before the citations at its equation
    out = []
    last = 0
    for pos, block in blocks:
        out.append(post_html[last:pos])
        out.append(block)
        last = pos
    out.append(post_html[last:])
    return Annotated("".join(out), blocks, appendix, placed, note)


def _cite_blocks(post_html: str, cites: list[Cite]) -> list[tuple[int, str]]:
    """At each cited equation, the line linking the appendix sections that cite it."""
    by_target: dict[Target, list[Cite]] = {}
    for c in cites:
        by_target.setdefault(c.target, []).append(c)
    out = []
    for target, group in by_target.items():
        pos = locate(post_html, target)
        if pos is not None:
            out.append((pos, cite_html(group)))
    return out


def _preparer(note: Note, post_shown, known: set[str] | None) -> Callable[..., str]:
    """A section's Markdown as it is rendered: its equations numbered in the note's series
    (kexue.notes.numbering), and, unless the note is reviewed, its tables and results the
    post does not hold labelled (kexue.notes.unsourced; ``known``: the post's numbers,
    None when there is no post)."""
    numbers = NoteNumbers.for_note(post_shown, (s.body for s in note.sections if not s.empty))
    label = known is not None and not reviewed(note)

    def prepare(body: str, under: str | None = None) -> str:
        body = numbers.rewrite(PLACEHOLDER_RE.sub("", body), under)
        return mark(body, known) if label else body

    return prepare


def standalone_html(note: Note, render: NoteRenderer) -> str:
    """The page of a note whose post is not in content/: every section, in note order,
    and a link to the original."""
    url = post_url(note.post_id)
    intro = (
        f'<p class="deriv-orphan">这是科学空间文章 <a href="{url}">{url}</a> 的推导注释；'
        "原文尚未镜像到本站，式号指原文中的编号。</p>"
    )
    parts = [intro, f'<p class="deriv-byline">{byline(note)}</p>']
    prepare = _preparer(note, (), None)
    for s in note.anchored:
        if s.empty:
            continue
        title = f"：{html.escape(s.title)}" if s.title else ""
        anchor = s.anchor
        caption = f"式 ({anchor.value})" if anchor.kind == "equation" else str(anchor)
        under = anchor.value if anchor.kind == "equation" else None
        parts.append(
            f'<section class="deriv-note deriv-standalone"><h2>{html.escape(caption)}{title}</h2>'
            f'<div class="deriv-body">\n{render(prepare(s.body, under))}\n</div></section>'
        )
    free = _free_html(note, render, prepare)
    if free:
        parts.append(f'<section class="deriv-appendix"><h2>{APPENDIX_TITLE}</h2>')
        parts += free
        parts.append("</section>")
    return "\n".join(parts)
