"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader, and
typeset the formulas of the written pages at build time (kexue.math.prerender;
MATH_PRERENDER = False leaves them to MathJax in the browser).  Summaries are built
from text by the reader (plugins/kexue_posts, kexue.reading.summaries)."""

from pathlib import Path

from pelican import signals

from kexue.core.fsutil import WriteError
from kexue.math.mathjax_config import config_json
from kexue.math.prerender import prerender_files, strip_math_head
from kexue.site.plugin_settings import plugin_setting

EXTENSION = "kexue.math.extension"
_written: dict[Path, str] = {}  # a page with math -> its text as last written


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    # Pelican's reader converts whole content files: each formula carries its line.
    config = markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})
    config.setdefault("source_lines", True)
    # The MathJax configuration the build's worker uses too, for mathjax-config.js.
    pelican.settings.setdefault("KEXUE_MATHJAX_CONFIG", config_json())
    _written.clear()


def page_written(path, context):
    path = Path(path)
    text = strip_math_head(path) if path.suffix == ".html" else None
    if text is None:
        _written.pop(path, None)  # written again, without math now
    else:
        _written[path] = text


def typeset(pelican):
    settings = pelican.settings
    if not plugin_setting(settings, "MATH_PRERENDER") or not _written:
        return
    cache = plugin_setting(settings, "MATH_CACHE_PATH") or Path(settings["CACHE_PATH"]) / "mathjax"
    site_url = settings.get("SITEURL", "")
    output = Path(pelican.output_path)
    try:
        stats = prerender_files(sorted(_written), output, Path(cache), site_url, texts=_written)
    except WriteError as e:  # a full disk, a file-size limit: one line, not a traceback
        raise SystemExit(f"[kexue] {e}") from None
    _written.clear()
    print(
        f"[kexue] math typeset at build time: {stats.formulas} formulas on {stats.pages} pages, "
        f"{stats.typeset} by MathJax now (the rest cached), {stats.rejected} left to the browser"
    )


def register():
    signals.initialized.connect(add_extension)
    signals.content_written.connect(page_written)
    signals.finalized.connect(typeset)
