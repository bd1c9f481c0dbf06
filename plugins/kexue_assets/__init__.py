"""Pelican adapter: copy npm-installed front-end files into the output folder."""

from pathlib import Path

from pelican import signals

from kexue.core.paths import NODE_MODULES
from kexue.site.assets import copy_vendor


def copy_assets(pelican):
    root = Path(pelican.settings.get("NODE_MODULES", NODE_MODULES))
    copy_vendor(root, Path(pelican.output_path))


def register():
    signals.finalized.connect(copy_assets)
