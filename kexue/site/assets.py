"""Front-end files installed by npm (package.json) that the build copies into the site.

Nothing is fetched from another host at run time: every script, style and font a page
loads is copied here from node_modules/ into output/vendor/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kexue.core import layout

# (package, path inside the package, destination under output/vendor/)
VENDOR_FILES: list[tuple[str, str, str]] = [
    ("mathjax", "es5/tex-chtml.js", "mathjax/tex-chtml.js"),
    ("mathjax", "es5/input/tex/extensions", "mathjax/input/tex/extensions"),
    ("mathjax", "es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
    ("mathjax", "es5/ui", "mathjax/ui"),
    ("mathjax", "es5/a11y", "mathjax/a11y"),
    ("mathjax", "es5/adaptors", "mathjax/adaptors"),
    # MathJax 4's fonts for the formulas typeset at build time (kexue.math.prerender): a
    # browser downloads only the faces a page's formulas use.
    ("@mathjax/mathjax-newcm-font", "chtml/woff2", "mathjax4/woff2"),
]


def _copy_if_changed(src: str, dst: str) -> str:
    """shutil's copy2, skipped when ``dst`` already has ``src``'s size and mtime (copy2
    keeps the mtime), so a rebuild does not rewrite every vendored file."""
    s, d = Path(src).stat(), Path(dst)
    if d.exists():
        ds = d.stat()
        if ds.st_size == s.st_size and int(ds.st_mtime) == int(s.st_mtime):
            return dst
    return shutil.copy2(src, dst)


class MissingFrontEndPackageError(RuntimeError):
    pass


def copy_vendor(node_modules: Path, output: Path) -> list[Path]:
    """Copy VENDOR_FILES into ``output/vendor``; return the destinations.

    Raises MissingFrontEndPackageError naming the package and the command that installs it.
    """
    written = []
    for package, src, dest in VENDOR_FILES:
        source = node_modules / package / src
        if not source.exists():
            raise MissingFrontEndPackageError(
                f"{source} is missing: run `npm ci` in the project folder "
                f"(package.json lists {package})"
            )
        target = output / layout.VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, copy_function=_copy_if_changed)
        else:
            _copy_if_changed(str(source), str(target))
        written.append(target)
    return written
