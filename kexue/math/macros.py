"""The TeX macros every page defines (data/tex-macros.toml), for MathJax's ``tex.macros``."""

from __future__ import annotations

import json
from pathlib import Path

from kexue.core.datafiles import DataFileError, read_toml
from kexue.core.paths import DATA

MACROS_FILE = DATA / "tex-macros.toml"


class MacroFileError(DataFileError):
    """data/macros.toml cannot be used; the message names the file and the macro."""


def load_macros(path: Path | None = None) -> dict[str, str | list]:
    """{name: definition or [definition, arguments]}; a bad entry raises MacroFileError naming
    it."""
    path = Path(path or MACROS_FILE)
    data = read_toml(path, "the TeX macro file", MacroFileError).get("macros", {})
    for name, value in data.items():
        ok = isinstance(value, str) or (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and isinstance(value[1], int)
        )
        if not name.isalpha() or not ok:
            raise MacroFileError(
                f'{path}: macros.{name}: write `name = "definition"` or '
                '`name = ["definition", N]` (name: letters only)'
            )
    return dict(data)


def macros_json(path: Path | None = None) -> str:
    return json.dumps(load_macros(path), ensure_ascii=False, sort_keys=True)
