"""The ``Key: value`` header that opens a post file and a derivation note: one parser.

A header is ``Key: value`` lines up to the first blank line (a line of only white space
counts as blank, as for the Markdown meta extension Pelican reads posts with); the body
starts after that line.  A lower-case key is capitalised (``title`` -> ``Title``); a key
given twice keeps its last value.  Values are returned as written after ``Key:`` and one
optional space or tab: callers strip what they want stripped.

Errors name the file and the line: ``<path>:<line>: <message>`` (HeaderError), raised as the
caller's subclass (PostFormatError, NoteFormatError).  It imports only the exception
root (kexue.core.errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kexue.core.errors import InputError

_HEADER_LINE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]?(.*)$")


class HeaderError(InputError):
    """A header that cannot be read; ``str()`` is ``<path>:<line>: <message>``."""

    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


def read_text(path: Path | str, error: type[HeaderError] = HeaderError) -> str:
    """The UTF-8 text of a content file; bytes that are not UTF-8 (a binary file, another
    encoding) raise ``error`` naming the file, the line and the fix."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        kind = "binary data" if b"\x00" in data else "text that is not UTF-8"
        raise error(
            path,
            data.count(b"\n", 0, e.start) + 1,
            f"{kind} (byte 0x{data[e.start]:02x} at offset {e.start} is not UTF-8); "
            "save the file as UTF-8 text, or remove it",
        ) from None


@dataclass
class Header:
    values: dict[str, str]  # key -> value as written (last one wins)
    lines: dict[str, int]  # key -> 1-based line where it first appears
    body_start: int  # offset in the text where the body starts (after the blank line)


def parse_header(
    text: str,
    path: Path | str = "<string>",
    *,
    what: str = "file",
    keys: str = "`Key: value` lines",
    error: type[HeaderError] = HeaderError,
) -> Header:
    """The header of ``text``.  ``what`` and ``keys`` word the error when the very first
    line is not a header line ("a note starts with a header (`Post: <id>`, …)");
    ``error`` is the HeaderError subclass to raise."""
    if text.startswith("\ufeff"):
        raise error(
            path,
            1,
            "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM "
            "(e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)",
        )
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
                raise error(
                    path,
                    lineno,
                    f"a {what} starts with a header ({keys}) then a blank line; "
                    f"found {line[:60]!r}",
                )
            raise error(
                path,
                lineno,
                f"not a `Key: value` header line: {line[:60]!r} (end the header with a blank line)",
            )
        key = m.group(1).capitalize() if m.group(1).islower() else m.group(1)
        values[key] = m.group(2)
        lines.setdefault(key, lineno)
    return Header(values, lines, min(pos, len(text)))
