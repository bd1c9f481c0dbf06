"""Publish a built site to the gh-pages branch of a git remote, with ghp-import.

The commit is made in a dedicated publishing repository (``.cache/publish-repo`` by
default), never in the project's own repository: it fetches the remote's branch, and
when the built tree equals what the branch already holds nothing is committed or pushed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kexue.core.errors import ToolError
from kexue.core.fsutil import atomic_write_text
from kexue.site.outputs import is_build_output


class PublishError(ToolError):
    """Publishing failed; the message says what to do next."""


@dataclass
class PublishResult:
    pushed: bool
    commit: str | None  # the branch's commit after publishing
    reason: str


def _git(repo: Path, *args: str, env: dict | None = None, check: bool = True):
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if check and result.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def prepare_output(output: Path, cname: str | None = None) -> None:
    """Add what GitHub Pages needs: .nojekyll (folders like _static served as is) and
    CNAME for a custom domain."""
    if not (output / "index.html").is_file():
        raise PublishError(f"{output} holds no index.html: build the site first (invoke build)")
    atomic_write_text(output / ".nojekyll", "")
    if cname:
        atomic_write_text(output / "CNAME", cname.strip() + "\n")


def _tree_of(repo: Path, folder: Path) -> str:
    """The git tree id ``folder`` would have if committed (index kept aside)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), "GIT_WORK_TREE": str(folder)}
        _git(repo, "--work-tree", str(folder), "add", "--all", "--force", ".", env=env)
        return _git(repo, "write-tree", env=env).stdout.strip()


def publish(
    output: Path,
    remote: str,
    branch: str = "gh-pages",
    workdir: Path | None = None,
    message: str = "Publish kexue-notes site",
    cname: str | None = None,
) -> PublishResult:
    """Push ``output`` to ``branch`` of ``remote`` (a URL or a path); skip when unchanged.
    Refuses a folder that is not a build output, and a remote git would read as an option."""
    output = Path(output).resolve()
    if str(remote).startswith("-"):
        raise PublishError(f"remote {remote!r} starts with '-': git would read it as an option")
    if output.is_dir() and not is_build_output(output):
        raise PublishError(
            f"{output} is not a kexue-notes build output: build into it with `invoke build`"
        )
    prepare_output(output, cname)
    workdir = Path(workdir or Path(".cache") / "publish-repo").resolve()
    if not (workdir / ".git").is_dir():
        workdir.mkdir(parents=True, exist_ok=True)
        _git(workdir, "init", "-q")
    _git(workdir, "config", "user.name", os.environ.get("GIT_AUTHOR_NAME", "kexue-notes"))
    _git(
        workdir, "config", "user.email", os.environ.get("GIT_AUTHOR_EMAIL", "kexue-notes@localhost")
    )
    listing = _git(workdir, "ls-remote", "--heads", remote, branch, check=False)
    if listing.returncode != 0:
        raise PublishError(
            f"cannot reach the remote {remote!r}: {listing.stderr.strip()} "
            "(check --remote / KEXUE_PUBLISH_REMOTE and your credentials)"
        )
    if listing.stdout.strip():
        _git(workdir, "fetch", "-q", remote, f"+refs/heads/{branch}:refs/heads/{branch}")
        current = _git(workdir, "rev-parse", f"refs/heads/{branch}").stdout.strip()
        if (
            _tree_of(workdir, output)
            == _git(workdir, "rev-parse", f"{current}^{{tree}}").stdout.strip()
        ):
            return PublishResult(
                False, current, f"{branch} already holds this site; nothing pushed"
            )
    else:
        _git(workdir, "update-ref", "-d", f"refs/heads/{branch}", check=False)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ghp_import",
            "-b",
            branch,
            "-m",
            message,
            "-p",
            "-r",
            remote,
            str(output),
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PublishError(
            f"ghp-import could not push to {remote} {branch}: "
            f"{(result.stderr or result.stdout).strip()}"
        )
    commit = _git(workdir, "rev-parse", f"refs/heads/{branch}").stdout.strip()
    return PublishResult(True, commit, f"pushed {commit[:12]} to {remote} {branch}")
