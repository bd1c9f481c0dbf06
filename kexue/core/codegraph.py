"""The kexue import graph, read from the source (no module imported), and the fingerprint of
the code a module runs: its source and that of every kexue module it imports, transitively.

Every ``import``/``from … import`` of a kexue module counts, at module level or inside a
function (a function-local import is still code the module runs); an import of a package
counts as its ``__init__``.  A cache keyed by :func:`code_fingerprint` of the module that
computes its values is recomputed after an edit to any module that code can reach: no list
of modules is kept by hand (tests/unit/test_imports.py checks the same graph for cycles).
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the kexue/ folder

_MODULES: dict[Path, set[str]] = {}
_IMPORTS: dict[tuple[Path, str], set[str]] = {}
_FINGERPRINTS: dict[tuple[Path, tuple[str, ...]], str] = {}


def module_name(path: Path, package: Path | None = None) -> str:
    parts = Path(path).relative_to((package or PACKAGE).parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_file(name: str, package: Path | None = None) -> Path:
    """The source file of kexue module ``name`` (a package: its __init__.py)."""
    package = package or PACKAGE
    base = package.parent.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports_of(path: Path, modules: set[str], package: Path | None = None) -> set[str]:
    """The kexue modules ``path`` imports (a package import counts as its __init__)."""
    found: set[str] = set()
    here = module_name(path, package)
    within = here if Path(path).name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        for name in _imported_names(node, within):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != here:
                found.add(name)
    return found


def _imported_names(node: ast.AST, within: str) -> list[str]:
    """The dotted names an import statement may refer to (``from a import b``: a and a.b)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = within.split(".")[: len(within.split(".")) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [base] + [f"{base}.{a.name}" for a in node.names]


def modules(package: Path | None = None) -> set[str]:
    """The names of every module of the package (once per process and folder)."""
    package = package or PACKAGE
    if package not in _MODULES:
        _MODULES[package] = {module_name(f, package) for f in package.rglob("*.py")}
    return _MODULES[package]


def _imports(name: str, package: Path) -> set[str]:
    if (package, name) not in _IMPORTS:
        path = module_file(name, package)
        _IMPORTS[package, name] = imports_of(path, modules(package), package)
    return _IMPORTS[package, name]


def import_graph(package: Path | None = None) -> dict[str, set[str]]:
    """{module: the kexue modules it imports} for every module of the package."""
    package = package or PACKAGE
    return {name: _imports(name, package) for name in sorted(modules(package))}


def dependencies(*roots: str, package: Path | None = None) -> set[str]:
    """``roots`` and every kexue module they import, directly or not (only those files are
    read).  A root outside kexue (``markdown.extensions.toc``) adds nothing."""
    package = package or PACKAGE
    todo = [r for r in roots if r == "kexue" or r.startswith("kexue.")]
    for root in todo:
        if root not in modules(package):
            raise KeyError(f"code fingerprint: no kexue module {root!r}")
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_imports(name, package) - seen)
    return seen


def code_fingerprint(*roots: str, package: Path | None = None) -> str:
    """A digest of the source of ``roots`` and of every kexue module they import."""
    package = package or PACKAGE
    given = (package, tuple(sorted(set(roots))))
    if given not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for name in sorted(dependencies(*roots, package=package)):
            digest.update(f"{name}\n".encode())
            digest.update(module_file(name, package).read_bytes())
        _FINGERPRINTS[given] = digest.hexdigest()[:16]
    return _FINGERPRINTS[given]


def forget() -> None:
    """Drop the graphs and fingerprints read so far (a test that edits the source)."""
    _MODULES.clear()
    _IMPORTS.clear()
    _FINGERPRINTS.clear()
