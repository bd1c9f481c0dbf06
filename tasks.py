"""Operator tasks: `invoke --list`.  Thin adapters over the kexue package."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

import invoke
from invoke import Exit

from kexue.core.errors import KexueError
from kexue.core.paths import ROOT
from kexue.crawl.options import LEDGER, CrawlOptions

OUTPUT = ROOT / "output"
PY = sys.executable


def _say(msg: str) -> None:
    print(f"[kexue] {msg}", flush=True)


def _one_line_errors(body):
    """Run ``body``; a KexueError (bad input, a missing tool: kexue/core/errors.py) becomes its
    one-line message and exit 1.  Anything else is a bug and keeps its traceback."""

    @functools.wraps(body)
    def run(*args, **kwargs):
        try:
            return body(*args, **kwargs)
        except KexueError as e:
            raise Exit(f"invoke {body.__name__.replace('_', '-')}: {e}", code=1) from None

    return run


def task(*args, **kwargs):
    """invoke's ``@task`` (bare or with options), its body run by ``_one_line_errors``."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return invoke.task(_one_line_errors(args[0]))
    return lambda body: invoke.task(*args, **kwargs)(_one_line_errors(body))


# The help of the options several tasks share.
FOLDERS_HELP = {
    "content": "content folder (default content/)",
    "output": "output folder (default output/)",
}
ACCEPTED_HELP = "file of accepted problems (default data/accepted.toml)"


def _pelican(c, settings: str, output: Path, content: str = "content", extra: str = "") -> None:
    cmd = f'"{PY}" -m pelican "{content}" -s {settings} -o "{output}" {extra}'.rstrip()
    result = c.run(cmd, warn=True)
    if result.failed:
        raise Exit(f"pelican failed (exit {result.exited}); see the messages above", code=1)


@task(
    help={
        "settings": "pelicanconf.py (default) or publishconf.py",
        **FOLDERS_HELP,
    }
)
def build(c, settings="pelicanconf.py", content="content", output=str(OUTPUT)):
    """Build the site from content/ into output/ (only what changed since the last build;
    the search index with it).  Bad input, an output folder that is not a build's and a post
    Pelican dropped are refused inside the Pelican run (kexue/site/pelican.py)."""
    from kexue.site.incremental import check_build

    out = Path(output)
    fresh, why = check_build(Path(settings), Path(content), out)
    if fresh:
        _say(f"{out} is up to date ({why}): Pelican not run")
        return
    _pelican(c, settings, out, content)
    pages = sum(1 for _ in out.rglob("*.html"))
    _say(f"built {pages} HTML pages into {out} (serve them with `./run serve`)")


@task(
    help={
        "port": "port on 127.0.0.1 (default 8000)",
        "no_build": "serve the existing output without building or watching",
        "settings": "pelicanconf.py (default)",
        **FOLDERS_HELP,
    }
)
def serve(c, port="8000", no_build=False, settings="pelicanconf.py", content="content", output=""):
    """Build, serve on http://127.0.0.1:PORT/, rebuild what an edit touches, reload the page."""
    from kexue.site.outputs import output_problem
    from kexue.site.serve import port_problem

    out = Path(output) if output else OUTPUT
    refused = port_problem(port) or (None if no_build else output_problem(out))
    if refused:
        raise Exit(f"invoke serve: {refused}", code=1)
    port = int(port)
    if no_build:
        from kexue.site.serve import serve_forever

        _say(f"serving {out} at http://127.0.0.1:{port}/ (Ctrl-C stops)")
        serve_forever(out, int(port))
        return
    from kexue.site.live import LiveSite, serve_live, watched_problem

    site = LiveSite(Path(settings), Path(content), out)
    refused = watched_problem(site)
    if refused:
        raise Exit(f"invoke serve: {refused}", code=1)
    serve_live(site, port, say=_say)


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def livereload(c, port="8000"):
    """The name Pelican's quickstart gives `invoke serve`: build, serve, reload on edits."""
    serve(c, port=port)


@task(help={"all": "also the formula and search caches (rebuilt by the next build)"})
def clean(c, all=False):
    """Remove output/ and Pelican's cache; with --all every build cache (.cache/mathjax,
    .cache/search, …): only the crawl's raw pages (.cache/raw) are kept."""
    paths = [OUTPUT, ROOT / ".cache" / "pelican"]
    if all:
        keep = {"raw"}  # crawled pages: fetched again only by `invoke crawl`
        cache = ROOT / ".cache"
        paths += (
            [p for p in sorted(cache.iterdir()) if p.name not in keep] if cache.is_dir() else []
        )
    for path in dict.fromkeys(paths):
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
        else:
            continue
        _say(f"removed {path.relative_to(ROOT)}")
    _say("clean")


def _run_checks(content: Path, output: Path, accepted: str = "") -> int:
    """Print every problem, accepted problem and notice the checks find; return how many
    problems block publishing (those not accepted in data/accepted.toml)."""
    from kexue.site.accepted import ACCEPTED_PATH, AcceptedError, load_accepted
    from kexue.site.checks import CheckContext, check_site, report_lines

    accepted_path = Path(accepted) if accepted else ACCEPTED_PATH
    try:
        acceptances = load_accepted(accepted_path)
    except AcceptedError as e:
        raise Exit(f"invoke check: {e}", code=1) from e
    ctx = CheckContext(root=ROOT, content=Path(content), output=Path(output))
    per_check, total = check_site(ctx, acceptances)
    for line, headline in report_lines(per_check, total, accepted_path, ctx.content):
        _say(line) if headline else print(line)
    return len(total.problems)


@task(
    help={
        "no_build": "check the existing output without building first",
        "accepted": ACCEPTED_HELP,
        **FOLDERS_HELP,
    }
)
def check(c, no_build=False, content="content", output=str(OUTPUT), accepted=""):
    """Run every check (content, notes, formulas on built pages); non-zero if a problem
    that data/accepted.toml does not accept is found (notices never fail)."""
    if not no_build:
        build(c, content=content, output=output)
    failed = _run_checks(Path(content), Path(output), accepted)
    if failed:
        raise Exit(f"invoke check: {failed} problem(s)", code=1)
    _say("all checks passed")


@task(
    help={
        "siteurl": "the site's absolute URL (default: $KEXUE_SITEURL)",
        "remote": "git remote URL or path (default: $KEXUE_PUBLISH_REMOTE, else origin's URL)",
        "branch": "branch to publish to (default gh-pages)",
        "cname": "custom domain written to CNAME (default: $KEXUE_CNAME)",
        "accepted": ACCEPTED_HELP,
        **FOLDERS_HELP,
    }
)
def publish(
    c,
    siteurl="",
    remote="",
    branch="gh-pages",
    cname="",
    content="content",
    output=str(OUTPUT),
    accepted="",
):
    """Build with publishconf.py, check, and push output/ to the gh-pages branch."""
    from kexue.site.publish import publish as push_site

    siteurl = (siteurl or os.environ.get("KEXUE_SITEURL", "")).rstrip("/")
    if not siteurl:
        raise Exit("invoke publish: give --siteurl or set KEXUE_SITEURL", code=1)
    os.environ["KEXUE_SITEURL"] = siteurl
    remote = remote or os.environ.get("KEXUE_PUBLISH_REMOTE", "")
    if not remote:
        found = c.run("git remote get-url origin", warn=True, hide=True)
        remote = found.stdout.strip() if found.ok else ""
    if not remote:
        raise Exit("invoke publish: give --remote or set KEXUE_PUBLISH_REMOTE", code=1)
    if remote.startswith("-"):
        raise Exit(
            f"invoke publish: --remote {remote!r} starts with '-' (git would read an option)",
            code=1,
        )
    build(c, settings="publishconf.py", content=content, output=output)
    failed = _run_checks(Path(content), Path(output), accepted)
    if failed:
        raise Exit(f"refusing to publish: invoke check found {failed} problem(s)", code=1)
    result = push_site(
        Path(output),
        remote,
        branch,
        workdir=Path(os.environ.get("KEXUE_PUBLISH_WORKDIR", ROOT / ".cache" / "publish-repo")),
        cname=cname or os.environ.get("KEXUE_CNAME") or None,
    )
    _say(result.reason)
    _say(f"site: {siteurl}/")


@task(
    help={
        "page": "a page path to shoot, repeatable (default: the index and archives/90001/)",
        "out": "folder for the PNGs (default screenshots/, git-ignored)",
        "no_build": "use the existing output/ without building first",
        "content": "content folder to build (default content/)",
        "output": "built site to shoot (default output/)",
    },
    iterable=["page"],
)
def screenshots(
    c, page=None, out="screenshots", no_build=False, content="content", output=str(OUTPUT)
):
    """PNGs of pages in light and dark themes at desktop (1280) and phone (360) widths."""
    from kexue.dev.screenshots import take_screenshots

    if not no_build:
        build(c, content=content, output=output)
    pages = page or ["", "archives/90001/"]
    written = take_screenshots(Path(output), ROOT / out, pages)
    _say(f"wrote {len(written)} screenshots into {out}/")


@task(help={"post_id": "the post's archive id, e.g. 10648", "content": "content folder"})
def note(c, post_id, content="content"):
    """Scaffold content/derivations/<id>.md: one empty section per numbered equation."""
    from datetime import date

    from kexue.core.fsutil import atomic_write_text
    from kexue.core.posts import read_post
    from kexue.notes import find_post_file, note_path, scaffold

    content = Path(content)
    target = note_path(content, post_id)
    if target.exists():
        raise Exit(f"{target} exists; notes are never overwritten", code=1)
    post_file = find_post_file(content, post_id)
    if post_file is None:
        raise Exit(
            f"post {post_id} is not in content/posts/ or content/samples/: fetch it first "
            "(`invoke crawl` or `invoke import-legacy`)",
            code=1,
        )
    text = scaffold(post_id, read_post(post_file).body, date.today().isoformat())
    atomic_write_text(target, text)
    sections = text.count("\n## @")
    _say(f"wrote {target}: {sections} empty section(s) to fill")


@task(
    help={
        "content": "content folder",
        "ledger": "the ledger to regenerate",
        "report": "the progress report whose summary block is regenerated",
    }
)
def progress(c, content="content", ledger="blog_list.txt", report="PROGRESS_REPORT.md"):
    """Regenerate blog_list.txt's status column and PROGRESS_REPORT.md's summary block
    (paths relative to the current folder, the project's when run by ./run)."""
    from kexue.core.header import HeaderError
    from kexue.ledger import write_ledger, write_progress_summary

    for name, write in ((ledger, write_ledger), (report, write_progress_summary)):
        try:
            changed = write(Path(content), Path(name))
        except HeaderError as e:  # a post whose header cannot be read: its file:line
            raise Exit(f"invoke progress: {e}", code=1) from None
        _say(f"{name}: {'updated' if changed else 'up to date'}")


@task
def lint(c):
    """ruff check and ruff format --check."""
    ok = c.run(f'"{PY}" -m ruff check .', warn=True).ok
    ok = c.run(f'"{PY}" -m ruff format --check .', warn=True).ok and ok
    if not ok:
        raise Exit("lint failed: run `ruff check --fix . && ruff format .`", code=1)
    _say("lint clean")


@task(
    help={
        "k": "only tests matching this pytest -k expression",
        "x": "stop at first failure",
        "fast": "only the unit tier (tests/unit: no Pelican, no subprocess), real corpus left out",
    }
)
def test(c, k="", x=False, fast=False):
    """Lint, then the whole test suite (pytest, browser tests included), or with --fast the
    unit tier."""
    lint(c)
    args = ["-ra"] + (["tests/unit", "-m", "'not corpus'"] if fast else [])
    if k:
        args += ["-k", repr(k)]
    if x:
        args.append("-x")
    env = {"PYTHONPATH": str(ROOT)}
    result = c.run(f'"{PY}" -m pytest {" ".join(args)}', warn=True, env=env, pty=False)
    if result.failed:
        raise Exit(f"tests failed (pytest exit {result.exited})", code=1)
    _say("all tests passed")


@task(
    help={
        "explain": "a post id: print its topic, the top scores and the evidence",
        "report": "the distribution, and the posts left in `other` with their best candidates",
        "no_overrides": "ignore `Topic:` headers and content/overrides/topics.json",
        "legacy": "also apply the earlier mirror's assignments (overrides/legacy-topics.json)",
        "content": "content folder (default content/)",
    }
)
def topics(
    c, explain="", report=False, no_overrides=False, legacy=False, content=str(ROOT / "content")
):
    """Topics: explain one post's topic (--explain ID) or report on all (--report)."""
    from kexue.core.header import HeaderError
    from kexue.core.posts import iter_post_files, read_post
    from kexue.topics import (
        UnknownTopicError,
        classify,
        classify_all,
        load_overrides,
        load_taxonomy,
    )

    if not explain and not report:
        raise Exit("say what to do: `invoke topics --explain ID` or `invoke topics --report`")
    taxonomy = load_taxonomy()
    overrides = load_overrides(content, legacy=legacy)
    files = {p.stem: p for p in iter_post_files(Path(content))}
    use = not no_overrides
    try:
        if explain:
            if explain not in files:
                raise Exit(f"no post {explain} in {content} (looked in posts/ and samples/)")
            from kexue.topics import explain as explain_post

            result = classify(read_post(files[explain]), taxonomy, use, overrides)
            print(explain_post(result, taxonomy))
        if report:
            posts = [read_post(p) for p in files.values()]
            print(classify_all(posts, taxonomy, use, overrides).render())
    except UnknownTopicError as e:
        raise Exit(f"{e}\n(or run with --no-overrides)", code=1) from None
    except HeaderError as e:  # a post whose header cannot be read: its file:line
        raise Exit(f"invoke topics: {e}", code=1) from None


def _crawl_options(**kw):
    ids = [i.strip() for i in (kw.pop("ids") or "").split(",") if i.strip()]
    for i in ids:
        if not i.isdigit():
            raise Exit(f"--ids: {i!r} is not a post id (use e.g. --ids 11025,10320)", code=2)
    return CrawlOptions(
        content=Path(kw.pop("content")),
        cache=Path(kw.pop("cache")),
        ids=ids or None,
        rules=Path(kw.pop("rules")) if kw.get("rules") else None,
        ledger=Path(kw.pop("ledger")),
        **{k: v for k, v in kw.items() if k != "rules"},
    )


def _run_with_progress(label: str, work):
    """Run ``work(step)`` under a rich progress bar; print the summary; fail on failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True
    ) as bar:
        tasks: dict[str, int] = {}

        def step(description: str, total: int) -> None:
            phase = description.split()[0]
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], advance=1, description=description)

        summary = work(step)
    for line in summary.lines():
        _say(line)
    if summary.failed:
        raise Exit(f"{label}: {len(summary.failed)} failed (see FAILED lines above)", code=1)


_D = CrawlOptions  # the defaults (dataclass fields with a default are class attributes)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


_CRAWL_HELP = {
    "all": "every post listed in /content.html (default: new posts from the feed)",
    "ids": "comma-separated post ids, e.g. 11025,10320",
    "source": f"the source's base URL (default {_D.source})",
    "delay": f"seconds between requests (default {_D.delay:g}; robots.txt Crawl-delay wins if "
    "larger)",
    "limit": "at most N posts",
    "refresh": "fetch again even when cached (no conditional GET)",
    "include_all": "no relevance filter (data/relevance.toml)",
    "via": f"http or browser (headless Chromium, for 403s and JavaScript gates; default {_D.via})",
    "content": f"content folder (default {_shown(_D.content)}/)",
    "cache": f"raw cache folder (default {_shown(_D.cache)}/)",
    "timeout": f"seconds to wait for an answer (default {_D.timeout:g})",
    "retries": f"retries on 5xx, 429 and dropped connections (default {_D.retries})",
    "backoff": f"first retry waits this many seconds, doubling after (default {_D.backoff:g})",
    "rules": "relevance rules file (default data/relevance.toml)",
    "ledger": f"ledger file regenerated after the crawl (default {_shown(LEDGER)})",
    "image_hosts": "comma-separated hosts besides the source's that post images may come from",
    "missing": "fetch exactly the posts that hold only an excerpt (Completeness: excerpt)",
    "images": "download every source image the posts reference into content/images/<id>/ "
    "and link the local copies (with --ids: those posts only)",
}


@task(help=_CRAWL_HELP)
def crawl(
    c,
    all=_D.all,
    ids="",
    source=_D.source,
    delay=_D.delay,
    limit=None,
    refresh=_D.refresh,
    include_all=_D.include_all,
    via=_D.via,
    content=str(_D.content),
    cache=str(_D.cache),
    timeout=_D.timeout,
    retries=_D.retries,
    backoff=_D.backoff,
    rules="",
    ledger=str(LEDGER),
    image_hosts="",
    missing=False,
    images=False,
):
    """Crawl the source site into the raw cache and content/posts/ (politely, incrementally)."""
    from kexue.crawl.loop import crawl as run_crawl

    if missing:
        from kexue.crawl.missing import missing_text

        wanted = missing_text(Path(content))
        _say(f"posts without their text: {len(wanted)} ({','.join(wanted) or 'none'})")
        if not wanted:
            return
        ids = ",".join(wanted)

    opts = _crawl_options(
        all=all,
        ids=ids,
        source=source,
        delay=float(delay),
        limit=int(limit) if limit not in (None, "") else None,
        refresh=refresh,
        include_all=include_all,
        via=via,
        content=content,
        cache=cache,
        timeout=float(timeout),
        retries=int(retries),
        backoff=float(backoff),
        rules=rules,
        ledger=ledger,
        image_hosts=tuple(h.strip() for h in image_hosts.split(",") if h.strip()),
    )
    if images:
        from kexue.legacy.images import crawl_images

        _run_with_progress("invoke crawl --images", lambda step: crawl_images(opts, step))
        return
    _run_with_progress("invoke crawl", lambda step: run_crawl(opts, step))


@task(
    help={
        k: _CRAWL_HELP[k]
        for k in ("ids", "source", "include_all", "content", "cache", "rules", "ledger")
    }
)
def convert(
    c,
    ids="",
    source=_D.source,
    include_all=_D.include_all,
    content=str(_D.content),
    cache=str(_D.cache),
    rules="",
    ledger=str(LEDGER),
):
    """Re-run the conversion over the raw cache into content/posts/ (no network)."""
    from kexue.crawl.loop import convert_cache

    opts = _crawl_options(
        ids=ids,
        source=source,
        include_all=include_all,
        content=content,
        cache=cache,
        rules=rules,
        ledger=ledger,
    )
    _run_with_progress("invoke convert", lambda step: convert_cache(opts, step))


@task(
    help={
        "path": "the legacy folder (holding blogs_raw/, blog_list.txt, topic_classification.json)",
        "content": "the content folder to import into (default content/)",
        "force": "overwrite derivation notes edited since (and posts the crawler wrote)",
    }
)
def import_legacy(c, path, content=str(ROOT / "content"), force=False):
    """Import the earlier mirror: posts, derivation notes, topic overrides; prints a report."""
    from kexue.legacy.importer import import_legacy as run_import

    report = run_import(Path(path), Path(content), force=force)
    print(report.format())
    # blog_list.txt is not regenerated here: it is tracked, and would then hold the titles
    # of mirrored posts (`invoke progress` regenerates it).
    _say(f"imported {report.ids} posts into {content}; next: `invoke build`")


@task(
    name="anchor-notes",
    help={
        "content": "the content folder (default content/)",
        "ids": "only these post ids, comma-separated",
        "details": "also list every anchored section (line, anchor, rule, heading)",
        "json": "also write the report as JSON to this file",
        "review": "also write every placement (rule, score) to this Markdown file, to pin or "
        "reject in the notes' headers",
    },
)
def anchor_notes(c, content=str(ROOT / "content"), ids="", details=False, json="", review=""):
    """Anchor imported notes' sections under the equations they name or quote."""
    import json as jsonlib

    from kexue.core.fsutil import atomic_write_text
    from kexue.legacy.anchoring import anchor_notes as run_anchor

    wanted = [i.strip() for i in ids.split(",") if i.strip()] or None
    report = run_anchor(Path(content), wanted)
    print(report.format(details=details))
    if review:
        atomic_write_text(Path(review), report.review())
        _say(f"review list: {review}")
    if json:
        Path(json).write_text(
            jsonlib.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    _say(f"anchored {len(report.results)} notes ({len(report.written)} changed) in {content}")


@task(
    name="check-steps",
    help={
        "content": "the content folder (default content/)",
        "ids": "only these post ids, comma-separated",
        "posts": "also check the displays of the posts",
        "json": "write one object per step to this file",
        "no_cache": "check every step again (the cache is .cache/steps/)",
    },
)
def check_steps(c, content=str(ROOT / "content"), ids="", posts=False, json="", no_cache=False):
    """Check the = steps of the derivation notes numerically; list failed steps, the funnel."""
    from kexue.steps.run import cache_path, check_files, step_files, write_json

    wanted = [i.strip() for i in ids.split(",") if i.strip()] or None
    files = step_files(Path(content), wanted, posts)
    report = check_files(files, Path(content).resolve().parent, None if no_cache else cache_path())
    for problem in report.problems:
        print(problem)
    for line in report.failures():
        print(line)
    print(report.summary())
    if json:
        write_json(report, Path(json))
    _say(
        f"check-steps: {len(files)} files, {len(report.results)} steps in {report.seconds:.1f} s "
        f"({report.fresh} checked now, the rest from the cache)"
    )


os.environ.setdefault("PYTHONUTF8", "1")


@task(name="bench-figures")
def bench_figures(c):
    """Bytes of figure code (gzip) a page with one figure loads; fails over 150 KB."""
    from kexue.dev.bench_figures import BUDGET_GZIP, measure

    weights = measure(ROOT / "node_modules")
    for w in weights:
        _say(
            f"figure {w.figure}: {w.gzip / 1024:.1f} KB gzip ({w.raw / 1024:.1f} KB raw) "
            f"in {len(w.files)} files; budget {BUDGET_GZIP // 1024} KB"
        )
    over = [w.figure for w in weights if not w.within_budget]
    if over:
        raise Exit(f"over the figure budget: {', '.join(over)}", code=1)


def _bench_parts():
    """(name, function of a built site returning a report with .summary())."""
    from kexue.dev.bench_math import bench_math, bench_readers
    from kexue.dev.search_eval import bench_search

    return [
        ("search", bench_search),
        ("math", lambda out: bench_math(ROOT, out.parent / "content")),
        ("math for readers (a throttled phone)", bench_readers),
    ]


def _bench_builds(content: Path, tmp: Path, times: int) -> float:
    """Run the build benchmarks; return the cold build's CPU seconds on the corpus."""
    from kexue.dev.bench_build import bench_corpus, check_targets, growth, multiply

    corpora = [("corpus", content)]
    if times > 1:
        multiply(content, tmp / f"content-{times}x", times)
        corpora.append((f"{times}x corpus", tmp / f"content-{times}x"))
    results = []
    for name, folder in corpora:
        _say(f"bench builds: {name} ...")
        results.append(bench_corpus(name, folder, tmp / f"builds-{len(results)}"))
        print("\n".join(results[-1].lines()), flush=True)
    if len(results) > 1:
        print(growth(results), flush=True)
    missed = check_targets(results)
    _say("build targets: " + ("all met" if not missed else "missed: " + "; ".join(missed)))
    return results[0].cold.cpu


@task(
    name="bench-readers",
    help={
        "output": "a built site (default output/)",
        "page": "the page to load (default: the post with the most formulas)",
        "layout": "also measure how every post's displays fit at 360 px",
    },
)
def bench_readers(c, output=str(OUTPUT), page="", layout=True):
    """The math part of `invoke bench` for readers, on a site already built: the heaviest
    post on a throttled phone against a post without math; displays at 360 px."""
    from kexue.dev.bench_math import bench_readers as run

    print(run(Path(output), page, layout=layout).summary(), flush=True)


@task(
    help={
        "corpus": "the legacy corpus (default $KEXUE_LEGACY_CORPUS or ../shared/corpus/legacy)",
        "keep": "keep the temporary folder (content, output) to look at",
        "times": "also measure builds on a corpus this many times larger (default 4; 1: not)",
        "builds_only": "only the build benchmarks (cold, warm, edit-to-reload)",
    }
)
def bench(c, corpus="", keep=False, times=4, builds_only=False):
    """Import the real corpus into a temporary folder, build it, and run the benchmarks."""
    import tempfile

    from kexue.legacy.importer import import_legacy as run_import

    source = Path(
        corpus or os.environ.get("KEXUE_LEGACY_CORPUS", ROOT.parent / "shared/corpus/legacy")
    )
    if not (source / "blogs_raw").is_dir():
        raise Exit(f"invoke bench: no legacy corpus at {source} (give --corpus)", code=1)
    tmp = Path(tempfile.mkdtemp(prefix="kexue-bench-"))
    try:
        content, out = tmp / "content", tmp / "output"
        run_import(source, content)
        _say(f"imported {sum(1 for _ in (content / 'posts').glob('*.md'))} posts into {content}")
        cold_build = _bench_builds(content, tmp, int(times))
        if builds_only:
            return
        from kexue.dev.bench_steps import bench_steps

        _say("bench steps:")
        print(bench_steps(content, cold_build).summary(), flush=True)
        _pelican(c, "pelicanconf.py", out, str(content), f"-e CACHE_PATH='\"{tmp / 'cache'}\"'")
        for name, part in _bench_parts():
            _say(f"bench {name}:")
            print(part(out).summary(), flush=True)
    finally:
        if keep:
            _say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
