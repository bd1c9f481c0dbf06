"""The note format and its parser: header, ``## @`` sections, and finding note files.

A note is ``content/derivations/<id>.md`` (see kexue.notes for the format).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.header import HeaderError, parse_header, read_text
from kexue.core.paths import NOTE_DIR
from kexue.math.tex import find_code_ranges

NOTES_DIR = NOTE_DIR
STATUSES = ("draft", "review", "done")
STATUS_LABELS = {"draft": "草稿", "review": "审阅中", "done": "已完成"}
HEADER_KEYS = ("Post", "Status", "Authors", "Date")
_NOTE_KEYS = "`Post: <id>`, `Status:`, `Authors:`, `Date:`"

_SECTION_RE = re.compile(r"^##[ \t]+@(.*?)[ \t]*#*[ \t]*$", re.M)
_ANCHOR_RE = re.compile(
    r"^(?:\((?P<eq>[^()\n]+)\)|\[(?P<heading>[^\]\n]+)\]|(?P<free>free)(?=\s|$)|(?P<label>\S+))"
    r"[ \t]*(?P<title>.*)$"
)
_AUTHORS_SPLIT_RE = re.compile(r"\s*[,，、;；]\s*")
#: An HTML comment (an unclosed one runs to the end): no text, no math.
COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
#: A placeholder line a generator left: ``TODO: 添加详细的数学公式推导和注释``.
TODO_LINE_RE = re.compile(r"^[ \t]*(?:[-*][ \t]+)?TODO\b[^\n]*$", re.M)
#: The placeholder line the earlier mirror's generator wrote into every note.
PLACEHOLDER_RE = re.compile(r"^[ \t]*TODO: 添加详细的数学公式推导和注释[ \t]*(?:\n|$)", re.M)
#: Lines that say nothing by themselves: headings, rules, blank lines.
_HOLLOW_LINE_RE = re.compile(r"^[ \t]*(?:#{1,6}(?:[ \t][^\n]*)?|(?:[-*_][ \t]*){3,})?[ \t]*$", re.M)


class NoteFormatError(HeaderError):
    """A note whose header cannot be read; the message names the file and line."""


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
        return not COMMENT_RE.sub("", self.body).strip()


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

    @property
    def stub(self) -> bool:
        """Nothing written: no section says anything beyond headings, rules, comments and
        TODO lines (a generator's placeholder)."""
        return not any(_says_something(s.body) for s in self.sections)

    @property
    def kind(self) -> str:
        """``stub`` (nothing written), ``draft`` (Status: draft) or ``written``."""
        if self.stub:
            return "stub"
        return "draft" if self.status == "draft" else "written"

    @property
    def publishable(self) -> bool:
        """Shown on the production site: written and not a draft."""
        return self.kind == "written"


def _says_something(body: str) -> bool:
    text = TODO_LINE_RE.sub("", COMMENT_RE.sub("", body))
    return bool(_HOLLOW_LINE_RE.sub("", text).strip())


def _trailing_todo(text: str, start: int) -> int:
    """Where the note's text ends once a trailing TODO line (and the headings, rules and
    blank lines it left hanging) is dropped; ``len(text)`` when it has none."""
    lines = text[start:].splitlines(keepends=True)
    ends = [start]
    for line in lines:
        ends.append(ends[-1] + len(line))
    n = len(lines)
    while n and not lines[n - 1].strip():
        n -= 1
    if not n or not TODO_LINE_RE.fullmatch(lines[n - 1].rstrip("\r\n")):
        return len(text)
    n -= 1
    while n and _HOLLOW_LINE_RE.fullmatch(lines[n - 1].rstrip("\r\n")):
        n -= 1
    return ends[n]


def read_note_header(path: Path) -> Note:
    """A note's header only (post id, status, authors, date): what the ledger needs."""
    text = read_text(path, NoteFormatError)
    return _note_from_header(text, path)[0]


def _note_from_header(text: str, path: Path | str) -> tuple[Note, int]:
    header = parse_header(text, path, what="note", keys=_NOTE_KEYS, error=NoteFormatError)
    values = {k: v.strip() for k, v in header.values.items()}
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
        header_lines=header.lines,
    )
    return note, header.body_start


def parse_note(text: str, path: Path | str = "<string>") -> Note:
    """Parse a note file's text; ``path`` names the file in errors and problems."""
    note, body_start = _note_from_header(text, path)
    stop = _trailing_todo(text, body_start)
    code = find_code_ranges(text)

    def in_code(pos: int) -> bool:
        return any(a <= pos < b for a, b in code)

    heads = [m for m in _SECTION_RE.finditer(text, body_start, stop) if not in_code(m.start())]
    first = heads[0].start() if heads else stop
    lead = text[body_start:first]
    if lead.strip():
        note.sections.append(Section(None, "", lead, note.line_of(body_start), body_start))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else stop
        start = min(m.end() + 1, end)
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
    return parse_note(read_text(path, NoteFormatError), path)


def iter_note_files(content: Path, folder: str = NOTES_DIR) -> list[Path]:
    return sorted((Path(content) / folder).glob("*.md"))


def note_path(content: Path, post_id: str) -> Path:
    return Path(content) / NOTES_DIR / f"{post_id}.md"


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
