"""Shared by the unit tests of notes and the ledger: a content folder of the sample posts,
writing a note into it, and running this repository's tasks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kexue.core.paths import ROOT

SAMPLES = ROOT / "content" / "samples"


def write_note(content: Path, name: str, text: str) -> Path:
    path = content / "derivations" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def content(tmp_path) -> Path:
    """A content folder holding the sample posts and no notes."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLES, root / "samples")
    return root


def run_tasks(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run this repository's tasks in ``tmp_path`` (content/ there is the default)."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
