"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader, keep
formulas whole in the summaries Pelican cuts from the text, and typeset the formulas of
the written pages at build time (kexue.prerender; MATH_PRERENDER = False leaves them to
MathJax in the browser)."""

from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.utils import truncate_html_paragraphs, truncate_html_words

from kexue import derived
from kexue.derived_cache import settings_folder
from kexue.markdown_math import truncate_keeping_math
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


def whole_formula_summary(content):
    """Pelican cuts a summary after SUMMARY_MAX_LENGTH words, which can fall inside a
    formula (an unfinished TeX string on index pages): cut it here the same way, with
    each formula one word."""
    if not isinstance(content, Article) or "summary" in content.metadata:
        return
    html = content._content or ""
    settings = content.settings
    if 'class="math ' not in html or settings.get("SUMMARY_MAX_LENGTH") is None:
        return
    if settings.get("SUMMARY_MAX_PARAGRAPHS") is not None:
        html = truncate_html_paragraphs(html, settings["SUMMARY_MAX_PARAGRAPHS"])
    words, end = settings["SUMMARY_MAX_LENGTH"], settings["SUMMARY_END_SUFFIX"]

    def cut(h):
        return truncate_keeping_math(h, lambda x: truncate_html_words(x, words, end))

    # by content hash: an unchanged post costs a lookup (kexue.derived)
    memo = derived.memo("summary", settings_folder(settings))
    content.metadata["summary"] = derived.summary(html, f"{words}\0{end}", cut, memo)


def save_derived(pelican):
    derived.memo("summary", settings_folder(pelican.settings)).save()


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
    signals.content_object_init.connect(whole_formula_summary)
    signals.finalized.connect(save_derived)
    signals.content_written.connect(page_written)
    signals.finalized.connect(typeset)
