"""Operator-edited data files (data/*.toml): read with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path


def read_toml(path: Path, what: str, error: type[Exception] = ValueError) -> dict:
    """Parse ``path``; a missing or malformed file raises ``error`` naming it."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: not valid TOML ({e}); fix the file") from None
