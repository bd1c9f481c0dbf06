"""Incremental builds: what changed since the last build, and which pages that touches.

After each build a state file (under Pelican's CACHE_PATH) records a snapshot of the
inputs (every file under content/, the theme, data/, the settings file and the code,
by SHA-256), the pages written, and what each post shows on other pages (title, date,
topics, tags, note status: its "face").  The next build compares:

- nothing changed and every page written last time is still there: nothing to do
  (`invoke build` then skips Pelican altogether);
- only posts (posts/, samples/) or notes (derivations/) were edited, none added or
  removed: a :class:`Plan` naming them.  The build writes the edited posts' pages (and
  the page of a post whose note was edited), their neighbours and related posts, and,
  after a post edit, the lists; when an edit changes a post's face, every page;
- anything else (a new or deleted file, a template, data/, settings, code, an emptied
  output folder, DELETE_OUTPUT_DIRECTORY): a full build.

Pelican's WRITE_SELECTED, which did this from outside, is gone in Pelican 4.12; the
selection is applied by plugins/kexue_incremental's writer.  Nothing here imports Pelican.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.fsutil import atomic_write_text
from kexue.core.paths import DATA, NOTE_DIR, POST_DIRS, ROOT
from kexue.site.cachekey import reader_fingerprint

FORMAT = 1
NOTE_DIRS = (NOTE_DIR,)


def _walk(folder: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
    return files


def _hash(path: Path, st: os.stat_result, old: dict) -> str:
    """The file's SHA-256; reused from the old snapshot when size and mtime agree."""
    stamp = f"{st.st_size}:{st.st_mtime_ns}"
    prev = old.get(str(path))
    if prev and prev[0] == stamp:
        return prev[1]
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(content: Path, others: list[Path], old: dict | None = None) -> dict:
    """{"content": {relative path: [stamp, sha]}, "other": digest of everything else}."""
    old_files = {str(Path(content) / k): v for k, v in ((old or {}).get("content") or {}).items()}
    files = {}
    for path in _walk(Path(content)):
        st = path.stat()
        files[path.relative_to(content).as_posix()] = [
            f"{st.st_size}:{st.st_mtime_ns}",
            _hash(path, st, old_files),
        ]
    old_others = (old or {}).get("other_files") or {}
    other_files = {}
    other = hashlib.sha256(reader_fingerprint(ROOT).encode())
    for base in others:
        base = Path(base)
        for path in _walk(base) if base.is_dir() else [base] if base.exists() else []:
            st = path.stat()
            sha = _hash(path, st, old_others)
            other_files[str(path)] = [f"{st.st_size}:{st.st_mtime_ns}", sha]
            other.update(f"\n{path}\n{sha}".encode())
    return {"content": files, "other": other.hexdigest(), "other_files": other_files}


@dataclass
class Plan:
    """What a build has to write.  ``full``: everything (``reason`` says why)."""

    full: bool
    reason: str = ""
    posts: set[str] = field(default_factory=set)  # content-relative paths of edited posts
    notes: set[str] = field(default_factory=set)  # post ids whose note was edited

    @property
    def nothing(self) -> bool:
        return not self.full and not self.posts and not self.notes

    def describe(self) -> str:
        if self.full:
            return f"full build ({self.reason})"
        if self.nothing:
            return "nothing changed"
        parts = [f"{len(self.posts)} post(s)"] if self.posts else []
        parts += [f"{len(self.notes)} note(s)"] if self.notes else []
        return f"edited: {', '.join(parts)}"


def plan(old: dict | None, now: dict, output: Path) -> Plan:
    """Compare the state of the last build with the snapshot ``now``."""
    if not old or old.get("format") != FORMAT:
        return Plan(True, "no record of an earlier build")
    if old["inputs"].get("profile") != now.get("profile"):
        return Plan(True, "the last build into this folder used other settings (publish/build)")
    if old["inputs"]["other"] != now["other"]:
        return Plan(True, "the theme, data/, settings or code changed")
    missing = next((p for p in old.get("written", []) if not (Path(output) / p).exists()), None)
    if missing:
        return Plan(True, f"{missing} is missing from the output")
    before, after = old["inputs"]["content"], now["content"]
    if before.keys() != after.keys():
        return Plan(True, "files were added to or removed from content/")
    result = Plan(False)
    for rel, (_, sha) in after.items():
        if before[rel][1] == sha:
            continue
        top, _, name = rel.partition("/")
        if top in POST_DIRS and "/" not in name and name.endswith(".md"):
            result.posts.add(rel)
        elif top in NOTE_DIRS and "/" not in name and name.endswith(".md"):
            result.notes.add(name[: -len(".md")])
        else:
            return Plan(True, f"{rel} changed")
    return result


def state_path(cache_path: Path, output: Path) -> Path:
    key = hashlib.sha256(str(Path(output).resolve()).encode()).hexdigest()[:12]
    return Path(cache_path) / "incremental" / f"{key}.json"


_STATES: dict[str, tuple[int, dict]] = {}  # path -> (mtime_ns, state): serve rebuilds


def load_state(path: Path) -> dict | None:
    try:
        stamp = Path(path).stat().st_mtime_ns
        kept = _STATES.get(str(path))
        if kept and kept[0] == stamp:
            return kept[1]
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # none yet, or unreadable: a full build writes a new one
    _STATES[str(path)] = (stamp, state)
    return state


def discard_state(path: Path) -> None:
    """Forget the last build's state before a run writes pages: a run stopped half-way
    leaves none, so the next build is a full one (it finishes the job); the new state
    is saved after the pages are final (the math typeset, the index built)."""
    Path(path).unlink(missing_ok=True)
    _STATES.pop(str(path), None)


def profile(settings) -> str:
    """What makes a production build's pages differ from a development build's (absolute
    URLs, feeds): builds of different profiles never share an "up to date" state."""
    keys = ("SITEURL", "RELATIVE_URLS", "FEED_DOMAIN", "FEED_ALL_ATOM", "MATH_PRERENDER")
    return json.dumps([str(settings.get(k)) for k in keys])


def save_state(path: Path, inputs: dict, written: list[str], faces: dict[str, list]) -> None:
    data = {"format": FORMAT, "inputs": inputs, "written": sorted(written), "faces": faces}
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    _STATES[str(path)] = (Path(path).stat().st_mtime_ns, data)


def other_inputs(theme: Path) -> list[Path]:
    """What besides content/ and the code (kexue/, plugins/) a build reads: the theme,
    data/, the npm lockfile and both settings files."""
    return [Path(theme), DATA, ROOT / "package-lock.json", *sorted(ROOT.glob("*conf.py"))]


last_plan: Plan | None = None  # the plan of the latest build in this process


def current(settings) -> tuple[Path, dict | None, dict, Plan]:
    """(state file, last build's state, snapshot now, plan) for Pelican ``settings``."""
    global last_plan
    path = state_path(Path(settings["CACHE_PATH"]), Path(settings["OUTPUT_PATH"]))
    old = load_state(path)
    now = snapshot(
        Path(settings["PATH"]), other_inputs(Path(settings["THEME"])), (old or {}).get("inputs")
    )
    now["profile"] = profile(settings)
    if settings.get("DELETE_OUTPUT_DIRECTORY"):
        last_plan = Plan(True, "DELETE_OUTPUT_DIRECTORY is on")
    else:
        last_plan = plan(old, now, Path(settings["OUTPUT_PATH"]))
    return path, old, now, last_plan


def check_build(settings_file: Path, content: Path, output: Path) -> tuple[bool, str]:
    """Would `pelican content -s settings_file -o output` change nothing?  (fresh, why)"""
    from pelican.settings import read_settings  # noqa: PLC0415 (Pelican: the rest of kexue runs without it)

    override = {"PATH": os.path.abspath(content), "OUTPUT_PATH": os.path.abspath(output)}
    settings = read_settings(str(settings_file), override=override)
    if "kexue_incremental" not in [str(p) for p in settings.get("PLUGINS") or []]:
        return False, "kexue_incremental is not among the PLUGINS"
    result = current(settings)[3]
    return result.nothing, result.describe()
