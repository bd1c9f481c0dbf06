"""Import the earlier mirror (``blogs_raw/``, ``blog_list.txt``, ``topic_classification.json``).

Each legacy file is one post as converted by html2text, often followed by a derivation
section written for that mirror.  :func:`import_legacy` turns the folder into this project's
layout:

* ``content/posts/<id>.md``: the post text (tool header, boilerplate and html2text damage
  removed), one file per archive id; duplicates merged (fullest text, longest title).
* ``content/derivations/<id>.md``: every derivation text of every file of that id, verbatim,
  under a header (``Post``, ``Status``, ``Authors``, ``Date``); the HTML boxes get
  ``markdown="1"`` so Python-Markdown's md_in_html renders the Markdown inside them.
* ``content/overrides/legacy-topics.json``: ``{"<id>": "<legacy topic name>"}``, the legacy
  topic assignments, kept verbatim; applied only with ``TOPICS_LEGACY_OVERRIDES = True``
  (the topics code maps the names).
* ``content/overrides/legacy-notes.json``: the digest of each note as the import wrote it,
  so that a re-run overwrites a note only if nobody edited it since (or with ``force``).

The html2text damage is regular (see docs/source-site.md): html2text doubled every backslash
that was followed by one of ``\\`*_{}[]()#+-.!``, put a backslash before ``-``, ``+`` and
``1.`` at the start of a text chunk (a line, or just after an entity such as ``&amp;``), and
turned ``<br>`` into a two-space line break.  :func:`repair_tex` undoes exactly that, inside
TeX spans only; a span whose backslashes cannot be html2text output (for example ``\\\\``
before a newline) was not converted by html2text and is left as written.

Nothing here imports Pelican.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.errors import InputError
from kexue.core.fsutil import atomic_write_text, read_record, text_digest
from kexue.core.posts import Post, write_post
from kexue.core.source import find_post_id, post_url
from kexue.legacy.anchoring import AnchoringReport, anchor_imported, save_record
from kexue.legacy.images import link_images
from kexue.legacy.note_repair import KINDS as NOTE_REPAIRS
from kexue.legacy.note_repair import Repair, repair_note_math
from kexue.legacy.tags import legacy_tags, legacy_tags_record
from kexue.legacy.words import repair_links, restore_words
from kexue.math.tex import find_code_ranges, find_math

__all__ = [
    "ImportReport",
    "LegacyFile",
    "import_legacy",
    "parse_legacy_file",
    "repair_markdown",
    "repair_tex",
    "render_boxes",
]

AUTHOR = "苏剑林"
DERIVATION_HEADING = "## 公式推导与注释"
# Legacy statuses (file front matter and ledger) -> derivation-note statuses.
NOTE_STATUS = {"pending": "draft", "in_progress": "review", "completed": "done"}
_STATUS_RANK = {"pending": 0, "in_progress": 1, "completed": 2}
NOTE_FIELDS = ("Post", "Status", "Authors", "Date")
# Characters after which html2text doubled a backslash (html2text.config.RE_SLASH_CHARS).
SLASH_CHARS = frozenset("\\`*_{}[]()#+-.!")

_LINK_LINE_RE = re.compile(r"^\*\*原文链接\*\*:\s*\[([^\]]*)\]")
_DATE_LINE_RE = re.compile(r"^\*\*发布日期\*\*:\s*(.*)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXCERPT_LINK_RE = re.compile(r"^\[\[\.\.\.\]\]\((\S+)(?: \"(.*)\")?\)\s*$", re.M)
_CITE_RE = re.compile(r"^苏剑林\. \((\w{3})\. (\d{1,2}), (\d{4})\)\. 《(.*?)\s*》", re.M)
_BIBTEX_TITLE_RE = re.compile(r"^title=\{(.*)\},?\s*$", re.M)
_BIBTEX_AUTHOR_RE = re.compile(r"^author=\{(.*)\},?\s*$", re.M)
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
# The first line of the site's boilerplate at the end of a post (html2text's rendering).
_BOILERPLATE_START = (
    "_**转载到请包括本文地址",
    "_**更详细的转载事宜请参考",
    "**如果您还有什么疑惑或建议",
    "**如果您觉得本文还不错",
    "**如果您需要引用本文",
    "@online{kexuefm-",
)
_HEADING_SELF_LINK_RE = re.compile(r"^(#{1,6} .*?) #[ \t]*$", re.M)
_TRUNCATED = ("...", "…")
# An image's alt text, where html2text escaped brackets and parentheses.
# A link's address holding escaped parentheses: ](https://…_\(x\)) (no title).
_LINK_DEST_RE = re.compile(r"\]\(((?:[^()\s\\]|\\[()])*\\\((?:[^()\s\\]|\\[()])*)\)")
_IMAGE_ALT_RE = re.compile(r"!\[((?:\\.|[^\]\\\n])*)\]\(")
# Signs of that mirror's own additions inside a post's text: its HTML boxes, or an inserted
# "detailed derivation" section (the site's own headings never carry these names).
_ADDED_RE = re.compile(
    r'^\s*<(?:div class="|details>)|^#{2,4} (?:(?:详细|完整)数学推导|第\d+部分)'
    r"|^#{1,6} .*[\U0001F300-\U0001FAFF\u2600-\u27BF]",
    re.M,
)
_OPEN_TAG_RE = re.compile(r"<(div|details)\b((?:(?!\bmarkdown=)[^>])*?)\s*(/?)>", re.I)


# --------------------------------------------------------------------------- TeX repair


def _run_repair(run: int, nxt: str) -> tuple[int, str | None]:
    """Original length of a backslash run html2text wrote as ``run`` backslashes + ``nxt``.

    Returns (original length, repair kind or None); original length -1 when the run cannot
    be html2text output (the span was not converted by html2text).
    """
    if nxt in SLASH_CHARS:
        if run % 2 == 0:
            orig = run // 2
        elif run == 1 and nxt in "-+.":
            return 0, "line-start escape \\- \\+ \\."
        else:
            return -1, None
    else:
        if run % 2 == 0:
            return -1, None
        orig = (run + 1) // 2
    if orig == run:
        return orig, None
    if nxt in "{}":
        kind = "doubled \\{ \\}"
    elif nxt == "[" and orig == 2:
        kind = "doubled \\\\[ (line break with spacing)"
    elif orig == 2:
        kind = "tripled \\\\ (line break)"
    elif nxt == "#":
        kind = "doubled \\#"
    else:
        kind = f"doubled \\{nxt}" if nxt in SLASH_CHARS else "doubled backslash"
    return orig, kind


def _undouble(tex: str) -> tuple[str, Counter] | None:
    """Undo html2text's backslash escapes in one span; None if it is not html2text output."""
    out = []
    kinds: Counter = Counter()
    pos = 0
    for m in re.finditer(r"\\+", tex):
        nxt = tex[m.end() : m.end() + 1]
        orig, kind = _run_repair(len(m.group()), nxt)
        if orig < 0:
            return None
        out.append(tex[pos : m.start()])
        out.append("\\" * orig)
        pos = m.end()
        if kind:
            kinds[kind] += 1
    out.append(tex[pos:])
    return "".join(out), kinds


_NOT_HTML2TEXT = "spans not converted by html2text (left as written)"
_BR_IN_TEX_RE = re.compile(r"[ \t]{2,}\n")


def repair_tex_span(source: str) -> tuple[str, Counter]:
    """Repair one TeX span as html2text left it (delimiters included)."""
    kinds: Counter = Counter()
    undone = _undouble(source)
    if undone is None:
        kinds[_NOT_HTML2TEXT] += 1
    else:
        source, kinds = undone
    n = len(_BR_IN_TEX_RE.findall(source))
    if n:
        kinds["two-space break inside TeX"] += n
        source = _BR_IN_TEX_RE.sub("\n", source)
    return source, kinds


def repair_tex(text: str, left: list[int] | None = None) -> tuple[str, Counter]:
    """Repair html2text's damage inside every TeX span of Markdown ``text``.

    Spans are found on the damaged text: the damage never touches a delimiter (``$``,
    ``\\begin``/``\\end``) and never leaves an odd run of backslashes before a ``$``.  Two-space
    line breaks just before or after display math are the ``<br>`` around the formula and
    become plain newlines.  Returns the text and the repairs made, by kind; ``left``, when
    given, receives the offset (in the result) of each span left as written.
    """
    kinds: Counter = Counter()
    out = []
    pos = 0
    for span in find_math(text):
        before = text[pos : span.start]
        if span.display and before.endswith("  \n"):
            before = before[:-3].rstrip(" \t") + "\n"
            kinds["two-space break around display math"] += 1
        out.append(before)
        fixed, k = repair_tex_span(span.source)
        kinds.update(k)
        if left is not None and _NOT_HTML2TEXT in k:
            left.append(sum(map(len, out)))
        out.append(fixed)
        pos = span.end
        if span.display:
            m = re.match(r"[ \t]{2,}\n", text[pos:])
            if m:
                out.append("\n")
                pos += m.end()
                kinds["two-space break around display math"] += 1
    out.append(text[pos:])
    return "".join(out), kinds


# ----------------------------------------------------------------------- Markdown repair


def repair_markdown(text: str) -> tuple[str, Counter]:
    """Markdown-level html2text damage: the heading self-link ``#`` and image-alt escapes.

    html2text escaped ``(``, ``)``, ``[`` and ``]`` in alt text; ``\\(x\\)`` there would be
    taken for TeX and break the ``<img>`` tag, so they are unescaped (brackets only when
    balanced).
    """
    kinds: Counter = Counter()
    code = find_code_ranges(text)

    def outside_code(pos: int) -> bool:
        return not any(a <= pos < b for a, b in code)

    def heading(m: re.Match) -> str:
        if not outside_code(m.start()):
            return m.group(0)
        kinds["heading self-link ' #'"] += 1
        return m.group(1)

    def alt(m: re.Match) -> str:
        inner = m.group(1)
        plain = re.sub(r"\\([()\[\]])", r"\1", inner)
        if plain == inner or not outside_code(m.start()):
            return m.group(0)
        if plain.count("[") != plain.count("]"):  # unbalanced: keep the brackets escaped
            plain = re.sub(r"\\([()])", r"\1", inner)
        kinds["escaped ( ) [ ] in image alt text (read as TeX \\( \\[)"] += 1
        return f"![{plain}]("

    def destination(m: re.Match) -> str:
        plain = m.group(1).replace("\\(", "(").replace("\\)", ")")
        if plain == m.group(1) or not outside_code(m.start()):
            return m.group(0)
        if plain.count("(") != plain.count(")"):
            return m.group(0)
        kinds["escaped ( ) in a link address (read as TeX \\( \\))"] += 1
        return f"]({plain})"

    text = _HEADING_SELF_LINK_RE.sub(heading, text)
    code = find_code_ranges(text)
    text = _IMAGE_ALT_RE.sub(alt, text)
    code = find_code_ranges(text)
    text = _LINK_DEST_RE.sub(destination, text)
    return text, kinds


# ----------------------------------------------------------------------- derivation boxes


def render_boxes(text: str) -> str:
    """Give every ``<div>``/``<details>`` opening tag outside code ``markdown="1"``.

    Python-Markdown's md_in_html (in ``markdown.extensions.extra``) then renders the Markdown
    and the math inside the legacy boxes (derivation-box, theorem-box, …).
    """
    code = find_code_ranges(text)
    out = []
    pos = 0
    for m in _OPEN_TAG_RE.finditer(text):
        if any(a <= m.start() < b for a, b in code) or m.group(3):
            continue
        out.append(text[pos : m.start()])
        out.append(f'<{m.group(1)}{m.group(2)} markdown="1">')
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# ------------------------------------------------------------------------- legacy files


class LegacyFormatError(InputError):
    """A legacy folder or file that cannot be imported; the message names it."""


@dataclass
class LegacyFile:
    path: Path
    front: dict[str, str]
    id: str = ""
    # full | excerpt (the feed's text only) | mixed (original text interleaved with that
    # mirror's boxes) | rewritten (no original text recognisable)
    kind: str = "full"
    titles: list[str] = field(default_factory=list)
    # (priority, YYYY-MM-DD): 0 the site's citation block, 1 the 发布日期 line, 2 the front
    # matter, 3 the ledger.
    dates: list[tuple[int, str]] = field(default_factory=list)
    author: str = ""
    post_text: str = ""
    post_line: int = 0  # line (1-based) in the file where the post text starts
    derivation: str = ""
    derivation_line: int = 0
    repairs: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        return self.front.get("status", "").strip()


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str, int]:
    if not text.startswith("---\n"):
        raise LegacyFormatError(f"{path}: no front-matter block (`---` on the first line)")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise LegacyFormatError(f"{path}: the front-matter block is not closed by `---`")
    front = {}
    for line in text[4:end].split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            front[key.strip()] = value.strip()
    body = text[end + 5 :]
    return front, body, text[: end + 5].count("\n") + 1


def _strip_tool_header(lines: list[str], file: LegacyFile) -> int:
    """Index of the first line after the tool's header (# title, 原文链接, 发布日期, ---)."""
    i = 0
    seen = False
    while i < len(lines) and i < 12:
        line = lines[i]
        if line.startswith("# ") and not seen:
            file.titles.append(line[2:].strip())
        elif m := _LINK_LINE_RE.match(line):
            link_id = find_post_id(m.group(1))
            if link_id and not file.id:
                file.id = link_id
            elif link_id and link_id != file.id:
                file.problems.append(
                    f"{file.name}: source id {file.id} differs from 原文链接 id {link_id}"
                )
        elif m := _DATE_LINE_RE.match(line):
            if m.group(1).strip():
                file.dates.append((1, m.group(1).strip()))
        elif line.strip() == "---":
            seen = True
            i += 1
            break
        elif line.strip():
            break
        i += 1
    return i if seen else 0


def _cut_boilerplate(post: str, file: LegacyFile) -> str:
    lines = post.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(_BOILERPLATE_START):
            tail = "\n".join(lines[i:])
            if m := _CITE_RE.search(tail):
                month = _MONTHS.get(m.group(1))
                if month:
                    file.dates.append((0, f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}"))
                file.titles.append(m.group(4).strip())
            if m := _BIBTEX_TITLE_RE.search(tail):
                file.titles.append(m.group(1).strip())
            if m := _BIBTEX_AUTHOR_RE.search(tail):
                file.author = m.group(1).strip()
            return "\n".join(lines[:i])
    return post


def _derivation_start(lines: list[str], after: int) -> int:
    """First line of the derivation text at or after ``after`` (skipping blanks and ---)."""
    i = after
    while i < len(lines) and lines[i].strip() in ("", "---"):
        i += 1
    return i


def parse_legacy_file(path: Path) -> LegacyFile:
    """Read one legacy file: id, titles, dates, post text (repaired) and derivation text."""
    path = Path(path)
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    front, body, body_line = _split_front_matter(text, path)
    file = LegacyFile(path=path, front=front)
    if source_id := find_post_id(front.get("source", "")):
        file.id = source_id
    if front.get("title"):
        file.titles.append(front["title"])
    if front.get("date"):
        file.dates.append((2, front["date"]))
    lines = body.split("\n")
    start = _strip_tool_header(lines, file)
    if not file.id:
        raise LegacyFormatError(
            f"{path}: no post id (neither `source:` nor a **原文链接** line names "
            f"{post_url('<id>')}); add `source:` to its front matter"
        )
    end, deriv = _post_end(lines, start, file, body_line)
    post = _post_text(lines, start, end, file, body_line)
    if deriv < len(lines):
        file.derivation = "\n".join(lines[deriv:]).strip("\n")
        file.derivation_line = body_line + deriv
    if file.kind == "mixed":
        file.derivation = (post + "\n\n" + file.derivation).strip("\n")
        post = ""
    file.post_text = post
    return file


def _post_end(lines: list[str], start: int, file: LegacyFile, body_line: int) -> tuple[int, int]:
    """Where the post text ends and the derivation text starts (line indexes): at the
    site's citation block, the feed's "read more" link, or the derivation heading,
    whichever comes first; sets ``file.kind`` to excerpt or rewritten."""
    end = deriv = len(lines)
    heading = next(
        (i for i in range(start, len(lines)) if lines[i].strip() == DERIVATION_HEADING), None
    )
    bib = next((i for i in range(start, len(lines)) if lines[i].startswith("@online{")), None)
    more = next((i for i in range(start, len(lines)) if _EXCERPT_LINK_RE.match(lines[i])), None)
    if bib is not None and (heading is None or bib < heading):
        j = bib
        while j < len(lines) and lines[j].strip() != "}":
            j += 1
        end, deriv = j + 1, _derivation_start(lines, j + 1)  # cut with the boilerplate
    if more is not None and more < end and (heading is None or more < heading):
        file.kind = "excerpt"
        end, deriv = more + 1, _derivation_start(lines, more + 1)
    if heading is not None and heading < end:
        end, deriv = heading, heading
    if bib is None and more is None and heading is None:
        # No citation block, no "read more" link, no derivation heading: the file was
        # rewritten by that mirror; its text cannot be told apart from the original's.
        file.kind = "rewritten"
        end, deriv = start, _derivation_start(lines, start)
        file.problems.append(
            f"{file.name}:{body_line + start}: no citation block, 'read more' link or "
            f"{DERIVATION_HEADING} heading: the whole text is kept as the derivation note and "
            "the post is marked excerpt (run `invoke crawl --ids` for the original)"
        )
    return end, deriv


def _post_text(lines: list[str], start: int, end: int, file: LegacyFile, body_line: int) -> str:
    """The post text of ``lines[start:end]``: boilerplate cut, html2text damage repaired;
    a text holding that mirror's additions makes ``file`` mixed."""
    post = _cut_boilerplate("\n".join(lines[start:end]), file)
    box = _ADDED_RE.search(post) if file.kind != "rewritten" else None
    if box:
        file.kind = "mixed"
        file.problems.append(
            f"{file.name}:{body_line + start + post.count(chr(10), 0, box.start())}: the post "
            "text holds that mirror's own additions: it is kept in the derivation note, and the "
            "post is marked excerpt (run `invoke crawl --ids` for the original)"
        )
    while post.endswith("\n---") or post.rstrip() != post:
        post = post.rstrip()
        if post.endswith("\n---"):
            post = post[:-4]
    lead = len(post) - len(post.lstrip("\n"))
    post = post.strip("\n")
    file.post_line = body_line + start + lead
    post, kinds = repair_markdown(post)  # keeps every line where it was
    file.repairs.update(kinds)
    left: list[int] = []
    post, kinds = repair_tex(post, left)
    file.repairs.update(kinds)
    if left and file.kind in ("full", "excerpt"):
        lines_left = sorted({file.post_line + post.count("\n", 0, i) for i in left})
        shown = ", ".join(map(str, lines_left[:8])) + (", …" if len(lines_left) > 8 else "")
        file.problems.append(
            f"{file.name}:{lines_left[0]}: {len(left)} TeX span(s) whose backslashes are not "
            f"html2text's, left as written (lines {shown})"
        )
    return post


# ------------------------------------------------------------------------------- ledger


@dataclass(frozen=True)
class LedgerRow:
    line: int
    title: str
    slug: str
    path: str
    status: str
    date: str


def read_ledger(path: Path) -> tuple[list[LedgerRow], list[str]]:
    rows, problems = [], []
    if not Path(path).is_file():
        return rows, [f"{path}: no ledger (blog_list.txt); statuses come from the files only"]
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) != 6:
            problems.append(
                f"{Path(path).name}:{n}: not `title | slug | path | status | date | tags`"
            )
            continue
        rows.append(LedgerRow(n, cells[0], cells[1], cells[2], cells[3], cells[4]))
    return rows, problems


# ------------------------------------------------------------------------------- report


@dataclass
class ImportReport:
    source: Path
    content: Path
    files_read: int = 0
    posts_written: int = 0
    posts_unchanged: int = 0
    posts_kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # edited files --force overwrote
    ids: int = 0
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)
    excerpt_only: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)  # no text: Status: draft
    notes: int = 0
    note_texts: int = 0
    note_lines: int = 0
    notes_written: int = 0
    notes_kept: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    status_conflicts: int = 0
    repairs: Counter = field(default_factory=Counter)
    topics: int = 0
    topics_written: bool = False
    topics_moved: int = 0
    ledger_rows: int = 0
    problems: list[str] = field(default_factory=list)
    anchoring: AnchoringReport = field(default_factory=AnchoringReport)
    # (legacy file, line, repair) of each formula repaired in a note
    note_repairs: list[tuple[str, int, Repair]] = field(default_factory=list)
    # (legacy file, line, what) of each word written as a tag (<eos>) escaped as text, and
    # of each damaged link address repaired
    words: list[tuple[str, int, str]] = field(default_factory=list)
    links: list[tuple[str, int, str]] = field(default_factory=list)

    def format(self) -> str:
        out = [
            f"legacy import from {self.source} into {self.content}",
            f"  files read:            {self.files_read}",
            f"  post ids:              {self.ids}",
            f"  posts written:         {self.posts_written} "
            f"(unchanged {self.posts_unchanged}, kept edited or crawled {len(self.posts_kept)})",
            f"  duplicates merged:     {len(self.duplicates)} ids from "
            f"{sum(len(f) for _, f in self.duplicates)} files",
            f"  excerpt-only posts:    {len(self.excerpt_only)} "
            f"(complete them with `invoke crawl --ids {','.join(self.excerpt_only)}`)"
            if self.excerpt_only
            else "  excerpt-only posts:    0",
            f"    without text:        {len(self.rewritten)} (the legacy text is rewritten or "
            "mixed with that mirror's boxes: kept whole as the note, post body left empty)",
            f"    not published:       {len(self.unpublished)} (no text: `Status: draft` until "
            "`invoke crawl --missing` fetches them): " + ",".join(self.unpublished),
            f"  derivation notes:      {self.notes} posts, {self.note_texts} texts, "
            f"{self.note_lines} lines (written {self.notes_written}, "
            f"kept authored {len(self.notes_kept)})",
            "  note statuses:         "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())),
            f"  ledger rows:           {self.ledger_rows} "
            f"(file status more advanced than ledger: {self.status_conflicts})",
            f"  legacy topics:         {self.topics} (content/overrides/legacy-topics.json"
            f"{', written' if self.topics_written else ''}; not applied unless "
            "TOPICS_LEGACY_OVERRIDES = True"
            + (
                f"; {self.topics_moved} taken out of overrides/topics.json"
                if self.topics_moved
                else ""
            )
            + ")",
            f"  author:                {AUTHOR}, from the citation block of each file "
            "(author={…}) and the source link: spaces.ac.cn has one author",
            "  repairs by kind:",
        ]
        for kind, n in sorted(self.repairs.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"    {n:6d}  {kind}")
        if self.duplicates:
            out.append("  duplicates (winner first):")
            for post_id, files in self.duplicates:
                out.append(f"    {post_id}: {', '.join(files)}")
        if self.notes_kept:
            out.append("  authored notes kept (re-run with --force to overwrite): ")
            out.extend(f"    {p}" for p in self.notes_kept)
        if self.posts_kept:
            out.append(
                "  posts kept (edited since the import, or written by the crawler; "
                "--force overwrites):"
            )
            out.extend(f"    {p}" for p in self.posts_kept)
        if self.replaced:
            out.append("  edited files replaced because of --force:")
            out.extend(f"    {p}" for p in self.replaced)
        if self.note_repairs:
            out.append(f"  note formulas repaired ({len(self.note_repairs)}):")
            out.extend(
                f"    blogs_raw/{name}:{line}: {NOTE_REPAIRS[r.kind]}"
                for name, line, r in self.note_repairs
            )
        if self.words:
            out.append(f"  words written as tags, escaped as text ({len(self.words)}):")
            out.extend(f"    {f}:{n}: {w}" for f, n, w in self.words)
        if self.links:
            out.append(f"  damaged link addresses repaired ({len(self.links)}):")
            out.extend(f"    {f}:{n}: {u}" for f, n, u in self.links)
        out.append(self.anchoring.format())
        out.append(f"  not understood ({len(self.problems)}):")
        out.extend(f"    {p}" for p in self.problems)
        return "\n".join(out)

    __str__ = format


# ------------------------------------------------------------------------------- import


def _best_title(titles: list[str]) -> str:
    titles = [t.strip() for t in titles if t.strip()]
    full = [t for t in titles if not t.endswith(_TRUNCATED)] or titles
    return max(full, key=len, default="")


def _note_text(post_id: str, status: str, parts: list[tuple[str, str]]) -> str:
    header = {"Post": post_id, "Status": status, "Authors": "", "Date": ""}
    head = "\n".join(f"{k}: {v}".rstrip() for k, v in header.items())
    if len(parts) == 1:
        body = parts[0][1]
    else:
        body = "\n\n".join(f"<!-- legacy file: {name} -->\n\n{text}" for name, text in parts)
    return head + "\n\n" + render_boxes(body).rstrip("\n") + "\n"


@dataclass
class _Import:
    """One run of :func:`import_legacy`: where it writes, what earlier runs wrote, and what
    it found so far.  Each step below reads and fills it."""

    source: Path
    content: Path
    force: bool
    report: ImportReport
    files: list[LegacyFile] = field(default_factory=list)
    by_stem: dict[str, LegacyFile] = field(default_factory=dict)
    ledger_status: dict[str, str] = field(default_factory=dict)  # file name -> status
    topics_by_stem: dict[str, str] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)  # post id -> legacy topic
    notes_written: dict[str, str] = field(default_factory=dict)  # digests (legacy-notes.json)
    posts_written: dict[str, str] = field(default_factory=dict)  # digests (legacy-posts.json)
    anchor_record: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def notes_manifest(self) -> Path:
        return self.content / "overrides" / "legacy-notes.json"

    @property
    def posts_manifest(self) -> Path:
        return self.content / "overrides" / "legacy-posts.json"


_KEPT_RANK = {"full": 0, "excerpt": 1, "mixed": 2, "rewritten": 3}


def import_legacy(source: Path, content: Path, force: bool = False) -> ImportReport:
    """Import the legacy folder ``source`` into the content folder ``content``.

    Re-running changes nothing; an existing note or post that differs from what the
    import last wrote there (digests in content/overrides/legacy-*.json: edited by hand,
    written by the crawler, or not the import's) is kept unless ``force``, and the report
    lists what ``force`` replaced.  The steps, in order: read the files, read the ledger,
    then per post id: the post, its note, its topic; then the records.
    """
    source, content = Path(source), Path(content)
    raw = source / "blogs_raw"
    if not raw.is_dir():
        raise LegacyFormatError(
            f"{raw} not found: give the legacy folder holding blogs_raw/, blog_list.txt and "
            "topic_classification.json"
        )
    run = _Import(source, content, force, ImportReport(source=source, content=content))
    _read_files(run, raw)
    _read_ledger_rows(run)
    run.topics_by_stem = _read_topics(source / "topic_classification.json", run.by_stem, run.report)
    _read_records(run)
    groups: dict[str, list[LegacyFile]] = {}
    for f in run.files:
        groups.setdefault(f.id, []).append(f)
    run.report.ids = len(groups)
    for post_id in sorted(groups, key=int):
        group = sorted(
            groups[post_id], key=lambda f: (_KEPT_RANK[f.kind], -len(f.post_text), f.name)
        )
        _import_post(run, post_id, group)
        _import_note(run, post_id, group)
        _pick_topic(run, post_id, group)
    _write_records(run)
    return run.report


def _read_files(run: _Import, raw: Path) -> None:
    """Parse every legacy file; one that cannot be read is a problem of the report."""
    for path in sorted(raw.glob("*.md")):
        run.report.files_read += 1
        try:
            f = parse_legacy_file(path)
        except LegacyFormatError as e:
            run.report.problems.append(str(e))
            continue
        run.files.append(f)
        run.by_stem[path.stem] = f
        run.report.problems.extend(f.problems)


def _read_ledger_rows(run: _Import) -> None:
    """The ledger: statuses, dates and titles of the files it names."""
    rows, problems = read_ledger(run.source / "blog_list.txt")
    run.report.problems.extend(problems)
    run.report.ledger_rows = len(rows)
    for row in rows:
        f = run.by_stem.get(Path(row.path).stem)
        if f is None:
            run.report.problems.append(
                f"blog_list.txt:{row.line}: {row.path} is not in blogs_raw/ (row ignored)"
            )
            continue
        if _DATE_RE.match(row.date):
            f.dates.append((3, row.date))
        f.titles.append(row.title)
        if row.status not in _STATUS_RANK:
            run.report.problems.append(f"blog_list.txt:{row.line}: unknown status {row.status!r}")
        else:
            run.ledger_status[f.name] = row.status


def _read_records(run: _Import) -> None:
    """Digests of the notes and posts earlier imports wrote: a file that no longer
    matches was edited (by hand, or by the crawler)."""
    if run.notes_manifest.is_file():
        run.notes_written = json.loads(run.notes_manifest.read_text(encoding="utf-8"))
    run.posts_written = read_record(run.posts_manifest)


def _write_records(run: _Import) -> None:
    for path, record in (
        (run.notes_manifest, run.notes_written),
        (run.posts_manifest, run.posts_written),
    ):
        atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    save_record(run.content, run.anchor_record, run.notes_written)
    run.report.topics = len(run.topics)
    run.report.topics_written = _write_topics(run.content / "overrides", run.topics, run.report)


def _restore_prose(run: _Import, text: str, where: str, first_line: int) -> str:
    """Undo the earlier mirror's damage to prose (words turned into tags, damaged links),
    reporting each at ``where:line`` (``first_line``: the file's line of ``text``'s first)."""
    text, words = restore_words(text)
    for line, tag in words:
        run.report.words.append((where, first_line + line - 1, tag))
    if words:
        run.report.repairs["word written as a tag (<eos>) escaped as text"] += len(words)
    text, links = repair_links(text)
    for line, url in links:
        run.report.links.append((where, first_line + line - 1, url))
    if links:
        run.report.repairs["link address split around its scheme (htt…p://) rejoined"] += len(links)
    return text


def _import_post(run: _Import, post_id: str, group: list[LegacyFile]) -> None:
    """Write the post of ``post_id`` from the winning file of its ``group``."""
    report, win = run.report, group[0]
    if len(group) > 1:
        report.duplicates.append((post_id, [f.name for f in group]))
    titles = [t for f in group for t in f.titles]
    dates = [d for _, d in sorted(p for f in group for p in f.dates) if _DATE_RE.match(d)]
    if len(set(dates)) > 1:
        report.problems.append(
            f"{win.name}: dates disagree ({', '.join(sorted(set(dates)))}); kept {dates[0]}"
        )
    completeness = "full" if win.kind == "full" else "excerpt"
    if completeness == "excerpt":
        report.excerpt_only.append(post_id)
        if win.kind in ("mixed", "rewritten"):
            report.rewritten.append(post_id)
    report.repairs.update(win.repairs)
    raw_tags = [f.front.get("tags", "") for f in group]
    text = _restore_prose(run, win.post_text, f"blogs_raw/{win.name}", win.post_line)
    text, _, remote = link_images(text, post_id, run.content / "images" / post_id)
    if remote:
        report.repairs["relative image path linked to the source's absolute URL"] += remote
    post = Post(
        id=post_id,
        title=_best_title(titles),
        date=dates[0] if dates else "",
        source=post_url(post_id),
        author=AUTHOR,
        completeness=completeness,
        body=text + "\n" if text else "",
        tags=legacy_tags(raw_tags),
        extra=legacy_tags_record(raw_tags),
    )
    if not win.post_text:
        # No text at all: not published (an empty page) until `invoke crawl --missing`
        # fetches it; Pelican writes no drafts (DRAFT_SAVE_AS = "").
        post.extra["Status"] = "draft"
        report.unpublished.append(post_id)
    _write_post(run.content / "posts" / f"{post_id}.md", post, run.force, report, run.posts_written)


def _note_parts(run: _Import, group: list[LegacyFile]) -> list[tuple[str, str]]:
    """Every distinct derivation text of ``group`` (the winner's first), repaired."""
    parts: list[tuple[str, str]] = []
    seen_texts: list[str] = []
    for f in group:
        if not f.derivation or f.derivation in seen_texts:
            continue
        seen_texts.append(f.derivation)
        fixed, repairs = repair_note_math(f.derivation)
        for r in repairs:
            run.report.repairs[f"note formula: {NOTE_REPAIRS[r.kind]}"] += 1
            run.report.note_repairs.append((f.name, f.derivation_line + r.line - 1, r))
        fixed = _restore_prose(run, fixed, f"blogs_raw/{f.name}", f.derivation_line)
        parts.append((f"blogs_raw/{f.name}", fixed))
    return parts


def _note_status(run: _Import, group: list[LegacyFile]) -> str:
    """The most advanced legacy status of ``group`` (files and ledger)."""
    ledger = run.ledger_status
    statuses = [f.status for f in group] + [ledger.get(f.name, "") for f in group]
    statuses = [s for s in statuses if s in _STATUS_RANK]
    if any(
        _STATUS_RANK.get(f.status, 0) > _STATUS_RANK.get(ledger.get(f.name, ""), 0)
        for f in group
        if f.name in ledger
    ):
        run.report.status_conflicts += 1
    return max(statuses, key=_STATUS_RANK.__getitem__, default="pending")


def _import_note(run: _Import, post_id: str, group: list[LegacyFile]) -> None:
    """Write the derivation note of ``post_id``: its texts, anchored under the equations."""
    report = run.report
    parts = _note_parts(run, group)
    best = _note_status(run, group)
    if not parts:
        if best != "pending":
            report.problems.append(
                f"{group[0].name}: status {best!r} but no derivation text; no note written"
            )
        return
    status = NOTE_STATUS[best]
    report.notes += 1
    report.note_texts += len(parts)
    report.note_lines += sum(t.count("\n") + 1 for _, t in parts)
    report.statuses[status] += 1
    raw_note = _note_text(post_id, status, parts)
    anchored = anchor_imported(run.content, post_id, raw_note, run.anchor_record)
    report.anchoring.results.append(anchored)
    path = run.content / "derivations" / f"{post_id}.md"
    _write_note(path, anchored.text, run.force, report, run.notes_written)


def _pick_topic(run: _Import, post_id: str, group: list[LegacyFile]) -> None:
    """The legacy topic of ``post_id``: the winner's when its files disagree."""
    names = [run.topics_by_stem[f.path.stem] for f in group if f.path.stem in run.topics_by_stem]
    if not names:
        return
    run.topics[post_id] = names[0]
    if len(set(names)) > 1:
        run.report.problems.append(
            f"topic_classification.json: {post_id} has topics {sorted(set(names))}; "
            f"kept {names[0]!r} (of {group[0].name})"
        )


def _read_topics(path: Path, by_stem: dict[str, LegacyFile], report: ImportReport) -> dict:
    if not path.is_file():
        report.problems.append(f"{path}: not found; no topic overrides")
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for topic, entries in data.items():
        for entry in entries:
            slug = entry.get("slug", "")
            if slug not in by_stem:
                report.problems.append(
                    f"{path.name}: topic {topic!r} names {slug!r}, which is not in blogs_raw/"
                )
                continue
            out[slug] = topic
    return out


def _write_post(
    path: Path, post: Post, force: bool, report: ImportReport, written: dict[str, str]
) -> None:
    """Write a post unless its file is not what an import wrote (``written``: digests of
    what earlier imports wrote): edited by hand, written by the crawler (``Fetched:``) or
    by someone else.  With ``force`` such a file is replaced, and the report says so."""
    text = post.render()
    if path.is_file():
        old = path.read_text(encoding="utf-8", errors="replace")
        if old != text:
            ours = written.get(path.stem) == text_digest(old)
            if not ours and not force:
                report.posts_kept.append(str(path))
                return
            if not ours:
                report.replaced.append(str(path))
    if write_post(path, post):
        report.posts_written += 1
    else:
        report.posts_unchanged += 1
    written[path.stem] = text_digest(text)


def _write_note(
    path: Path, text: str, force: bool, report: ImportReport, written: dict[str, str]
) -> None:
    """Write a note unless it was edited since the import wrote it (``written``: digests)."""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if old != text and written.get(path.stem) != text_digest(old):
            if not force:
                report.notes_kept.append(str(path))
                return
            report.replaced.append(str(path))
    if atomic_write_text(path, text):
        report.notes_written += 1
    written[path.stem] = text_digest(text)


def _write_topics(folder: Path, topics: dict[str, str], report: ImportReport) -> bool:
    """The legacy assignments go to legacy-topics.json, applied only on request
    (TOPICS_LEGACY_OVERRIDES).  An earlier import wrote them into topics.json, the person's
    override file: entries there that equal the legacy assignment are taken out of it, the
    others (a person's) stay."""
    ordered = {k: topics[k] for k in sorted(topics, key=lambda k: (len(k), k))}
    changed = atomic_write_text(
        folder / "legacy-topics.json", json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"
    )
    own = folder / "topics.json"
    if own.is_file():
        data = json.loads(own.read_text(encoding="utf-8"))
        kept = {k: v for k, v in data.items() if topics.get(k) != v}
        report.topics_moved = len(data) - len(kept)
        if report.topics_moved:
            atomic_write_text(own, json.dumps(kept, ensure_ascii=False, indent=1) + "\n")
    return changed
