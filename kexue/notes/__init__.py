"""Derivation notes: the note format, its parser, its checks, and the HTML it becomes.

A note is ``content/derivations/<id>.md``, written by this site's authors about post
``<id>``: a header block, a blank line, then Markdown::

    Post: 90001
    Status: review                      draft | review | done
    Authors: 张三, 李四
    Date: 2026-11-29

    Free text before the first anchored section goes to the appendix 推导与注释.

    ## @(3) 可选标题           under the equation shown as (3); a \\tag{KL} is @(KL)
    ## @eq:std-att 可选标题    under the equation carrying \\label{eq:std-att}
    ## @[方差的计算] 可选标题   at the end of the post's section with that heading
    ## @free 可选标题           more free text for the appendix

Only level-2 headings starting with ``@`` open sections (outside code), so any other
Markdown -- including a legacy note with headings of its own -- is free text.  Math
follows the posts' rules, except that a note may not use an auto-numbered environment
(it would shift the post's numbers on the page): tag its displays, ``\\tag{3.1}``.
Content boxes use admonition syntax, ``!!! theorem "标题"`` (kinds: BOX_KINDS), or the
legacy ``<div class="theorem-box" markdown="1">``; both carry the class ``theorem-box``.

Nothing here imports Pelican.

The package, one stage a module:

- ``note``: the format and its parser (``Note``, ``parse_note``, ``read_note``, note files)
- ``targets``: a post's equations and headings a section attaches to (``PostTargets``)
- ``checks``: `invoke check` for notes (``check_note``, ``check_notes``)
- ``scaffold``: a new note for a post (``scaffold``)
- ``markdown``: a note's Markdown to safe HTML (CommonMark, markdown-it-py)
- ``render``: notes to HTML (``NoteRenderer``, ``annotate``, ``standalone_html``)

The public names are re-exported here: ``from kexue.notes import annotate``.
"""

from kexue.notes.checks import (
    check_math,
    check_note,
    check_notes,
    find_post_file,
    formula_problems,
    note_masks,
    unclosed_math,
)
from kexue.notes.markdown import BOX_KINDS
from kexue.notes.note import (
    HEADER_KEYS,
    NOTES_DIR,
    STATUS_LABELS,
    STATUSES,
    Anchor,
    Note,
    NoteFormatError,
    Section,
    iter_note_files,
    load_notes,
    newest_first,
    note_path,
    parse_note,
    read_note,
    read_note_header,
)
from kexue.notes.render import (
    APPENDIX_ID,
    APPENDIX_TITLE,
    Annotated,
    NoteRenderer,
    Placed,
    annotate,
    appendix_html,
    byline,
    locate,
    panel_html,
    standalone_html,
)
from kexue.notes.scaffold import scaffold
from kexue.notes.targets import PostTargets, Target

__all__ = [
    "APPENDIX_ID",
    "APPENDIX_TITLE",
    "BOX_KINDS",
    "HEADER_KEYS",
    "NOTES_DIR",
    "STATUSES",
    "STATUS_LABELS",
    "Anchor",
    "Annotated",
    "Note",
    "NoteFormatError",
    "NoteRenderer",
    "Placed",
    "PostTargets",
    "Section",
    "Target",
    "annotate",
    "appendix_html",
    "byline",
    "check_math",
    "check_note",
    "check_notes",
    "find_post_file",
    "formula_problems",
    "iter_note_files",
    "load_notes",
    "locate",
    "newest_first",
    "note_masks",
    "note_path",
    "panel_html",
    "parse_note",
    "read_note",
    "read_note_header",
    "scaffold",
    "standalone_html",
    "unclosed_math",
]
