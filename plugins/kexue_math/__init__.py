"""Pelican adapter: add kexue's TeX-protecting Markdown extension to the reader."""

from pelican import signals

EXTENSION = "kexue.markdown_math"


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})


def register():
    signals.initialized.connect(add_extension)
