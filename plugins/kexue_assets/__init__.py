"""Pelican adapter: copy npm-installed front-end files into the output folder."""

from pathlib import Path

from pelican import signals

from kexue.assets import copy_vendor


def copy_assets(pelican):
    default = Path(__file__).resolve().parents[2] / "node_modules"
    root = Path(pelican.settings.get("NODE_MODULES", default))
    copy_vendor(root, Path(pelican.output_path))


def register():
    signals.finalized.connect(copy_assets)
