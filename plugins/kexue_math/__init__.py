"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader, and
typeset the formulas of the pages at build time (kexue.prerender; MATH_PRERENDER = False
leaves them to MathJax in the browser): each page with math goes to the Node workers as
Pelican writes it, and at ``finalized`` the pages are rewritten with their typeset
formulas.  Summaries are built from text by the reader (plugins/kexue_posts,
kexue.summaries)."""

from pathlib import Path

from pelican import signals

from kexue.prerender import Prerender, strip_math_head
from kexue.texmacros import macros_json

EXTENSION = "kexue.markdown_math"
_run: dict = {}  # "pelican": this run's; "prerender": its Prerender, from its first page


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})
    # The macros every page defines (data/tex-macros.toml), for mathjax-config.js.
    pelican.settings.setdefault("KEXUE_TEX_MACROS", macros_json())


def start_run(pelican):
    """Each run (get_generators opens it; `invoke serve` runs one Pelican again and again):
    forget an earlier run's typesetting, left by a run that failed before the end."""
    run = _run.pop("prerender", None)
    if run is not None:
        run.close()
    _run["pelican"] = pelican
    return None  # no generator


def page_written(path, context):
    path = Path(path)
    text = strip_math_head(path) if path.suffix == ".html" else None
    pelican = _run.get("pelican")
    if pelican is None or not pelican.settings.get("MATH_PRERENDER", True):
        return
    run = _run.get("prerender")
    if run is None and text is not None:
        settings = pelican.settings
        cache = settings.get("MATH_CACHE_PATH") or Path(settings["CACHE_PATH"]) / "mathjax"
        run = _run["prerender"] = Prerender(
            Path(pelican.output_path), Path(cache), settings.get("SITEURL", "")
        )
    if run is not None:
        run.add(path, text or "")  # written again without math: no longer typeset


def typeset(pelican):
    run = _run.pop("prerender", None)
    if run is None:
        return
    try:
        stats = run.finish()
    finally:
        run.close()
    print(
        f"[kexue] math typeset at build time: {stats.formulas} formulas on {stats.pages} pages, "
        f"{stats.typeset} by MathJax now (the rest cached), {stats.rejected} left to the browser"
    )


def register():
    signals.initialized.connect(add_extension)
    signals.get_generators.connect(start_run)
    signals.content_written.connect(page_written)
    signals.finalized.connect(typeset)
