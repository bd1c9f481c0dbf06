"""Call functions of the figures' ES modules in Node from pytest (tests/js/call.mjs).

One Node process serves the whole test session: a request per line on its stdin, an answer
per line on its stdout.
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

_node: subprocess.Popen | None = None


def _process() -> subprocess.Popen:
    global _node
    if _node is None or _node.poll() is not None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is not installed: install Debian's nodejs")
        _node = subprocess.Popen(
            [node, "tests/js/call.mjs"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        atexit.register(_node.kill)
    return _node


def js(module: str, *calls):
    """Run ``calls`` (each ``(function name, *args)``) of ``module`` (a path from the project
    folder) in Node; return their results."""
    node = _process()
    node.stdin.write(json.dumps({"module": module, "calls": [list(c) for c in calls]}) + "\n")
    node.stdin.flush()
    line = node.stdout.readline()
    assert line, f"node exited (code {node.poll()}); run `node tests/js/call.mjs` to see why"
    reply = json.loads(line)
    assert "error" not in reply, reply.get("error")
    return reply["results"]
