"""Call functions of the figures' ES modules in Node from pytest (tests/js/call.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def js(module: str, *calls):
    """Run ``calls`` (each ``(function name, *args)``) of ``module`` (a path from the project
    folder) in one Node process; return their results."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: install Debian's nodejs")
    request = json.dumps({"module": module, "calls": [list(c) for c in calls]})
    result = subprocess.run(
        [node, "tests/js/call.mjs"], input=request, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
