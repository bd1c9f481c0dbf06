"""Bundle the figures' JavaScript and CSS (theme/figures/) with esbuild from npm.

The bundle is built at build time, never committed: ``figures.js`` (the tiny loader the
pages with a figure include), ``figures.css``, and under ``chunks/`` one chunk per figure
plus shared chunks (uPlot, d3-contour, the common code), loaded by the loader on demand.
Files are written atomically and only when their bytes changed; stale chunks are removed.
When nothing esbuild reads changed (theme/figures/, the installed packages, the options)
and the bundle is in place, esbuild is not run: ``figures/.bundle.json`` keeps the key
and what the bundle holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kexue.core import layout
from kexue.core.fsutil import atomic_write_bytes
from kexue.core.paths import ROOT
from kexue.site.assets import MissingFrontEndPackageError

SOURCE = ROOT / "theme" / "figures"
ENTRIES = ("figures.js", "figures.css")
OUTPUT_DIR = layout.FIGURES  # under the site's output folder
STAMP = ".bundle.json"  # in OUTPUT_DIR: the input key and the bundle's layout


@dataclass
class Bundle:
    folder: Path  # output/figures
    files: list[Path]  # every file of the bundle
    written: list[Path]  # those whose bytes changed in this run
    # file (relative to folder) -> (files it imports statically, files it imports lazily)
    imports: dict[str, tuple[list[str], list[str]]]
    # figure name ("distributions") -> its chunk (relative to folder)
    figure_chunks: dict[str, str]


def _esbuild(node_modules: Path) -> Path:
    exe = node_modules / ".bin" / "esbuild"
    if not exe.exists():
        raise MissingFrontEndPackageError(
            f"{exe} is missing: run `npm ci` in the project folder (package.json lists esbuild)"
        )
    return exe


def bundle(node_modules: Path, output: Path) -> Bundle:
    """Bundle theme/figures/ into ``output/figures``; raise with esbuild's message on error."""
    exe = _esbuild(node_modules)
    folder = output / OUTPUT_DIR
    key = _input_key(node_modules)
    kept = _kept_bundle(folder, key)
    if kept is not None:
        return kept
    with tempfile.TemporaryDirectory(prefix="kexue-figures-") as tmp:
        out = Path(tmp) / "out"
        meta = Path(tmp) / "meta.json"
        cmd = [str(exe), *(str(SOURCE / e) for e in ENTRIES), *_OPTIONS]
        cmd += [f"--outdir={out}", f"--metafile={meta}"]
        # NODE_PATH: bare imports (uplot, d3-contour) resolve in the given node_modules.
        env = {**os.environ, "NODE_PATH": str(node_modules)}
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
        if result.returncode != 0:
            raise RuntimeError(
                f"esbuild could not bundle {SOURCE}:\n{result.stderr.strip()}\n"
                "fix the file named above (or run `npm ci` if a package is missing)"
            )
        imports, figure_chunks = _read_meta(json.loads(meta.read_text("utf-8")), out)
        files, written = [], []
        for src in sorted(p for p in out.rglob("*") if p.is_file()):
            target = folder / src.relative_to(out)
            if atomic_write_bytes(target, src.read_bytes()):
                written.append(target)
            files.append(target)
    _remove_stale(folder, files)
    layout = {"key": key, "files": [f.relative_to(folder).as_posix() for f in files]}
    layout.update(imports=imports, figure_chunks=figure_chunks)
    atomic_write_bytes(folder / STAMP, json.dumps(layout, sort_keys=True).encode())
    return Bundle(folder, files, written, imports, figure_chunks)


_OPTIONS = [
    "--bundle",
    "--splitting",
    "--format=esm",
    "--minify",
    "--target=es2020",
    "--log-level=warning",
    "--entry-names=[name]",
    "--chunk-names=chunks/[name]-[hash]",
]


def _input_key(node_modules: Path) -> str:
    """A digest of what esbuild reads: the sources, the installed packages, the options."""
    digest = hashlib.sha256(json.dumps(_OPTIONS).encode())
    lock = node_modules / ".package-lock.json"  # npm's record of what is installed
    for path in [*sorted(p for p in SOURCE.rglob("*") if p.is_file()), lock]:
        digest.update(f"\n{path}\n".encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _remove_stale(folder: Path, files: list[Path]) -> None:
    keep = set(files)
    for stale in folder.rglob("*"):
        if stale.is_file() and stale not in keep and stale.name != STAMP:
            stale.unlink()


def _kept_bundle(folder: Path, key: str) -> Bundle | None:
    """The bundle in ``folder`` when it was built from ``key`` and is complete."""
    try:
        layout = json.loads((folder / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(layout, dict) or layout.get("key") != key:
        return None
    files = [folder / f for f in layout["files"]]
    if not all(f.is_file() for f in files):
        return None
    _remove_stale(folder, files)
    imports = {k: (v[0], v[1]) for k, v in layout["imports"].items()}
    return Bundle(folder, files, [], imports, layout["figure_chunks"])


def _read_meta(meta: dict, out: Path):
    def rel(path: str) -> str:
        return (ROOT / path).resolve().relative_to(out.resolve()).as_posix()

    imports, figure_chunks = {}, {}
    for path, info in meta["outputs"].items():
        if path.endswith(".map"):
            continue
        static = [rel(i["path"]) for i in info["imports"] if i["kind"] == "import-statement"]
        lazy = [rel(i["path"]) for i in info["imports"] if i["kind"] == "dynamic-import"]
        imports[rel(path)] = (static, lazy)
        entry = info.get("entryPoint", "")
        if entry and Path(entry).name not in ENTRIES:
            figure_chunks[Path(entry).stem] = rel(path)
    return imports, figure_chunks


def files_for_figure(b: Bundle, name: str) -> list[str]:
    """What a page with one figure ``name`` loads: the loader, the CSS, the figure's chunk
    and every chunk it imports (relative to the bundle folder)."""
    wanted = ["figures.css", "figures.js"]
    todo = [b.figure_chunks[name]]
    while todo:
        f = todo.pop()
        if f not in wanted:
            wanted.append(f)
            todo.extend(b.imports[f][0])
    return wanted
