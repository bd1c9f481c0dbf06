"""Where the project's own files are: the repository root, found in this one place.

The kexue package lives at the root of the repository (an editable install), so every
folder of the project is found from here, never from another module's ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"  # operator-edited rules (topics.toml, relevance.toml)
THEME = ROOT / "theme"
NODE_MODULES = ROOT / "node_modules"
