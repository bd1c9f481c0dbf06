"""`invoke publish` against a real bare git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kexue.core.paths import ROOT
from kexue.site.publish import PublishError, publish

SITEURL = "https://example.github.io/kexue-notes"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def setup(tmp_path: Path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("posts", "raw"))
    return remote, content, tmp_path


def run_publish(tmp: Path, remote: Path, content: Path, *extra: str):
    env = {
        **os.environ,
        "KEXUE_PUBLISH_WORKDIR": str(tmp / "publish-repo"),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@localhost",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@localhost",
    }
    cmd = [sys.executable, "-m", "invoke", "publish", "--siteurl", SITEURL]
    cmd += ["--remote", str(remote), "--content", str(content), "--output", str(tmp / "out")]
    return subprocess.run(
        [*cmd, *extra], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )


def branch_commits(remote: Path) -> list[str]:
    return git("--git-dir", str(remote), "rev-list", "gh-pages").split()


def test_publish_pushes_the_site_then_a_republish_adds_no_commit(setup):
    remote, content, tmp = setup
    first = run_publish(tmp, remote, content, "--cname", "notes.example.org")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"site: {SITEURL}/" in first.stdout
    files = set(git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages").split())
    for path in ("index.html", "archives/90001/index.html", ".nojekyll", "CNAME"):
        assert path in files, path
    assert any(f.startswith("pagefind/") for f in files), "no search index on gh-pages"
    assert "theme/search/contract.js" in files  # the search page's contract, emitted too
    index = git("--git-dir", str(remote), "show", "gh-pages:archives/90001/index.html")
    assert f"{SITEURL}/" in index  # absolute URLs in the published build
    commits = branch_commits(remote)
    assert len(commits) == 1

    second = run_publish(tmp, remote, content, "--cname", "notes.example.org")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing pushed" in second.stdout
    assert branch_commits(remote) == commits

    (content / "samples" / "90002.md").write_text(
        (content / "samples" / "90002.md").read_text(encoding="utf-8") + "\n补充一句。\n",
        encoding="utf-8",
    )
    third = run_publish(tmp, remote, content, "--cname", "notes.example.org")
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(branch_commits(remote)) == 2


def test_publish_refuses_when_a_check_fails_and_leaves_the_branch_untouched(setup):
    remote, content, tmp = setup
    assert run_publish(tmp, remote, content).returncode == 0
    before = branch_commits(remote)
    broken = content / "samples" / "90004.md"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("Slug: 90004", "Slug: 90099"), encoding="utf-8"
    )
    result = run_publish(tmp, remote, content)
    assert result.returncode != 0
    assert "refusing to publish" in result.stdout + result.stderr
    assert "90004.md" in result.stdout
    assert branch_commits(remote) == before


def test_publish_without_siteurl_says_how_to_give_it(setup, monkeypatch):
    remote, content, tmp = setup
    monkeypatch.delenv("KEXUE_SITEURL", raising=False)
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "publish", "--remote", str(remote)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "--siteurl" in result.stdout + result.stderr


def test_publish_refuses_an_output_folder_that_is_not_a_build_and_leaves_it_alone(setup):
    remote, content, tmp = setup
    mine = tmp / "out"
    mine.mkdir()
    (mine / "thesis.tex").write_text("my work", encoding="utf-8")
    result = run_publish(tmp, remote, content)
    assert result.returncode != 0
    assert "is not a kexue-notes build output" in result.stdout + result.stderr
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "my work"
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]


def test_publish_refuses_a_remote_that_git_would_read_as_an_option(setup):
    remote, content, tmp = setup
    env = {**os.environ, "KEXUE_PUBLISH_WORKDIR": str(tmp / "publish-repo")}
    cmd = [sys.executable, "-m", "invoke", "publish", "--siteurl", SITEURL]
    cmd += ["--remote=--upload-pack=touch /tmp/x", "--content", str(content)]
    cmd += ["--output", str(tmp / "out")]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert result.returncode != 0
    assert "starts with '-'" in result.stdout + result.stderr
    assert not (tmp / "out").exists()  # refused before building


def test_publish_core_refuses_an_option_like_remote_and_a_foreign_folder(tmp_path):
    with pytest.raises(PublishError, match="starts with '-'"):
        publish(tmp_path, "--upload-pack=x")
    (tmp_path / "index.html").write_text("<p>not ours</p>", encoding="utf-8")
    with pytest.raises(PublishError, match="not a kexue-notes build output"):
        publish(tmp_path, str(tmp_path / "remote.git"))
