"""Pelican adapter: write only the pages an edit touches (kexue.site.incremental decides).

At the start of each run the inputs are snapshotted and compared with the last build's
state; once every content object is ready, the plan becomes a selection, which the
writer applies: a page not selected is neither rendered nor written.  After the run the
new state is saved.  A run without a usable state (the first, or after a change to the
theme, settings, data or code) writes everything, as Pelican does.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from blinker import signal
from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.writers import Writer

from kexue.core.fsutil import WriteError
from kexue.site import incremental

log = logging.getLogger(__name__)
_RUN: dict = {}


def _face(article) -> list:
    """What other pages show of ``article`` (lists, neighbours, related posts, badges)."""
    d = getattr(article, "derivation", None)
    return [
        article.url,
        article.title,
        str(getattr(article, "date", "")),
        str(getattr(getattr(article, "category", None), "slug", "")),
        sorted(str(t) for t in getattr(article, "tags", None) or []),
        getattr(article, "topic", ""),
        list(getattr(article, "topic_secondary", []) or []),
        article.status,
        [d.status, d.date, d.authors] if d else None,
    ]


def start_run(pelican):
    """Snapshot the inputs before anything is read (get_generators opens each run)."""
    path, old, now, plan = incremental.current(pelican.settings)
    if not plan.nothing:
        incremental.discard_state(path)
    _RUN.clear()
    _RUN.update(path=path, old=old, now=now, plan=plan, written=[], selected=None)
    return None  # no generator


def _targets(gens, plan, old_faces):
    """The content objects whose pages the plan touches, or None for every page."""
    articles = [a for g in gens if isinstance(g, ArticlesGenerator) for a in g.articles]
    pages = [p for g in gens if isinstance(g, PagesGenerator) for p in (*g.pages, *g.hidden_pages)]
    touched = set()
    for obj in (*articles, *pages):
        if obj.relative_source_path in plan.posts or getattr(obj, "slug", None) in plan.notes:
            touched.add(id(obj))
        note = getattr(obj, "derivation_orphan", None)
        if note is not None and note.post_id in plan.notes:
            touched.add(id(obj))
    for a in articles:
        if id(a) in touched and old_faces.get(a.relative_source_path) != _face(a):
            log.info("kexue_incremental: %s shows differently elsewhere", a.source_path)
            return None
    return touched


def select(generators):
    plan = _RUN.get("plan")
    if plan is None:
        return
    gens = list(generators)
    articles = [a for g in gens if isinstance(g, ArticlesGenerator) for a in g.articles]
    _RUN["faces"] = {a.relative_source_path: _face(a) for a in articles}
    if plan.full:
        log.info("kexue_incremental: %s", plan.describe())
        return
    old_faces = (_RUN["old"] or {}).get("faces", {})
    touched = _targets(gens, plan, old_faces)
    if touched is None:
        return
    _RUN["selected"] = touched
    _RUN["lists"] = bool(plan.posts)
    signal("kexue-partial-run").send()  # kexue_output: pages left in place are not stale
    log.info("kexue_incremental: %s", plan.describe())


def _wanted(kwargs) -> bool:
    touched = _RUN.get("selected")
    if touched is None:
        return True
    obj = kwargs.get("article") or kwargs.get("page")
    if obj is None:
        return _RUN["lists"]
    # Other posts' pages show of it only its face, unchanged here (else all is written).
    return id(obj) in touched


class SelectiveWriter(Writer):
    def write_file(self, name, template, context, *args, **kwargs):
        if name:
            _RUN.setdefault("written", []).append(name)
        if not _wanted(kwargs):
            return None
        return super().write_file(name, template, context, *args, **kwargs)


def get_writer(pelican):
    return SelectiveWriter


def save_state(pelican):
    if "now" in _RUN and "faces" in _RUN:
        try:
            incremental.save_state(_RUN["path"], _RUN["now"], _RUN["written"], _RUN["faces"])
        except WriteError as e:  # the pages are written; the next build is a full one
            log.warning("%s (the next build rebuilds every page)", e)


def compiled_templates(pelican):
    """Jinja keeps the compiled templates under CACHE_PATH (it checks their source): each
    run builds new Jinja environments, which would compile every template again."""
    env = dict(pelican.settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" not in env:
        # Jinja keys the code on the template's source only: options that change the
        # generated code (autoescape, extensions, ...) get a folder of their own.
        options = hashlib.sha256(repr(sorted(env.items())).encode()).hexdigest()[:12]
        folder = Path(pelican.settings["CACHE_PATH"]) / "jinja" / options
        folder.mkdir(parents=True, exist_ok=True)
        env["bytecode_cache"] = FileSystemBytecodeCache(str(folder))
        pelican.settings["JINJA_ENVIRONMENT"] = env


def register():
    signals.initialized.connect(compiled_templates)
    signals.get_generators.connect(start_run)
    signals.all_generators_finalized.connect(select)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(save_state)
