"""`invoke serve`: build, serve the site with live reload, rebuild on every change.

- watchfiles watches content/, the theme, data/ and the settings files;
- each batch of changes runs Pelican again in this process (as ``pelican --autoreload``
  does: the same Pelican object, its caches warm), and plugins/kexue_incremental writes
  only the pages the change touches;
- the site is served by livereload (PyPI), whose script in every page reloads it when the
  builder calls livereload's ``/forcereload`` (the search index is updated within the
  build, by plugins/kexue_search);
- the problems of a build (errors, and the warnings of kexue's plugins, such as a note's
  ``file:line: message``) are printed and shown at the top of every served page until a
  build is clean.

Code (kexue/, plugins/) is not reloaded: restart `invoke serve` after changing it.
"""

from __future__ import annotations

import html
import logging
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.errors import BuildRefusedError
from kexue.core.paths import DATA, ROOT
from kexue.site import incremental

BANNER_ID = "kexue-build-problems"


@dataclass
class BuildReport:
    ok: bool  # no problems
    seconds: float  # wall
    cpu: float  # this process's user+sys
    plan: str = ""
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        state = "clean" if self.ok else f"{len(self.problems)} problem(s)"
        return f"built in {self.seconds:.2f} s, {self.cpu:.2f} s CPU ({self.plan}); {state}"


class _Problems(logging.Handler):
    """Collects a build's errors, and the warnings of kexue's own code."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        own = record.name.startswith("kexue")
        if record.levelno >= logging.ERROR or own:
            self.messages.append(record.getMessage())


class LiveSite:
    """A Pelican site built again and again in this process."""

    def __init__(self, settings_file: Path, content: Path, output: Path):
        self.settings_file = Path(settings_file).resolve()
        self.content = Path(content).resolve()
        self.output = Path(output).resolve()
        self._pelican = None

    def _load(self):
        from pelican import Pelican  # noqa: PLC0415 (Pelican: kexue imports without it)
        from pelican.log import init as init_logging  # noqa: PLC0415 (Pelican: kexue imports without it)
        from pelican.settings import read_settings  # noqa: PLC0415 (Pelican: kexue imports without it)

        if not logging.getLogger().handlers:
            init_logging(logging.WARNING)

        override = {"PATH": str(self.content), "OUTPUT_PATH": str(self.output)}
        settings = read_settings(str(self.settings_file), override=override)
        self._pelican = Pelican(settings)

    @property
    def watched(self) -> list[Path]:
        theme = Path(self._pelican.settings["THEME"]) if self._pelican else ROOT / "theme"
        settings = sorted({self.settings_file, *ROOT.glob("*conf.py")})
        return [p for p in [self.content, theme, DATA, *settings] if p.exists()]

    def build(self, reload_settings: bool = False) -> BuildReport:
        from kexue.site.pelican import reset_between_runs  # noqa: PLC0415 (Pelican: kexue imports without it)

        if self._pelican is None or reload_settings:
            self._load()
        reset_between_runs()  # a rebuild shows its warnings again
        problems = _Problems()
        root = logging.getLogger()
        root.addHandler(problems)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            self._pelican.run()
        except BuildRefusedError as e:  # bad input, or an output folder not a build's
            problems.messages += [*e.problems, f"build refused: {e.summary}"]
        except Exception as e:  # any failure is shown, the server keeps going
            problems.messages.append(f"pelican: {type(e).__name__}: {e}")
        finally:
            root.removeHandler(problems)
        plan = incremental.last_plan.describe() if incremental.last_plan else ""
        return BuildReport(
            ok=not problems.messages,
            seconds=time.perf_counter() - wall,
            cpu=time.process_time() - cpu,
            plan=plan,
            problems=problems.messages,
        )


def watched_problem(site: LiveSite) -> str | None:
    """Why ``site`` cannot be served live: an output folder inside a watched one (each
    build would change what is watched and start the next build, forever)."""
    out = site.output.resolve()
    for folder in site.watched:
        folder = folder.resolve()
        if folder.is_dir() and out.is_relative_to(folder):
            return (
                f"--output {site.output} is inside {folder}, which `invoke serve` watches: "
                "every build would start another; give an output folder outside it"
            )
    return None


def banner_html(problems: list[str]) -> bytes:
    """The box every served page shows while the last build has problems."""
    if not problems:
        return b""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return (
        f'<div id="{BANNER_ID}" role="alert" style="position:sticky;top:0;z-index:9999;'
        "background:#fff3f3;color:#900;border-bottom:2px solid #c00;padding:.5em 1em;"
        'font:14px/1.4 monospace;white-space:pre-wrap">'
        f"<strong>构建有问题（build problems）：</strong><ul>{items}</ul></div>"
    ).encode()


def _safe_static_handler():
    """livereload's static handler answering a NUL byte with 400 and a path outside the
    site (traversal) with 404: never a traceback."""
    from livereload.handlers import StaticFileHandler  # noqa: PLC0415 (dev-server stack, only for `invoke live`)
    from tornado.web import HTTPError  # noqa: PLC0415 (dev-server stack, only for `invoke live`)

    def not_found(e: HTTPError) -> HTTPError:
        return HTTPError(404) if e.status_code == 403 else e

    class SafePaths(StaticFileHandler):
        def parse_url_path(self, url_path: str) -> str:
            if "\x00" in url_path:
                raise HTTPError(400, "a NUL byte in the path")
            return super().parse_url_path(url_path)

        @classmethod
        def get_absolute_path(cls, root: str, path: str) -> str:
            try:
                return super().get_absolute_path(root, path)
            except HTTPError as e:
                raise not_found(e) from None

        def validate_absolute_path(self, root: str, absolute_path: str):
            try:
                return super().validate_absolute_path(root, absolute_path)
            except HTTPError as e:
                raise not_found(e) from None

    return SafePaths


def _page_handler():
    """livereload's static handler, with the problems box put into every HTML page."""

    class Pages(_safe_static_handler()):
        banner = b""

        @classmethod
        def _page(cls, abspath: str) -> bytes | None:
            if not cls.banner or not abspath.endswith(".html"):
                return None
            data = Path(abspath).read_bytes()
            at = data.find(b"<body")
            at = data.find(b">", at) + 1 if at >= 0 else 0
            return data[:at] + cls.banner + data[at:]

        @classmethod
        def get_content(cls, abspath, start=None, end=None):
            page = cls._page(abspath)
            if page is None:
                return super().get_content(abspath, start, end)
            return page[start:end]

        def get_content_size(self):
            page = self._page(self.absolute_path)
            return super().get_content_size() if page is None else len(page)

        def write_error(self, status_code, **kwargs):
            # a missing address gets the site's 404.html, as GitHub Pages (and serve.py) do
            page = Path(self.root) / "404.html"
            if status_code != 404 or not page.is_file():
                return super().write_error(status_code, **kwargs)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            return self.finish(page.read_bytes())

    return Pages


def _watch_filter():
    from watchfiles import DefaultFilter  # noqa: PLC0415 (dev-server stack, only for `invoke live`)

    class Filter(DefaultFilter):
        def __call__(self, change, path: str) -> bool:
            # atomic writes (kexue.core.fsutil) leave .name.tmp files for an instant
            return not Path(path).name.startswith(".") and super().__call__(change, path)

    return Filter()


def _reload(port: int, path: str = "*") -> None:
    query = urllib.parse.urlencode({"path": path})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/forcereload?{query}", timeout=5):
        pass


def serve_live(
    site: LiveSite,
    port: int,
    say: Callable[[str], None] = print,
    after_build: Callable[[LiveSite], None] | None = None,
) -> None:
    """Build ``site``, serve its output on 127.0.0.1:``port`` with live reload, and
    rebuild on every change until Ctrl-C."""
    import watchfiles  # noqa: PLC0415 (dev-server stack, only for `invoke live`)
    from livereload import Server  # noqa: PLC0415 (dev-server stack, only for `invoke live`)
    from livereload.watcher import Watcher  # noqa: PLC0415 (dev-server stack, only for `invoke live`)

    class Idle(Watcher):
        """livereload's own watcher stays idle: watchfiles watches, the builder reloads."""

        def start(self, callback):
            return True  # "started": livereload then polls nothing

    pages = _page_handler()

    def report(result: BuildReport) -> None:
        say(result.line())
        for problem in result.problems:
            say(f"  {problem}")
        pages.banner = banner_html(result.problems)

    report(site.build())
    if after_build:
        after_build(site)
    stop = threading.Event()

    def rebuild_on_changes():
        for changes in watchfiles.watch(
            *site.watched, watch_filter=_watch_filter(), stop_event=stop, debounce=400, step=30
        ):
            names = sorted({Path(p).name for _, p in changes})
            say(f"changed: {', '.join(names)}")
            settings = any(Path(p).resolve().name.endswith("conf.py") for _, p in changes)
            result = site.build(reload_settings=settings)
            report(result)
            try:
                _reload(port)
            except OSError as e:
                say(f"could not tell the browser to reload: {e}")
            if after_build:
                after_build(site)

    worker = threading.Thread(target=rebuild_on_changes, name="kexue-rebuild", daemon=True)
    server = Server(watcher=Idle())
    server.SFH = pages
    say(f"serving {site.output} at http://127.0.0.1:{port}/ with live reload (Ctrl-C stops)")
    worker.start()
    try:
        server.serve(port=port, host="127.0.0.1", root=str(site.output), restart_delay=0)
    finally:
        stop.set()
