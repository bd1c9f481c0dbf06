"""Operator-edited data files (data/*.toml): read with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kexue.core.errors import InputError


class DataFileError(InputError):
    """A data file that is missing, not UTF-8 or not TOML; the message names it."""


def read_toml(path: Path, what: str, error: type[Exception] = DataFileError) -> dict:
    """Parse ``path``; a missing or malformed file raises ``error`` naming it."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except UnicodeDecodeError as e:
        line = Path(path).read_bytes().count(b"\n", 0, e.start) + 1
        raise error(
            f"{path}:{line}: not UTF-8 (byte at offset {e.start}); save the file as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: not valid TOML ({e}); fix the file") from None
