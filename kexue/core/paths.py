"""Where the project's own files are: the repository root, found in this one place.

The kexue package lives at the root of the repository (an editable install), so every
folder of the project is found from here, never from another module's ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"  # operator-edited rules (topics.toml, relevance.toml)
THEME = ROOT / "theme"
NODE_MODULES = ROOT / "node_modules"

#: The folders of a content folder Pelican reads as posts, and the other authored ones.
POST_DIRS = ("posts", "samples")
NOTE_DIR = "derivations"
PAGE_DIR = "pages"


def content_files(content: Path, folders: tuple[str, ...]) -> list[Path]:
    """The Markdown files in ``folders`` of ``content``: folder by folder, sorted by name."""
    return [p for sub in folders for p in sorted((Path(content) / sub).glob("*.md"))]
