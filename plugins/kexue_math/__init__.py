"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader, and
keep formulas whole in the summaries Pelican cuts from the text."""

from pelican import signals
from pelican.contents import Article
from pelican.utils import truncate_html_paragraphs, truncate_html_words

from kexue import derived
from kexue.derived_cache import settings_folder
from kexue.markdown_math import truncate_keeping_math
from kexue.texmacros import macros_json

EXTENSION = "kexue.markdown_math"


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})
    # The macros every page defines (data/tex-macros.toml), for mathjax-config.js.
    pelican.settings.setdefault("KEXUE_TEX_MACROS", macros_json())


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


def register():
    signals.initialized.connect(add_extension)
    signals.content_object_init.connect(whole_formula_summary)
    signals.finalized.connect(save_derived)
