"""Crawl the source site politely into the raw cache, then convert the cache into content.

* :class:`HttpClient`: requests + urllib3 ``Retry`` (subclassed as :class:`PoliteRetry` so
  that every retry also waits for the politeness gate and the first retry backs off too),
  a User-Agent naming the project, robots.txt (:mod:`kexue.robots`), one request at a time
  with ``delay`` seconds between request starts, timeouts, conditional GET.
* :class:`BrowserClient`: the same interface through headless Chromium (Playwright
  driving the system's chromium), for when plain clients get 403 or a JavaScript gate.
* :class:`RawCache`: every fetched page with its response headers, keyed by post id,
  under ``.cache/raw/`` by default.  Validators (ETag, Last-Modified) come from here.
  requests-cache was not used for this: it keys responses by a hash of the request in
  its own store, while ``invoke convert`` needs an inspectable store keyed by post id,
  and we must never cache a gate or error page over a good article.
* :func:`crawl` and :func:`convert_cache`: list posts (feed, /content.html or ids),
  fetch, check, convert (:mod:`kexue.convert`), filter (:mod:`kexue.relevance`), write
  ``content/posts/<id>.md`` atomically, and return a :class:`Summary`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError
from urllib3.util.retry import Retry

from kexue.browser import CHROMIUM_ARGS, chromium_path
from kexue.convert import (
    AccessError,
    check_page,
    convert_page,
    decode_page,
    image_urls,
    looks_like_gate,
    post_id_from_url,
)
from kexue.fsutil import atomic_write_bytes, atomic_write_text, remove_stale_temp_files
from kexue.posts import SOURCE_BASE, read_post, write_post
from kexue.relevance import Rules, load_rules
from kexue.robots import RobotsRules

__all__ = [
    "BrowserClient",
    "CrawlOptions",
    "FetchError",
    "HttpClient",
    "Page",
    "RawCache",
    "Summary",
    "convert_cache",
    "crawl",
    "parse_archive",
    "parse_feed",
]

PROJECT_URL = "https://github.com/kexue-notes/kexue-notes"
USER_AGENT = f"kexue-notes/0.1 (+{PROJECT_URL}; polite mirror of math/ML posts)"
ROBOTS_TOKEN = "kexue-notes"
DEFAULT_DELAY = 3.0
MAX_RETRY_AFTER = 300.0  # a longer Retry-After is reported instead of waited for
RETRY_STATUSES = (429, 500, 502, 503, 504)


class FetchError(Exception):
    """A URL that could not be fetched; the message says what to try next."""

    def __init__(self, url: str, reason: str, hint: str, kind: str = "http"):
        super().__init__(f"{url}: {reason}; {hint}")
        self.url, self.reason, self.hint, self.kind = url, reason, hint, kind


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched: str = ""
    via: str = "http"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- politeness -----------------------------------------------------------------------


class Gate:
    """One request at a time, and at least ``delay`` seconds from the end of one answer
    to the start of the next request (so slow answers or network latency never squeeze
    two requests closer together at the server)."""

    def __init__(self, delay: float):
        self.delay = delay
        self._last: float | None = None
        self._lock = threading.RLock()

    def wait(self, at_least: float = 0.0) -> None:
        """Sleep until the next request may start."""
        with self._lock:
            pause = at_least
            if self._last is not None:
                pause = max(pause, self._last + self.delay - time.monotonic())
            if pause > 0:
                time.sleep(pause)

    def done(self) -> None:
        """An answer (or a failure) has just ended."""
        with self._lock:
            self._last = time.monotonic()


def retry_wait(attempt: int, backoff: float, retry_after: float | None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): exponential backoff,
    or the server's Retry-After when it asks for longer."""
    wait = backoff * (2 ** (attempt - 1))
    return max(wait, retry_after or 0.0)


class PoliteRetry(Retry):
    """urllib3's Retry, with every retry passing through the politeness gate, backoff
    from the first retry on, and a Retry-After above ``MAX_RETRY_AFTER`` not waited for."""

    gate: Gate | None = None

    def new(self, **kw):
        retry = super().new(**kw)
        retry.gate = self.gate
        return retry

    def increment(self, method=None, url=None, response=None, error=None, *a, **kw):
        if response is not None:
            after = self.get_retry_after(response)
            if after is not None and after > MAX_RETRY_AFTER:
                raise _GiveUpError(response, len(self.history) + 1)  # reported, not waited for
        return super().increment(method, url, response, error, *a, **kw)

    def sleep(self, response=None) -> None:
        attempt = len(self.history)
        after = self.get_retry_after(response) if response is not None else None
        wait = retry_wait(attempt, self.backoff_factor, after)
        if self.gate is not None:
            self.gate.done()
            self.gate.wait(at_least=wait)
        else:
            time.sleep(wait)


class _GiveUpError(Exception):
    def __init__(self, response, tries: int):
        super().__init__("the server asked to wait too long")
        self.response, self.tries = response, tries


# -- clients --------------------------------------------------------------------------


def _tries(n: int) -> str:
    return "1 try" if n == 1 else f"{n} tries"


def _status_failure(url: str, status: int, headers: dict[str, str], tries: int) -> FetchError:
    if status == 403:
        return FetchError(
            url,
            "answered 403 Forbidden",
            "the site refuses plain HTTP clients; try `invoke crawl --via browser`",
            "403",
        )
    if status == 404:
        return FetchError(
            url,
            "answered 404 Not Found",
            "the post is gone or the id is wrong; open the URL in a browser to check",
            "404",
        )
    if status in (429, 503) and headers.get("retry-after"):
        return FetchError(
            url,
            f"answered {status} with Retry-After: {headers['retry-after']} after {_tries(tries)}",
            "the site is rate-limiting us; wait that long, then run again with a larger --delay",
            str(status),
        )
    if status >= 500:
        return FetchError(
            url,
            f"server error {status} after {_tries(tries)}",
            "the site is having trouble; run the same command again later",
            str(status),
        )
    return FetchError(url, f"unexpected status {status}", "check the URL in a browser", "http")


class _Client:
    """What both clients share: robots.txt, the gate, status handling."""

    via = "http"

    def __init__(
        self,
        *,
        delay: float = DEFAULT_DELAY,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 2.0,
    ):
        self.gate = Gate(delay)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._robots: dict[str, RobotsRules] = {}
        self.requests = 0

    def robots(self, url: str) -> RobotsRules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rules = RobotsRules.allow_all(ROBOTS_TOKEN)
            try:
                page = self._get(origin + "/robots.txt", {})
            except FetchError as e:
                if e.kind not in ("404", "403", "http"):
                    raise FetchError(
                        origin + "/robots.txt",
                        e.reason,
                        "cannot read robots.txt, so nothing is crawled; " + e.hint,
                        e.kind,
                    ) from None
            else:
                rules = RobotsRules(page.body.decode("utf-8", "replace"), USER_AGENT)
            if rules.crawl_delay and rules.crawl_delay > self.gate.delay:
                self.gate.delay = rules.crawl_delay
            self._robots[origin] = rules
        return self._robots[origin]

    def get(self, url: str, headers: dict[str, str] | None = None) -> Page:
        """GET ``url`` politely; a Page with status 200 or 304, else :class:`FetchError`."""
        if not self.robots(url).allowed(url):
            raise FetchError(
                url,
                "robots.txt disallows this URL for kexue-notes",
                "the site asks crawlers to keep out of it; leave it",
                "robots",
            )
        return self._get(url, headers or {})

    def _get(self, url: str, headers: dict[str, str]) -> Page:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class HttpClient(_Client):
    """Plain HTTP with requests; retries and backoff by urllib3's Retry."""

    def __init__(self, **settings):
        super().__init__(**settings)
        retry = PoliteRetry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            backoff_factor=self.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods={"GET", "HEAD"},
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.gate = self.gate
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        adapter = requests.adapters.HTTPAdapter(max_retries=retry, pool_maxsize=1)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _get(self, url: str, headers: dict[str, str]) -> Page:
        self.gate.wait()
        self.requests += 1
        tries = self.retries + 1
        try:
            resp = self.session.get(url, headers=headers, timeout=self.timeout)
            body = resp.content
        except _GiveUpError as e:
            hdrs = {k.lower(): v for k, v in e.response.headers.items()}
            raise _status_failure(url, e.response.status, hdrs, e.tries) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as e:
            if not _timed_out(e):
                raise FetchError(
                    url,
                    f"connection failed after {_tries(tries)} ({_reason(e)})",
                    "check the network and --source, then run again; if the site drops us, "
                    "use a larger --delay or --via browser",
                    "connection",
                ) from None
            raise FetchError(
                url,
                f"no answer within {self.timeout:g} s (after {_tries(tries)})",
                "the site is slow or stalling us; run again later or raise --timeout",
                "timeout",
            ) from None
        except requests.exceptions.ChunkedEncodingError as e:
            raise FetchError(
                url,
                f"the body was cut off before its end ({_reason(e)})",
                "the connection dropped mid-answer; run again later or with a larger --delay",
                "truncated",
            ) from None
        except requests.exceptions.RetryError as e:
            raise FetchError(
                url,
                f"gave up after {_tries(tries)} ({_reason(e)})",
                "run again later with a larger --delay",
                "retries",
            ) from None
        finally:
            self.gate.done()
        hdrs = {k.lower(): v for k, v in resp.headers.items()}
        if resp.status_code in (200, 304):
            return Page(resp.url, resp.status_code, hdrs, body, _now(), "http")
        attempts = len(resp.raw.retries.history) + 1 if resp.raw and resp.raw.retries else 1
        raise _status_failure(url, resp.status_code, hdrs, attempts)

    def close(self) -> None:
        self.session.close()


def _timed_out(e: Exception) -> bool:
    """requests reports a read timeout that exhausted the retries as a ConnectionError."""
    if isinstance(e, requests.exceptions.Timeout):
        return True
    reason = getattr(e.args[0], "reason", None) if e.args else None
    return isinstance(reason, (ReadTimeoutError, ConnectTimeoutError))


def _reason(e: Exception) -> str:
    m = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)", str(e))
    if m:
        return f"{m.group(1)} bytes read, {m.group(2)} more expected"
    text = str(e)
    return text if len(text) < 160 else text[:157] + "..."


class BrowserClient(_Client):
    """The same GETs through headless Chromium: the page's JavaScript runs when the site
    answers with a gate, the cookies it sets are kept, and the article is fetched again
    through the browser's own request context (raw bytes and headers, conditional GET)."""

    via = "browser"

    def __init__(self, **settings):
        super().__init__(**settings)
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.mkdtemp(prefix="kexue-chromium-")
        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            self._profile,
            executable_path=self._chromium(),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        agent = self.context.pages[0].evaluate("navigator.userAgent") if self.context.pages else ""
        self.user_agent = f"{agent} {USER_AGENT}".strip()
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.route("**/*", self._only_documents_and_scripts)

    def _only_documents_and_scripts(self, route) -> None:
        """A gate needs its page and scripts; images, styles, fonts and other hosts
        (iframes, trackers in a crawled page) are never loaded."""
        req = route.request
        if req.is_navigation_request():
            allowed = req.frame == self.page.main_frame
        else:
            page_host = urlsplit(self.page.url).netloc
            allowed = req.resource_type in ("script", "xhr", "fetch")
            allowed = allowed and urlsplit(req.url).netloc == page_host
        if allowed:
            route.continue_()
        else:
            route.abort()

    @staticmethod
    def _chromium() -> str:
        exe = chromium_path()
        if not exe:
            raise FetchError(
                "chromium",
                "no chromium found for --via browser",
                "install Debian's chromium (`apt-get install chromium`) or set KEXUE_CHROMIUM",
                "setup",
            )
        return exe

    def _request(self, url: str, headers: dict[str, str]):
        from playwright.sync_api import Error as PlaywrightError

        self.requests += 1
        try:
            return self.context.request.get(
                url,
                headers={"User-Agent": self.user_agent, **headers},
                timeout=self.timeout * 1000,
                fail_on_status_code=False,
            )
        except PlaywrightError as e:
            kind = "timeout" if "Timeout" in str(e) else "connection"
            raise FetchError(
                url,
                f"the browser's request failed ({_reason(e).splitlines()[0]})",
                "run again later or with a larger --delay / --timeout",
                kind,
            ) from None
        finally:
            self.gate.done()

    def _get(self, url: str, headers: dict[str, str]) -> Page:
        attempt = 0
        solved = False
        while True:
            self.gate.wait()
            r = self._request(url, headers)
            hdrs = {k.lower(): v for k, v in r.headers.items()}
            if r.status in RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                after = None
                if "retry-after" in hdrs:
                    after = Retry().parse_retry_after(hdrs["retry-after"])
                if after is not None and after > MAX_RETRY_AFTER:
                    raise _status_failure(url, r.status, hdrs, attempt)
                self.gate.wait(at_least=retry_wait(attempt, self.backoff, after))
                continue
            if r.status not in (200, 304):
                raise _status_failure(url, r.status, hdrs, attempt + 1)
            body = r.body()
            if r.status == 200 and not solved and looks_like_gate(body.decode("utf-8", "replace")):
                self._run_gate(url)
                solved = True
                continue
            return Page(r.url, r.status, hdrs, body, _now(), "browser")

    def _run_gate(self, url: str) -> None:
        """Open ``url`` as a page so its script runs (sets cookies, redirects)."""
        from playwright.sync_api import Error as PlaywrightError

        self.gate.wait()
        self.requests += 1
        try:
            self.page.goto(url, wait_until="domcontentloaded", timeout=self.timeout * 1000)
            self.page.wait_for_load_state("networkidle", timeout=self.timeout * 1000)
        except PlaywrightError as e:
            raise FetchError(
                url,
                f"the browser could not pass the JavaScript gate ({_reason(e).splitlines()[0]})",
                "open the URL in a desktop browser to see what the site asks for",
                "gate",
            ) from None
        finally:
            self.gate.done()

    def close(self) -> None:
        try:
            self.context.close()
            self._pw.stop()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)


# -- the raw cache --------------------------------------------------------------------


class RawCache:
    """``<root>/<key>.html`` (the body as received) and ``<root>/<key>.json`` (URL, status,
    response headers, fetch time, sha256 of the body).  The JSON is written last and holds
    the body's hash, so a half-finished store is seen as absent."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.root / f"{key}.html", self.root / f"{key}.json"

    def load(self, key: str) -> tuple[dict, bytes] | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None
        return meta, body

    def validators(self, key: str) -> dict[str, str]:
        cached = self.load(key)
        if cached is None:
            return {}
        headers = cached[0].get("headers", {})
        out = {}
        if headers.get("etag"):
            out["If-None-Match"] = headers["etag"]
        if headers.get("last-modified"):
            out["If-Modified-Since"] = headers["last-modified"]
        return out

    def store(self, key: str, page: Page) -> bool:
        """Keep ``page``; False (nothing written) when the same body and validators are
        already kept.  ``fetched`` stays the time this body was first seen."""
        body_path, meta_path = self._paths(key)
        sha = hashlib.sha256(page.body).hexdigest()
        fetched = page.fetched
        old = self.load(key)
        if old is not None and old[0].get("sha256") == sha:
            fetched = old[0].get("fetched", fetched)
            validators = ("etag", "last-modified")
            if all(old[0]["headers"].get(v) == page.headers.get(v) for v in validators):
                return False
        atomic_write_bytes(body_path, page.body)
        meta = {
            "url": page.url,
            "status": page.status,
            "fetched": fetched,
            "via": page.via,
            "sha256": sha,
            "size": len(page.body),
            "headers": page.headers,
        }
        atomic_write_text(meta_path, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
        return True

    def post_ids(self) -> list[str]:
        return sorted(
            (p.stem for p in self.root.glob("*.json") if p.stem.isdigit()), key=lambda s: int(s)
        )


# -- listings -------------------------------------------------------------------------


@dataclass
class Listed:
    id: str
    title: str = ""


def parse_feed(body: bytes, source: str = SOURCE_BASE) -> list[Listed]:
    """The posts of the RSS feed (newest first)."""
    import feedparser

    out: list[Listed] = []
    for entry in feedparser.parse(body).entries:
        pid = post_id_from_url(entry.get("link", "") or entry.get("id", ""), source)
        if pid and all(p.id != pid for p in out):
            out.append(Listed(pid, entry.get("title", "")))
    return out


def parse_archive(body: bytes, source: str = SOURCE_BASE) -> list[Listed]:
    """Every post linked from /content.html; comment links (#PostComment) skipped."""
    from bs4 import BeautifulSoup

    out: dict[str, Listed] = {}
    for a in BeautifulSoup(body, "lxml").find_all("a", href=True):
        href = str(a["href"])
        if "#" in href:
            continue
        pid = post_id_from_url(href, source)
        if pid and pid not in out:
            out[pid] = Listed(pid, a.get_text(strip=True))
    return list(out.values())


# -- crawl and convert ------------------------------------------------------------------


@dataclass
class CrawlOptions:
    content: Path
    cache: Path
    source: str = SOURCE_BASE
    delay: float = DEFAULT_DELAY
    ids: list[str] | None = None
    all: bool = False
    limit: int | None = None
    refresh: bool = False
    include_all: bool = False
    via: str = "http"
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    rules: Path | None = None
    ledger: Path | None = None


@dataclass
class Failure:
    id: str
    url: str
    reason: str
    hint: str

    def __str__(self) -> str:
        who = f"post {self.id} " if self.id else ""
        return f"{who}{self.url}: {self.reason}; {self.hint}"


@dataclass
class Summary:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fetched: int = 0  # bodies downloaded
    not_modified: int = 0  # 304 answers

    def lines(self) -> list[str]:
        out = [
            f"new: {len(self.new)}, updated: {len(self.updated)}, "
            f"unchanged: {len(self.unchanged)}, skipped: {len(self.skipped)}, "
            f"failed: {len(self.failed)} (bodies downloaded: {self.fetched}, "
            f"not modified: {self.not_modified})"
        ]
        out += [f"skipped {pid}: {reason}" for pid, reason in self.skipped]
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"FAILED {f}" for f in self.failed]
        return out


Step = Callable[[str, int], None]  # (description, total) -> called once per post


def _post_url(source: str, pid: str) -> str:
    return f"{source.rstrip('/')}/archives/{pid}"


def _fetch_listing(client, cache: RawCache, key: str, url: str, refresh: bool) -> bytes:
    page = client.get(url, {} if refresh else cache.validators(key))
    if page.status == 304:
        cached = cache.load(key)
        if cached is not None:
            return cached[1]
        page = client.get(url, {})
    cache.store(key, page)
    return page.body


def make_client(opts: CrawlOptions) -> _Client:
    kw = dict(delay=opts.delay, timeout=opts.timeout, retries=opts.retries, backoff=opts.backoff)
    if opts.via == "browser":
        return BrowserClient(**kw)
    if opts.via != "http":
        raise ValueError(f"--via must be http or browser, not {opts.via!r}")
    return HttpClient(**kw)


def crawl(opts: CrawlOptions, step: Step | None = None) -> Summary:
    """Fetch the listed posts into the raw cache, then convert them into content."""
    summary = Summary()
    cache = RawCache(opts.cache)
    source = opts.source.rstrip("/")
    for folder in (Path(opts.cache), Path(opts.content) / "posts"):
        remove_stale_temp_files(folder)  # left by a crawl that was killed mid-write
    if opts.delay < DEFAULT_DELAY and urlsplit(source).hostname not in ("127.0.0.1", "localhost"):
        summary.warnings.append(
            f"--delay {opts.delay:g} is below the {DEFAULT_DELAY:g} s that keeps the source "
            "from rate-limiting us; use the default unless the site owner agreed"
        )
    with make_client(opts) as client:
        if opts.ids:
            ids = [str(int(i)) for i in opts.ids]
        else:
            key, path = ("_content", "/content.html") if opts.all else ("_feed", "/feed")
            try:
                body = _fetch_listing(client, cache, key, source + path, opts.refresh)
            except FetchError as e:
                summary.failed.append(Failure("", e.url, e.reason, e.hint))
                return summary
            listed = (parse_archive if opts.all else parse_feed)(body, source)
            ids = [item.id for item in listed]
            if not ids:
                summary.failed.append(
                    Failure(
                        "",
                        source + path,
                        "lists no post",
                        "check --source, or see whether the page is a gate (--via browser)",
                    )
                )
        if opts.limit is not None:
            ids = ids[: int(opts.limit)]
        fetched_ok = []
        for pid in ids:
            if step:
                step(f"fetch {pid}", len(ids))
            url = _post_url(source, pid)
            try:
                page = client.get(url, {} if opts.refresh else cache.validators(pid))
                if page.status == 304:
                    summary.not_modified += 1
                else:
                    html = decode_page(page.body, page.headers.get("content-type", ""), url)
                    check_page(html, url)
                    cache.store(pid, page)
                    summary.fetched += 1
            except (FetchError, AccessError) as e:
                summary.failed.append(Failure(pid, e.url, e.reason, e.hint))
                continue
            fetched_ok.append(pid)

        def download(pid: str, img_url: str, name: str) -> None:
            target = Path(opts.content) / "images" / pid / name
            if target.is_file():
                return
            src = img_url.replace(SOURCE_BASE, source, 1)
            try:
                page = client.get(src, {})
            except FetchError as e:
                summary.warnings.append(
                    f"post {pid}: image {src} not downloaded ({e.reason}); the post links to "
                    f"the source's copy until `invoke crawl --ids {pid}` gets it"
                )
                return
            atomic_write_bytes(target, page.body)

        _convert_ids(opts, cache, fetched_ok, summary, download, step)
    return summary


def convert_cache(opts: CrawlOptions, step: Step | None = None) -> Summary:
    """Re-run the conversion over every post in the raw cache, without the network."""
    summary = Summary()
    cache = RawCache(opts.cache)
    ids = opts.ids or cache.post_ids()
    _convert_ids(opts, cache, ids, summary, None, step)
    return summary


def _convert_ids(opts, cache, ids, summary, download, step) -> None:
    content = Path(opts.content)
    rules: Rules = load_rules(opts.rules)
    source = opts.source.rstrip("/")
    mirrored = {p.stem for p in (content / "posts").glob("*.md")}
    keep: list[tuple[str, dict, str]] = []
    for pid in ids:
        cached = cache.load(pid)
        url = _post_url(source, pid)
        if cached is None:
            summary.failed.append(
                Failure(pid, url, "not in the raw cache", f"fetch it: `invoke crawl --ids {pid}`")
            )
            continue
        meta, body = cached
        try:
            html = decode_page(body, meta.get("headers", {}).get("content-type", ""), url)
            converted = convert_page(html, pid, url=url, source=source)
        except AccessError as e:
            summary.failed.append(Failure(pid, e.url, e.reason, e.hint))
            continue
        ok, reason = rules.judge(converted.post, converted.formulas)
        if not ok and not opts.include_all:
            summary.skipped.append((pid, reason))
            continue
        keep.append((pid, meta, html))
        mirrored.add(pid)
    for pid, meta, html in keep:
        if step:
            step(f"convert {pid}", len(keep))
        url = _post_url(source, pid)
        override = content / "overrides" / f"{pid}.md"
        if override.exists():
            summary.skipped.append((pid, f"manual override {override} is kept"))
            continue
        images_dir = content / "images" / pid
        if download is not None:
            for img_url, name in image_urls(html, pid, source):
                download(pid, img_url, name)
        converted = convert_page(
            html, pid, url=url, source=source, mirrored=mirrored, images_dir=images_dir
        )
        for missing in converted.missing_images if download is None else []:
            summary.warnings.append(
                f"post {pid}: image {missing} is not in {images_dir}; linked to the source "
                f"(fetch it with `invoke crawl --ids {pid}`)"
            )
        post = converted.post
        post.fetched = meta.get("fetched", "")
        path = content / "posts" / f"{pid}.md"
        existed = path.exists()
        if existed:
            try:
                old = read_post(path)
            except ValueError:
                old = None
            if old is not None and old.topic and not post.topic:
                post.topic = old.topic  # assigned by the topics step; not ours to drop
        if not write_post(path, post):
            summary.unchanged.append(pid)
        elif existed:
            summary.updated.append(pid)
        else:
            summary.new.append(pid)
    if opts.ledger is not None and (summary.new or summary.updated or not opts.ledger.exists()):
        from kexue.ledger import write_ledger

        write_ledger(content, opts.ledger)
