"""Bytes -> text the way a damaged network answer needs: each invalid byte sequence becomes
U+FFFD and its byte offset is kept, so one flipped byte costs one character (reported),
while a body that is mostly not text in its charset is refused by the caller.

A leaf module: it imports nothing of ours.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass, field

__all__ = ["MAX_INVALID_SHARE", "Decoded", "decode_lenient"]

# A body with more than this share of invalid bytes is not text in its charset.
MAX_INVALID_SHARE = 0.05
_ERRORS = "kexue-replace-and-record"
_found = threading.local()


def _record(e: UnicodeDecodeError) -> tuple[str, int]:
    _found.spans.append((e.start, e.end))
    return "\ufffd", e.end


codecs.register_error(_ERRORS, _record)


@dataclass
class Decoded:
    text: str
    charset: str
    size: int  # bytes of the body
    invalid: list[tuple[int, int]] = field(default_factory=list)  # (start, end) byte offsets

    @property
    def invalid_bytes(self) -> int:
        return sum(end - start for start, end in self.invalid)

    @property
    def mostly_invalid(self) -> bool:
        return self.invalid_bytes > max(1, self.size * MAX_INVALID_SHARE)

    def offsets(self, most: int = 5) -> str:
        """``"1234"`` / ``"12, 40, 99 and 3 more"``: where the invalid bytes start."""
        shown = ", ".join(str(s) for s, _ in self.invalid[:most])
        more = len(self.invalid) - most
        return f"{shown} and {more} more" if more > 0 else shown


def decode_lenient(body: bytes, charset: str) -> Decoded:
    """``body`` decoded as ``charset`` (LookupError for an unknown one), invalid sequences
    replaced by U+FFFD and recorded."""
    codecs.lookup(charset)
    _found.spans = []
    try:
        text = body.decode(charset, errors=_ERRORS)
        return Decoded(text, charset, len(body), list(_found.spans))
    finally:
        _found.spans = []
