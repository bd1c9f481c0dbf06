"""Content files checked before a build: each bad file is a message naming it, its line
and the fix, never a traceback or a post silently left out of the site.

`invoke build` runs :func:`content_problems` before Pelican and stops (exit 1) with
those messages only; `invoke check` reports them too (:func:`check_content_files`).
What is refused, in a post (``posts/``, ``samples/``) or a page (``pages/``):

* bytes that are not UTF-8 (binary junk, another encoding), and a UTF-8 byte-order mark;
* control characters (other than tab and line ends): they break the search index;
* a header line that is not ``Key: value``; no ``Title:``; in a post, no ``Slug:`` or
  one that another file uses too;
* a ``Date:`` that is not a date (an empty ``Date:`` means unknown and is fine);
* anywhere under content/, a symlink whose target is outside content/ (the build would
  copy, and publish, what it points to).

Windows line ends (CRLF) are read as line ends and are fine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from kexue.core.datafiles import read_toml
from kexue.core.errors import InputError
from kexue.core.header import HeaderError, parse_header
from kexue.core.paths import PAGE_DIR, POST_DIRS, content_files
from kexue.core.posts import is_sample, samples_shown
from kexue.core.problems import CheckContext, Problem
from kexue.site.assets import VENDOR_FILES
from kexue.topics import load_taxonomy

#: Control characters (tab, newline, carriage return aside): refused in authored files,
#: and what XML and the search index refuse.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BOM = "\ufeff"


def _files(content: Path) -> list[tuple[Path, bool]]:
    """(file, is a post) for every Markdown file Pelican reads as a post or page."""
    files = content_files(content, (*POST_DIRS, PAGE_DIR))
    return [(p, p.parent.name in POST_DIRS) for p in files]


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _valid_date(value: str) -> bool:
    value = value.strip()
    try:
        datetime.fromisoformat(value)
        return True
    except ValueError:
        pass
    try:
        from dateutil import parser  # noqa: PLC0415 (python-dateutil comes with Pelican; kexue imports without it)

        parser.parse(value)
        return True
    except (ValueError, OverflowError):
        return False


def file_problems(path: Path, is_post: bool = True) -> tuple[list[Problem], str | None]:
    """The problems of one content file, and its Slug (None when it has none)."""
    data = Path(path).read_bytes()
    where = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        kind = "binary data" if b"\x00" in data else "text that is not UTF-8"
        return [
            Problem(
                where,
                _line_of(data, e.start),
                f"{kind} (byte 0x{data[e.start]:02x} at offset {e.start} is not UTF-8); "
                "save the file as UTF-8 text, or remove it if it is not a post",
            )
        ], None
    problems = []
    if text.startswith(BOM):
        problems.append(
            Problem(
                where,
                1,
                "the file starts with a byte-order mark (BOM); save it as UTF-8 without "
                "BOM (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)",
            )
        )
        text = text[1:]
    text = text.replace("\r\n", "\n")
    for lineno, line in enumerate(text.split("\n"), 1):
        m = CONTROL_RE.search(line)
        if m:
            problems.append(
                Problem(
                    where,
                    lineno,
                    f"control character U+{ord(m.group()):04X} at column {m.start() + 1}; "
                    "delete it (it is invisible, and breaks the search index)",
                )
            )
    try:
        parsed = parse_header(text, path, what="post file", keys="`Title:`, `Slug:`, …")
    except HeaderError as e:
        problems.append(Problem(where, e.line, e.message))
        return problems, None
    header = {k.lower(): (parsed.lines[k], v.strip()) for k, v in parsed.values.items()}
    if not header.get("title", (0, ""))[1]:
        problems.append(Problem(where, 1, "no `Title:`; add a line `Title: …` to the header"))
    slug = header.get("slug", (0, ""))[1] or None
    if is_post:
        if slug is None:
            problems.append(
                Problem(
                    where,
                    1,
                    f"no `Slug:`; add `Slug: {Path(path).stem}` (the post's archive id, "
                    "its file name) to the header",
                )
            )
    line, date = header.get("date", (0, ""))
    if date and not _valid_date(date):
        problems.append(
            Problem(
                where,
                line,
                f"`Date: {date}` is not a date; write YYYY-MM-DD (e.g. 2024-12-25), "
                "or leave `Date:` empty when it is unknown",
            )
        )
    return problems, slug


# What a file's bytes gave, by path and (size, mtime): every build runs these checks, and
# a rebuild of `invoke serve` reads only the files that changed since.
_KEPT: dict[tuple[str, str, bool], tuple[tuple[int, int], object]] = {}


def _per_file(compute, path: Path, is_post: bool):
    st = Path(path).stat()
    stamp, given = (st.st_size, st.st_mtime_ns), (compute.__name__, str(path), is_post)
    kept = _KEPT.get(given)
    if kept is None or kept[0] != stamp:
        kept = _KEPT[given] = (stamp, compute(path, is_post))
    return kept[1]


def symlink_problems(content: Path) -> list[Problem]:
    """Each symlink under ``content`` whose target is outside it (or missing): a build
    would copy what it points to (``/etc/passwd``, a ``.git``) into the site."""
    root = Path(content).resolve()
    problems = []
    for dirpath, dirnames, filenames in os.walk(content):
        for name in sorted([*dirnames, *filenames]):
            path = Path(dirpath) / name
            if not path.is_symlink():
                continue
            target = path.resolve()
            if not target.exists() or not target.is_relative_to(root):
                problems.append(
                    Problem(
                        str(path),
                        0,
                        f"a symlink to {target}, outside the content folder: the build would "
                        "publish what it points to; put the file itself here, or remove it",
                    )
                )
    return problems


def content_problems(content: Path) -> list[Problem]:
    """Every problem of the content files under ``content``, duplicate slugs included,
    and each symlink out of it."""
    problems: list[Problem] = symlink_problems(content)
    owners: dict[str, Path] = {}
    for path, is_post in _files(content):
        found, slug = _per_file(file_problems, path, is_post)
        problems += found
        if is_post and slug is not None:
            if slug in owners:
                problems.append(
                    Problem(
                        str(path),
                        0,
                        f"Slug {slug!r} is also the Slug of {owners[slug]}: two posts would "
                        "be written to the same page; give each post its own id",
                    )
                )
            else:
                owners[slug] = path
    return problems


def data_problems(data: Path) -> list[Problem]:
    """Each data/*.toml that does not parse (not UTF-8, not TOML), and a taxonomy
    (topics.toml) that does not validate."""
    problems = []
    taxonomy = Path(data) / "topics.toml"
    if not taxonomy.is_file():
        problems.append(
            Problem(
                str(taxonomy),
                0,
                "the topic taxonomy is missing: restore it (`git checkout -- data/topics.toml`)",
            )
        )
    for path in sorted(Path(data).glob("*.toml")):
        problems += _per_file(_data_file_problems, path, False)
    return problems


def _data_file_problems(path: Path, _is_post: bool = False) -> list[Problem]:
    try:
        read_toml(path, "data file")
        if path.name == "topics.toml":
            load_taxonomy(path)
    except InputError as e:  # DataFileError, TaxonomyError
        where, _, message = str(e).partition(": ")  # "<file>[:<line>]: message"
        line = where.removeprefix(str(path)).lstrip(":")
        return [Problem(str(path), int(line) if line.isdigit() else 0, message)]
    return []


def front_end_problems(node_modules: Path) -> list[Problem]:
    """The npm packages the build copies or runs, when they are not installed."""
    needed = [Path(node_modules) / p / src for p, src, _ in VENDOR_FILES[:1]]
    needed.append(Path(node_modules) / ".bin" / "esbuild")
    missing = [p for p in needed if not p.exists()]
    if not missing:
        return []
    return [
        Problem(
            str(node_modules),
            0,
            f"the npm packages are not installed ({missing[0]} is missing): run `npm ci` "
            "in the project folder (`./run build` does it for you)",
        )
    ]


def build_problems(content: Path, data: Path, node_modules: Path) -> list[Problem]:
    """What stops `invoke build` before Pelican starts."""
    return content_problems(content) + data_problems(data) + front_end_problems(node_modules)


def _header_values(path: Path, is_post: bool = True) -> dict[str, str]:
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    try:
        values = parse_header(text, path).values
    except HeaderError:
        return {}
    return {k.lower(): v.strip() for k, v in values.items()}


def unbuilt_posts(
    content: Path, output: Path, save_as: str = "archives/{slug}/index.html"
) -> list[Problem]:
    """Posts that a finished build did not write (Pelican logs an error and goes on):
    after the build pruned what it did not write, a missing page is a dropped post."""
    problems = []
    samples = samples_shown(content)
    for path, is_post in _files(content):
        values = _per_file(_header_values, path, is_post) if is_post else {}
        if not is_post or values.get("status", "").lower() in ("draft", "hidden", "skip"):
            continue
        if is_sample(path) and not samples:
            continue  # left out on purpose: the site has real posts (kexue_posts)
        page = save_as.format(slug=values.get("slug") or Path(path).stem)
        if not (Path(output) / page).is_file():
            problems.append(
                Problem(
                    str(path),
                    0,
                    f"was not built (no {page}); Pelican's ERROR lines above say why: fix "
                    "the file, or write `Status: draft` to leave it out on purpose",
                )
            )
    return problems


def check_content_files(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: the content files a build would refuse."""
    yield from content_problems(ctx.content)
