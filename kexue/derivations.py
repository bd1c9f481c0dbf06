"""Derivation notes: the note format, its parser, its checks, and the HTML it becomes.

A note is ``content/derivations/<id>.md``, written by this site's authors about post
``<id>``: a header block, a blank line, then Markdown::

    Post: 90001
    Status: review                      draft | review | done
    Authors: 张三, 李四
    Date: 2026-11-29

    Free text before the first anchored section goes to the appendix 推导与注释.

    ## @(3) 可选标题           under the equation shown as (3); a \\tag{KL} is @(KL)
    ## @eq:std-att 可选标题    under the equation carrying \\label{eq:std-att}
    ## @[方差的计算] 可选标题   at the end of the post's section with that heading
    ## @free 可选标题           more free text for the appendix

Only level-2 headings starting with ``@`` open sections (outside code), so any other
Markdown -- including a legacy note with headings of its own -- is free text.  Math
follows the posts' rules, except that a note may not use an auto-numbered environment
(it would shift the post's numbers on the page): tag its displays, ``\\tag{3.1}``.
Content boxes use admonition syntax, ``!!! theorem "标题"`` (kinds: BOX_KINDS), or the
legacy ``<div class="theorem-box" markdown="1">``; both carry the class ``theorem-box``.

Nothing here imports Pelican.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from kexue.fsutil import atomic_write_text
from kexue.posts import iter_post_files, read_post
from kexue.problems import CheckContext, Problem
from kexue.tex import MathSpan, _escaped, find_code_ranges, find_math, number_equations

NOTES_DIR = "derivations"
STATUSES = ("draft", "review", "done")
STATUS_LABELS = {"draft": "草稿", "review": "审阅中", "done": "已完成"}
HEADER_KEYS = ("Post", "Status", "Authors", "Date")
#: Content-box kinds; ``!!! <kind>`` in a note gives the class ``<kind>-box``.
BOX_KINDS = ("derivation", "theorem", "proof", "example", "intuition", "note")
APPENDIX_TITLE = "推导与注释"
APPENDIX_ID = "derivations"
SOURCE_BASE = "https://spaces.ac.cn/archives/"

_HEADER_LINE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]?(.*)$")
_SECTION_RE = re.compile(r"^##[ \t]+@(.*?)[ \t]*#*[ \t]*$", re.M)
_OTHER_LEVEL_RE = re.compile(r"^(#|#{3,6})[ \t]+@\S", re.M)
_ANCHOR_RE = re.compile(
    r"^(?:\((?P<eq>[^()\n]+)\)|\[(?P<heading>[^\]\n]+)\]|(?P<free>free)(?=\s|$)|(?P<label>\S+))"
    r"[ \t]*(?P<title>.*)$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AUTHORS_SPLIT_RE = re.compile(r"\s*[,，、;；]\s*")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HEADING_MD_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$", re.M)


class NoteFormatError(ValueError):
    """A note whose header cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Anchor:
    """What a section is attached to: an equation shown as (value), a \\label, a heading."""

    kind: str  # "equation" | "label" | "heading"
    value: str

    def __str__(self) -> str:
        return {"equation": "({})", "label": "{}", "heading": "[{}]"}[self.kind].format(self.value)


@dataclass
class Section:
    anchor: Anchor | None  # None: a free section (appendix)
    title: str
    body: str
    line: int  # 1-based line of the section's heading (or of its first line)
    offset: int  # offset of ``body`` in the note file's text
    raw_anchor: str | None = None  # what follows ``## @`` (None: the text before any)

    @property
    def empty(self) -> bool:
        return not _COMMENT_RE.sub("", self.body).strip()


@dataclass
class Note:
    post_id: str
    status: str = "draft"
    authors: list[str] = field(default_factory=list)
    date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    path: str = "<string>"
    text: str = ""  # the whole file
    header_lines: dict[str, int] = field(default_factory=dict)

    @property
    def anchored(self) -> list[Section]:
        return [s for s in self.sections if s.anchor is not None]

    @property
    def free(self) -> list[Section]:
        return [s for s in self.sections if s.anchor is None]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


def parse_header(
    text: str, path: Path | str = "<string>"
) -> tuple[dict[str, str], dict[str, int], int]:
    """The ``Key: value`` lines at the top of a note, the line of each key, and the offset
    where the body starts (after the blank line)."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    pos = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        pos += len(line) + 1
        if not line.strip():
            break
        m = _HEADER_LINE_RE.match(line)
        if not m:
            if not values:
                raise NoteFormatError(
                    path,
                    lineno,
                    "a note starts with a header (`Post: <id>`, `Status:`, `Authors:`, "
                    f"`Date:`) then a blank line; found {line[:60]!r}",
                )
            raise NoteFormatError(
                path,
                lineno,
                f"not a `Key: value` header line: {line[:60]!r} (end the header with a blank line)",
            )
        key = m.group(1).capitalize() if m.group(1).islower() else m.group(1)
        values[key] = m.group(2).strip()
        lines.setdefault(key, lineno)
    return values, lines, min(pos, len(text))


def read_note_header(path: Path) -> Note:
    """A note's header only (post id, status, authors, date): what the ledger needs."""
    text = Path(path).read_text(encoding="utf-8")
    return _note_from_header(text, path)[0]


def _note_from_header(text: str, path: Path | str) -> tuple[Note, int]:
    values, lines, body_start = parse_header(text, path)
    if not values.get("Post"):
        raise NoteFormatError(path, 1, "the header has no `Post: <id>` (the post's archive id)")
    note = Note(
        post_id=values.pop("Post"),
        status=(values.pop("Status", "") or "draft").lower(),
        authors=[a for a in _AUTHORS_SPLIT_RE.split(values.pop("Authors", "")) if a],
        date=values.pop("Date", ""),
        extra=values,
        path=str(path),
        text=text,
        header_lines=lines,
    )
    return note, body_start


def parse_note(text: str, path: Path | str = "<string>") -> Note:
    """Parse a note file's text; ``path`` names the file in errors and problems."""
    note, body_start = _note_from_header(text, path)
    code = find_code_ranges(text)

    def in_code(pos: int) -> bool:
        return any(a <= pos < b for a, b in code)

    heads = [m for m in _SECTION_RE.finditer(text, body_start) if not in_code(m.start())]
    first = heads[0].start() if heads else len(text)
    lead = text[body_start:first]
    if lead.strip():
        note.sections.append(Section(None, "", lead, note.line_of(body_start), body_start))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        start = m.end() + 1 if m.end() < len(text) else m.end()
        a = _ANCHOR_RE.match(m.group(1))
        anchor = None
        title = ""
        if a:
            title = a.group("title").strip()
            if a.group("eq"):
                anchor = Anchor("equation", a.group("eq").strip())
            elif a.group("heading"):
                anchor = Anchor("heading", a.group("heading").strip())
            elif a.group("label"):
                anchor = Anchor("label", a.group("label"))
        line = note.line_of(m.start())
        note.sections.append(Section(anchor, title, text[start:end], line, start, m.group(1)))
    return note


def read_note(path: Path) -> Note:
    return parse_note(Path(path).read_text(encoding="utf-8"), path)


def iter_note_files(content: Path, folder: str = NOTES_DIR) -> list[Path]:
    return sorted((Path(content) / folder).glob("*.md"))


def note_path(content: Path, post_id: str) -> Path:
    return Path(content) / NOTES_DIR / f"{post_id}.md"


# ------------------------------------------------------------------- the post's targets


@dataclass(frozen=True)
class Target:
    """A place in a post a section can attach to."""

    kind: str  # "equation" | "heading"
    shown: str = ""  # equation: what the reader sees, "3" or "KL"
    number: int | None = None
    label: str | None = None
    heading: str = ""  # heading: its text as written
    level: int = 0

    @property
    def element_id(self) -> str | None:
        """The id of the post's element (kexue.markdown_math's contract), if it has one."""
        if self.number is not None:
            return f"eq-{self.number}"
        return self.label

    @property
    def panel_id(self) -> str:
        if self.kind == "equation":
            return "deriv-eq-" + re.sub(r"\s+", "-", self.shown)
        return "deriv-sec-" + _norm(self.heading)

    @property
    def caption(self) -> str:
        return f"式 ({self.shown})" if self.kind == "equation" else f"§ {self.heading}"


def _norm(text: str) -> str:
    """Heading text compared loosely: no white space, emphasis or code marks."""
    return re.sub(r"[\s*`]+", "", html.unescape(text))


@dataclass
class PostTargets:
    """The equations (numbered or tagged) and headings of one post's Markdown body."""

    equations: list[Target]
    headings: list[Target]

    @classmethod
    def from_markdown(cls, body: str) -> PostTargets:
        equations = [
            Target("equation", e.shown, e.number, e.label)
            for e in number_equations(find_math(body))
        ]
        code = find_code_ranges(body)
        headings = []
        for m in _HEADING_MD_RE.finditer(body):
            if any(a <= m.start() < b for a, b in code):
                continue
            text = re.sub(r"\s*\{[^{}]*\}$", "", m.group(2))  # attribute list {#id}
            text = re.sub(r"\s+#+$", "", text).strip()  # closing hashes
            headings.append(Target("heading", heading=text, level=len(m.group(1))))
        return cls(equations, headings)

    def resolve(self, anchor: Anchor) -> Target | None:
        if anchor.kind == "equation":
            return next((t for t in self.equations if t.shown == anchor.value), None)
        if anchor.kind == "label":
            return next((t for t in self.equations if t.label == anchor.value), None)
        key = _norm(anchor.value)
        return next((t for t in self.headings if _norm(t.heading) == key), None)

    def candidates(self, anchor: Anchor, n: int = 3) -> list[str]:
        """The nearest existing anchors, written as a note would write them."""
        if anchor.kind == "equation" and anchor.value.isdigit():
            want = int(anchor.value)
            numbered = [t for t in self.equations if t.number is not None]
            numbered.sort(key=lambda t: (abs(t.number - want), t.number))
            return [f"({t.shown})" for t in numbered[:n]]
        written = {f"({t.shown})": t.shown for t in self.equations}
        written.update({t.label: t.label for t in self.equations if t.label})
        if anchor.kind == "heading":
            written = {f"[{t.heading}]": t.heading for t in self.headings}
        by_value = {v: w for w, v in written.items()}
        near = difflib.get_close_matches(anchor.value, list(by_value), n, 0.4)
        return [by_value[v] for v in near] or list(written)[:n]


# --------------------------------------------------------------------------- checks


def find_post_file(content: Path, post_id: str) -> Path | None:
    return next((p for p in iter_post_files(content) if p.stem == post_id), None)


def note_masks(text: str) -> list[tuple[int, int]]:
    """Ranges where no math counts: Markdown code and HTML comments."""
    ranges = find_code_ranges(text)
    ranges += [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]
    return sorted(ranges)


def check_note(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """Every problem of one note; ``targets`` is None when its post is not in content/."""
    path = note.path

    def problem(line: int, message: str) -> Problem:
        return Problem(path, line, message)

    stem = Path(path).stem
    if stem != note.post_id and path != "<string>":
        yield problem(
            note.header_lines.get("Post", 1),
            f"`Post: {note.post_id}` differs from the file name {stem}.md: rename one",
        )
    if note.status not in STATUSES:
        yield problem(
            note.header_lines.get("Status", 1),
            f"unknown status {note.status!r}: use one of {', '.join(STATUSES)}",
        )
    if note.date and not _DATE_RE.match(note.date):
        yield problem(note.header_lines.get("Date", 1), f"date {note.date!r} is not YYYY-MM-DD")
    if targets is None:
        yield problem(
            note.header_lines.get("Post", 1),
            f"post {note.post_id} is not in content/ (posts/ or samples/): the note builds as a "
            f"page of its own; fetch the post (`invoke crawl` or `invoke import-legacy`) or fix "
            f"the id",
        )
    code = find_code_ranges(note.text)
    for m in _OTHER_LEVEL_RE.finditer(note.text):
        if not any(a <= m.start() < b for a, b in code):
            yield problem(
                note.line_of(m.start()),
                "an anchor heading is level 2: write `## @…` (this line stays plain text)",
            )
    seen: dict[object, int] = {}
    for section in note.sections:
        raw = section.raw_anchor
        if raw is not None and section.anchor is None and not raw.startswith("free"):
            yield problem(
                section.line,
                f"cannot read the anchor `@{raw}`: write `@(3)`, `@eq:label`, `@[heading]` "
                "or `@free`",
            )
            continue
        if section.empty:
            what = f"section @{section.anchor}" if section.anchor else "section @free"
            yield problem(section.line, f"{what} is empty: write the note or delete the section")
        if section.anchor is None or targets is None:
            continue
        target = targets.resolve(section.anchor)
        if target is None:
            near = targets.candidates(section.anchor)
            kind = {"equation": "equation", "label": "label", "heading": "heading"}
            yield problem(
                section.line,
                f"post {note.post_id} has no {kind[section.anchor.kind]} "
                f"{section.anchor}" + (f"; nearest: {', '.join(near)}" if near else ""),
            )
            continue
        if target in seen:
            yield problem(
                section.line,
                f"@{section.anchor} annotates {target.caption}, already annotated at line "
                f"{seen[target]}: merge the two sections",
            )
        else:
            seen[target] = section.line
    yield from check_math(note, targets)


def check_math(note: Note, targets: PostTargets | None) -> Iterator[Problem]:
    """No auto-numbered display in an anchored section; every formula balanced; no label
    defined twice.

    An anchored section is shown between the post's equations, so an automatic number
    there would shift every later number of the post.  The free text goes to the appendix
    after the post, where automatic numbers only continue the post's (imported legacy
    notes rely on that), so it may use them."""
    text = note.text
    anchored = sorted((s.offset, s.anchor is not None) for s in note.sections)

    def in_anchored_section(pos: int) -> bool:
        before = [flag for offset, flag in anchored if offset <= pos]
        return bool(before and before[-1])

    body_start = min((s.offset for s in note.sections), default=len(text))
    masks = note_masks(text)
    spans = [s for s in find_math(text, skip=masks) if s.start >= body_start]
    displays = [s for s in spans if s.display]
    post_labels = {t.label for t in targets.equations if t.label} if targets else set()
    labels: dict[str, int] = {}
    for eq in number_equations(displays):
        span = displays[eq.span]
        line = note.line_of(span.start)
        if eq.number is not None and in_anchored_section(span.start):
            inner = re.match(r"\s*\\begin\{([^{}]*)\}", span.tex)
            env = span.environment or (
                f"{span.open}\\begin{{{inner.group(1)}}}" if inner else "display"
            )
            yield Problem(
                note.path,
                line,
                f"auto-numbered {env} in a note would shift the post's equation numbers: "
                "give it a \\tag{…} (e.g. \\tag{3.1}) or use a starred environment (equation*, "
                "align*)",
            )
        if eq.label:
            if eq.label in post_labels:
                yield Problem(
                    note.path,
                    line,
                    f"\\label{{{eq.label}}} is already defined in post {note.post_id}: "
                    "choose another label (\\eqref to the post's works without it)",
                )
            elif eq.label in labels:
                yield Problem(
                    note.path,
                    line,
                    f"\\label{{{eq.label}}} is defined twice (line {labels[eq.label]})",
                )
            labels.setdefault(eq.label, line)
    for span in spans:
        for message in formula_problems(span):
            yield Problem(note.path, note.line_of(span.start), message)
    for offset, opener in unclosed_math(text, spans, masks, body_start):
        yield Problem(note.path, note.line_of(offset), f"`{opener}` opens math that never closes")


_BRACE_OR_ENV_RE = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}|\\(left|right)(?![A-Za-z])|[{}]")


def formula_problems(span: MathSpan) -> list[str]:
    """Cheap static parse of one formula: braces, \\begin/\\end and \\left/\\right balance."""
    tex = span.source
    out = []
    depth = 0
    envs: list[str] = []
    lr = 0
    for m in _BRACE_OR_ENV_RE.finditer(tex):
        if _escaped(tex, m.start()):
            continue
        if m.group(1) == "begin":
            envs.append(m.group(2))
        elif m.group(1) == "end":
            if not envs:
                out.append(f"\\end{{{m.group(2)}}} without \\begin in `{_short(tex)}`")
            elif envs[-1] != m.group(2):
                out.append(
                    f"\\begin{{{envs[-1]}}} is closed by \\end{{{m.group(2)}}} in `{_short(tex)}`"
                )
                envs.pop()
            else:
                envs.pop()
        elif m.group(3):
            lr += 1 if m.group(3) == "left" else -1
        elif m.group(0) == "{":
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                out.append(f"a `}}` closes nothing in `{_short(tex)}`")
                depth = 0
    if depth > 0:
        out.append(f"{depth} unclosed `{{` in `{_short(tex)}`")
    for env in envs:
        out.append(f"\\begin{{{env}}} without \\end in `{_short(tex)}`")
    if lr:
        out.append(f"\\left and \\right do not pair up in `{_short(tex)}`")
    return out


def unclosed_math(
    text: str, spans: list[MathSpan], masks: list[tuple[int, int]], start: int
) -> list[tuple[int, str]]:
    """Display openers outside every span, code and comment: math that never closes."""
    taken = sorted([(s.start, s.end) for s in spans] + masks)
    out = []
    for m in re.finditer(r"\$\$|\\\[|\\begin\{[A-Za-z]+\*?\}", text[start:]):
        pos = start + m.start()
        if _escaped(text, pos) or any(a <= pos < b for a, b in taken):
            continue
        out.append((pos, m.group(0)))
    return out


def _short(tex: str, n: int = 50) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= n else tex[: n - 1] + "…"


def check_notes(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: every problem of every note in ``content/derivations/`` (post
    exists, anchors resolve, no auto-numbering in anchored sections, formulas parse)."""
    content = ctx.content
    for path in iter_note_files(content):
        try:
            note = read_note(path)
        except NoteFormatError as e:
            yield Problem(e.path, e.line, e.message)
            continue
        post_file = find_post_file(content, note.post_id)
        targets = PostTargets.from_markdown(read_post(post_file).body) if post_file else None
        yield from check_note(note, targets)


# ------------------------------------------------------------------------- scaffolding


def scaffold(post_id: str, body: str, today: str) -> str:
    """A new note for the post whose Markdown body is ``body``: one empty section per
    numbered or tagged equation (anchored by label when it has one), its number, label and
    TeX in a comment."""
    lines = [
        f"Post: {post_id}",
        "Status: draft",
        "Authors: ",
        f"Date: {today}",
        "",
        "<!-- 推导注释（本站撰写）。每个 `## @…` 节显示在它所指的公式正下方；开头这段和",
        "     `## @free` 节进入文末附录“推导与注释”。格式见 README 的“推导注释”一节。",
        "     注释里的公式不要用自动编号环境，请写 \\tag{3.1} 这样的标签。 -->",
        "",
    ]
    for eq in number_equations(find_math(body)):
        anchor = eq.label or f"({eq.shown})"
        about = f"({eq.shown})" + (f" \\label{{{eq.label}}}" if eq.label else "")
        tex = eq.tex.strip().replace("-->", "-- >")
        lines += [f"## @{anchor}", f"<!-- {about}", tex, "-->", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------- rendering


class _BoxClasses(Treeprocessor):
    """``!!! theorem`` boxes also get ``theorem-box``, the class legacy notes use."""

    def run(self, root):
        for el in root.iter():
            classes = (el.get("class") or "").split()
            if "admonition" in classes:
                extra = [f"{k}-box" for k in BOX_KINDS if k in classes]
                extra = [c for c in extra if c not in classes]
                if extra:
                    el.set("class", " ".join(classes + extra))


class NoteBoxesExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        # After the theme's box extension (15), which reshapes admonitions.
        md.treeprocessors.register(_BoxClasses(md), "kexue_note_boxes", 14)


def _note_markdown_args(config: dict | None) -> dict:
    """Keyword arguments of the notes' Markdown: the posts' setup (``config`` is Pelican's
    MARKDOWN) without the header (meta) and heading-id (toc) extensions, with TeX
    protection, admonition boxes and the site's HTML allowlist (kexue.sanitize)."""
    config = dict(config or {})
    ext_configs = dict(config.pop("extension_configs", {}) or {})
    extensions = list(config.pop("extensions", []) or [])
    extensions += [e for e in ext_configs if e not in extensions]
    dropped = ("markdown.extensions.meta", "meta", "markdown.extensions.toc", "toc")
    extensions = [e for e in extensions if not (isinstance(e, str) and e in dropped)]
    for wanted in ("markdown.extensions.extra", "kexue.markdown_math", "kexue.sanitize"):
        if wanted not in extensions:
            extensions.append(wanted)
    if not {"admonition", "markdown.extensions.admonition", "kexue.markdown_boxes"} & set(
        e for e in extensions if isinstance(e, str)
    ):
        extensions.append("markdown.extensions.admonition")
    ext_configs = {k: v for k, v in ext_configs.items() if k in extensions}
    return {"extensions": extensions, "extension_configs": ext_configs, **config}


_NOTE_EQ_ID_RE = re.compile(
    r'(<div class="math display") id="eq-\d+"|<span class="eq-anchor" id="eq-\d+"></span>'
)


class NoteRenderer:
    """Markdown of note sections to HTML, with an optional cache file.

    The automatic numbers a note must not have get no ids (they would repeat the post's
    ``eq-N``).  With ``cache``, results are kept in that JSON file, keyed on the text and
    the Markdown setup; put it in a folder tied to the code's version (Pelican's
    CACHE_PATH is)."""

    def __init__(self, config: dict | None = None, cache: Path | None = None):
        args = _note_markdown_args(config)
        self._md = markdown.Markdown(
            **{**args, "extensions": [*args["extensions"], NoteBoxesExtension()]}
        )
        self._setup = repr(sorted((str(k), repr(v)) for k, v in args.items()))
        self.cache = Path(cache) if cache else None
        self._old: dict[str, str] = {}
        self._used: dict[str, str] = {}
        if self.cache and self.cache.is_file():
            try:
                self._old = json.loads(self.cache.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self._old = {}

    def __call__(self, text: str) -> str:
        key = hashlib.sha256(f"{self._setup}\0{text}".encode()).hexdigest()
        out = self._used.get(key) or self._old.get(key)
        if out is None:
            self._md.reset()
            out = _NOTE_EQ_ID_RE.sub(lambda m: m.group(1) or "", self._md.convert(text))
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
    parts = [f"本站注释，非原文 · {html.escape(who)}", f"状态：{note.status_label}"]
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


def appendix_html(note: Note, free: list[str], lost: list[Placed], intro: str = "") -> str:
    if not free and not lost:
        return ""
    parts = [
        f'<section class="deriv-appendix" id="{APPENDIX_ID}" '
        f'data-deriv-status="{html.escape(note.status)}" aria-labelledby="{APPENDIX_ID}-title">',
        f'<h2 id="{APPENDIX_ID}-title">{APPENDIX_TITLE}</h2>',
        f'<p class="deriv-byline">{byline(note)}</p>',
        intro,
    ]
    parts += free
    for p in lost:
        parts.append(
            f'<div class="deriv-lost"><h3>关于 {html.escape(str(p.section.anchor))}'
            + (f"：{html.escape(p.section.title)}" if p.section.title else "")
            + "</h3>\n"
            + p.html
            + "</div>"
        )
    parts.append("</section>")
    return "\n".join(x for x in parts if x)


def _free_html(note: Note, render: NoteRenderer) -> list[str]:
    out = []
    for s in note.free:
        if s.empty:
            continue
        head = f"<h3>{html.escape(s.title)}</h3>\n" if s.title else ""
        out.append(head + render(s.body))
    return out


_DISPLAY_OPEN = '<div class="math display"'
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
            for m in re.finditer(r'data-eq-shown="([^"]*)"', post_html):
                if target.shown in html.unescape(m.group(1)).split("|"):
                    pos = m.start()
                    break
        if pos < 0:
            return None
        start = post_html.rfind(_DISPLAY_OPEN, 0, pos + 1)
        end = post_html.find("</div>", pos)
        return end + len("</div>") if start >= 0 and end >= 0 else None
    heads = list(_HEADING_HTML_RE.finditer(post_html))
    for i, m in enumerate(heads):
        if _norm(_heading_text(m.group(2))) == _norm(target.heading):
            level = int(m.group(1))
            later = (h for h in heads[i + 1 :] if int(h.group(1)) <= level)
            nxt = next(later, None)
            return nxt.start() if nxt else len(post_html.rstrip()) if post_html.strip() else 0
    return None


def annotate(post_html: str, post_body: str, note: Note, render: NoteRenderer) -> Annotated:
    """Attach ``note`` to a post: each anchored section as a closed panel right after its
    equation (or at the end of its heading's section), free text and sections whose anchor
    is not found as the appendix.  The post's own bytes are kept as they are."""
    targets = PostTargets.from_markdown(post_body)
    placed: list[Placed] = []
    insertions: list[tuple[int, str]] = []
    for section in note.anchored:
        if section.empty:
            continue
        target = targets.resolve(section.anchor)
        p = Placed(section, target, render(section.body))
        pos = locate(post_html, target) if target else None
        if pos is None:
            p.target = None
        else:
            insertions.append((pos, panel_html(p, note)))
        placed.append(p)
    out = []
    last = 0
    for pos, block in sorted(insertions, key=lambda x: x[0]):  # stable: note order kept
        out.append(post_html[last:pos])
        out.append(block)
        last = pos
    out.append(post_html[last:])
    lost = [p for p in placed if p.target is None]
    appendix = appendix_html(note, _free_html(note, render), lost)
    return Annotated("".join(out), insertions, appendix, placed, note)


def standalone_html(note: Note, render: NoteRenderer) -> str:
    """The page of a note whose post is not in content/: every section, in note order,
    and a link to the original."""
    url = f"{SOURCE_BASE}{note.post_id}"
    intro = (
        f'<p class="deriv-orphan">这是科学空间文章 <a href="{url}">{url}</a> 的推导注释；'
        "原文尚未镜像到本站，式号指原文中的编号。</p>"
    )
    parts = [intro, f'<p class="deriv-byline">{byline(note)}</p>']
    for s in note.anchored:
        if s.empty:
            continue
        title = f"：{html.escape(s.title)}" if s.title else ""
        anchor = s.anchor
        caption = f"式 ({anchor.value})" if anchor.kind == "equation" else str(anchor)
        parts.append(
            f'<section class="deriv-note deriv-standalone"><h2>{html.escape(caption)}{title}</h2>'
            f'<div class="deriv-body">\n{render(s.body)}\n</div></section>'
        )
    free = _free_html(note, render)
    if free:
        parts.append(f'<section class="deriv-appendix"><h2>{APPENDIX_TITLE}</h2>')
        parts += free
        parts.append("</section>")
    return "\n".join(parts)


def load_notes(content: Path, folder: str = NOTES_DIR) -> tuple[dict[str, Note], list[str]]:
    """Every readable note by post id, and the errors of those that are not."""
    notes, errors = {}, []
    for path in iter_note_files(content, folder):
        try:
            note = read_note(path)
        except NoteFormatError as e:
            errors.append(str(e))
            continue
        notes[note.post_id] = note
    return notes, errors


def newest_first(notes: Iterable[Note]) -> list[Note]:
    """Notes newest first (by Date, then id)."""
    return sorted(notes, key=lambda n: (n.date, n.post_id), reverse=True)
