"""The failure paths of issue 24 that run a subprocess (invoke, a server): each ends in
one line naming the file and the fix."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.site.serve import port_problem

INVOKE = [sys.executable, "-m", "invoke"]


def _invoke(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*INVOKE, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_a_file_size_limit_is_one_line_naming_the_file(tmp_path):
    code = (
        "import resource, sys\n"
        "from kexue.core.fsutil import atomic_write_text\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        f"path = __import__('pathlib').Path({str(tmp_path / 'big.html')!r})\n"
        "try:\n"
        "    atomic_write_text(path, 'x' * 5000)\n"
        "except OSError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip().endswith(
        f"cannot write {tmp_path / 'big.html'}: over the file-size limit (`ulimit -f`): "
        "raise it and build again"
    )
    assert not list(tmp_path.iterdir())  # no temporary file left


@pytest.fixture
def bom_content(tmp_path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    post = next((content / "samples").glob("*.md"))
    post.write_bytes(b"\xef\xbb\xbf" + post.read_bytes())
    return content


def test_a_bom_post_in_progress_and_topics_is_one_line(bom_content, tmp_path):
    post = next((bom_content / "samples").glob("*.md"))
    ledger, report = tmp_path / "ledger.txt", tmp_path / "report.md"
    for args in (
        (
            "progress",
            "--content",
            str(bom_content),
            "--ledger",
            str(ledger),
            "--report",
            str(report),
        ),
        ("topics", "--report", "--content", str(bom_content)),
    ):
        result = _invoke(*args)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().endswith(
            f"{post}:1: the file starts with a byte-order mark (BOM); save it as UTF-8 "
            "without BOM (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)"
        ), result.stderr


def test_a_binary_note_in_progress_is_one_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    note = next((content / "derivations").glob("*.md"))
    note.write_bytes(b"\xc1\x00\x89PNG")
    result = _invoke(
        "progress", "--content", str(content), "--ledger", str(tmp_path / "l"), "--report",
        str(tmp_path / "r"),
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"invoke progress: {note}:1: binary data (byte 0xc1 at offset 0 is not UTF-8); save "
        "the file as UTF-8 text, or remove it"
    )


def test_serve_refuses_a_bad_or_busy_port_in_one_line():
    assert port_problem("abc").startswith("--port 'abc' is not a number")
    assert port_problem(70000).startswith("--port 70000 is out of range")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert port_problem(port) == (
            f"port {port} is busy (another server?): give another with --port"
        )
    result = _invoke("serve", "--port", "abc", "--no-build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "invoke serve: --port 'abc' is not a number: give a port from 1024 to 65535, e.g. 8000"
    )


def test_serve_refuses_an_output_folder_that_is_not_a_build_and_keeps_its_files(tmp_path):
    (tmp_path / "notes.html").write_text("mine", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    result = _invoke("serve", "--port", port, "--output", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"invoke serve: --output {tmp_path} holds files but is not")
    assert (tmp_path / "notes.html").read_text(encoding="utf-8") == "mine"
