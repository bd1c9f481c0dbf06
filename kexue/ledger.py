"""The ledger blog_list.txt, derived from content/ so it cannot disagree with it.

One line per post id, newest first: ``title | id | path | status | date | tags``.  The
status is the derivation note's (draft, review, done) or ``pending`` when the post has
no note.
"""

from __future__ import annotations

import re
from pathlib import Path

from kexue.fsutil import atomic_write_text
from kexue.posts import iter_post_files, read_post

HEADER = (
    "# title | id | path | status | date | tags\n"
    "# Generated from content/ by `invoke progress` (and after `invoke crawl` / "
    "`invoke import-legacy`); do not edit.\n"
    "# status: pending (no derivation note) | draft | review | done (the note's Status)\n"
)
_STATUS_RE = re.compile(r"^Status:\s*(\w+)\s*$", re.M | re.I)


def note_status(content: Path, post_id: str) -> str:
    """The status in content/derivations/<id>.md's header, or "pending"."""
    note = Path(content) / "derivations" / f"{post_id}.md"
    if not note.is_file():
        return "pending"
    head = note.read_text(encoding="utf-8").split("\n\n", 1)[0]
    m = _STATUS_RE.search(head)
    return m.group(1).lower() if m else "draft"


def ledger_lines(content: Path, root: Path | None = None) -> list[str]:
    root = Path(root) if root else Path(content).parent
    rows = []
    for path in iter_post_files(content):
        post = read_post(path)
        rel = path.resolve().relative_to(root.resolve()) if root else path
        cells = [
            post.title.replace("|", "｜"),
            post.id,
            str(rel),
            note_status(content, post.id),
            post.date[:10],
            ", ".join(post.tags).replace("|", "｜"),
        ]
        rows.append((post.date, int(post.id) if post.id.isdigit() else 0, " | ".join(cells)))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r[2] for r in rows]


def write_ledger(content: Path, path: Path) -> bool:
    """Regenerate the ledger at ``path``; False when it was already up to date."""
    lines = ledger_lines(content, Path(path).parent)
    return atomic_write_text(Path(path), HEADER + "".join(line + "\n" for line in lines))
