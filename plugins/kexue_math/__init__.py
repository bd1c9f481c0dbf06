"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader, and
typeset the formulas of the written pages at build time (kexue.prerender;
MATH_PRERENDER = False leaves them to MathJax in the browser).  Summaries are built
from text by the reader (plugins/kexue_posts, kexue.summaries)."""

from pathlib import Path

from pelican import signals

from kexue.prerender import prerender_files, strip_math_head
from kexue.texmacros import macros_json

EXTENSION = "kexue.markdown_math"
_written: list[Path] = []


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})
    # The macros every page defines (data/tex-macros.toml), for mathjax-config.js.
    pelican.settings.setdefault("KEXUE_TEX_MACROS", macros_json())
    _written.clear()


def page_written(path, context):
    path = Path(path)
    if path.suffix == ".html" and strip_math_head(path):
        _written.append(path)


def typeset(pelican):
    settings = pelican.settings
    if not settings.get("MATH_PRERENDER", True) or not _written:
        return
    cache = settings.get("MATH_CACHE_PATH") or Path(settings["CACHE_PATH"]) / "mathjax"
    site_url = settings.get("SITEURL", "")
    stats = prerender_files(sorted(set(_written)), Path(pelican.output_path), Path(cache), site_url)
    _written.clear()
    print(
        f"[kexue] math typeset at build time: {stats.formulas} formulas on {stats.pages} pages, "
        f"{stats.typeset} by MathJax now (the rest cached), {stats.rejected} left to the browser"
    )


def register():
    signals.initialized.connect(add_extension)
    signals.content_written.connect(page_written)
    signals.finalized.connect(typeset)
