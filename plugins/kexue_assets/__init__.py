"""Pelican adapter: copy npm-installed front-end files into the output folder."""

from pathlib import Path

from pelican import signals

from kexue.site.assets import copy_vendor
from kexue.site.plugin_settings import plugin_setting


def copy_assets(pelican):
    root = Path(plugin_setting(pelican.settings, "NODE_MODULES"))
    copy_vendor(root, Path(pelican.output_path))


def register():
    signals.finalized.connect(copy_assets)
