"""Pelican adapter: the figure directive (kexue.figures.extension), the `has_figures` Jinja
filter the theme's figure partials use, and the figures' bundle (esbuild) in the output."""

from pathlib import Path

from pelican import signals

from kexue.figures.bundle import bundle
from kexue.figures.directive import has_figures
from kexue.site.plugin_settings import plugin_setting

EXTENSION = "kexue.figures.extension"


def configure(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {}).setdefault(EXTENSION, {})
    pelican.settings.setdefault("JINJA_FILTERS", {})["has_figures"] = has_figures


def bundle_figures(pelican):
    bundle(Path(plugin_setting(pelican.settings, "NODE_MODULES")), Path(pelican.output_path))


def register():
    signals.initialized.connect(configure)
    signals.finalized.connect(bundle_figures)
