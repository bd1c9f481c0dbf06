"""The polite HTTP client: what every fetch of the crawl goes through.

requests + urllib3 ``Retry`` (subclassed as :class:`PoliteRetry` so that every retry also
waits for the politeness gate and the first retry backs off too), a User-Agent naming the
project, robots.txt (:mod:`kexue.crawl.robots`), one request at a time with ``delay`` seconds
from the end of one answer to the next request, timeouts, conditional GET.  A failure is
a :class:`FetchError` that names the URL and says what to try next.  :class:`Client` is
what this client and the browser client (:mod:`kexue.crawl.browser`) share.

What an answer may be (the limits are CrawlOptions'): redirects are followed by us, hop by
hop, only within the site (:func:`same_site`; an image also to ``image_hosts``), at most
``max_redirects`` hops, never in a loop; a body is read in pieces up to ``max_body`` bytes and its
Content-Encoding (gzip or deflate, all we ask for) undone up to ``max_decoded`` bytes; a
body cut off before its Content-Length is retried like a 5xx.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    IncompleteRead,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from kexue.core.errors import RemoteError
from kexue.core.source import SITE_HOSTS
from kexue.crawl.options import CrawlOptions
from kexue.crawl.robots import RobotsRules

__all__ = [
    "Client",
    "FetchError",
    "Gate",
    "HttpClient",
    "PoliteRetry",
    "Response",
    "retry_wait",
    "status_failure",
]

logger = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/kexue-notes/kexue-notes"
USER_AGENT = f"kexue-notes/0.1 (+{PROJECT_URL}; polite mirror of math/ML posts)"
ROBOTS_TOKEN = "kexue-notes"
MAX_RETRY_AFTER = 300.0  # a longer Retry-After is reported instead of waited for
RETRY_STATUSES = (429, 500, 502, 503, 504)


class FetchError(RemoteError):
    """A URL that could not be fetched; the message says what to try next."""

    def __init__(self, url: str, reason: str, hint: str, kind: str = "http"):
        super().__init__(f"{url}: {reason}; {hint}")
        self.url, self.reason, self.hint, self.kind = url, reason, hint, kind


@dataclass
class Response:
    """One answer of the source site: status 200 (with its body) or 304 (not modified)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched: str = ""
    via: str = "http"


def now() -> str:
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


def status_failure(url: str, status: int, headers: dict[str, str], tries: int) -> FetchError:
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


REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def same_site(netloc: str) -> set[str]:
    """The hosts a redirect from ``netloc`` may go to: ``netloc`` itself, and all of the
    source's hosts when it is one of them (spaces.ac.cn and kexue.fm are one site)."""
    return {netloc, *SITE_HOSTS} if netloc in SITE_HOSTS else {netloc}


class Client:
    """What both clients share: robots.txt, the gate, redirects (followed here, hop by
    hop, each checked), the limits, status handling."""

    via = "http"
    # The CrawlOptions fields a client takes (its keyword arguments, same names).
    SETTINGS = (
        "delay", "timeout", "retries", "backoff", "max_body", "max_decoded", "max_redirects",
    )  # fmt: skip

    def __init__(
        self,
        *,
        delay: float = CrawlOptions.delay,
        timeout: float = CrawlOptions.timeout,
        retries: int = CrawlOptions.retries,
        backoff: float = CrawlOptions.backoff,
        max_body: int = CrawlOptions.max_body,
        max_decoded: int = CrawlOptions.max_decoded,
        max_redirects: int = CrawlOptions.max_redirects,
    ):
        self.gate = Gate(delay)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_body = max_body
        self.max_decoded = max_decoded
        self.max_redirects = max_redirects
        self._robots: dict[str, RobotsRules] = {}
        self.requests = 0

    def robots(self, url: str) -> RobotsRules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rules = RobotsRules.allow_all(ROBOTS_TOKEN)
            try:
                page = self._follow(origin + "/robots.txt", {}, None, robots=False)
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

    def get(
        self, url: str, headers: dict[str, str] | None = None, hosts: Iterable[str] = ()
    ) -> Response:
        """GET ``url`` politely; a Response with status 200 or 304, else :class:`FetchError`.
        Redirects are followed only to ``url``'s own host and to ``hosts``."""
        return self._follow(url, headers or {}, hosts, robots=True)

    def _follow(
        self, url: str, headers: dict[str, str], hosts: Iterable[str] | None, robots: bool
    ) -> Response:
        allowed = same_site(urlsplit(url).netloc) | set(hosts or ())
        chain = [url]
        current = url
        while True:
            if robots and not self.robots(current).allowed(current):
                raise FetchError(
                    current,
                    "robots.txt disallows this URL for kexue-notes",
                    "the site asks crawlers to keep out of it; leave it",
                    "robots",
                )
            answer = self._get(current, headers)
            if answer.status not in REDIRECT_STATUSES:
                return answer
            target = urljoin(current, answer.headers.get("location", "").strip())
            failure = self._redirect_failure(url, chain, target, allowed)
            if failure is not None:
                raise failure
            logger.debug("%s redirects to %s", current, target)
            chain.append(target)
            current = target

    def _redirect_failure(
        self, url: str, chain: list[str], target: str, allowed: set[str]
    ) -> FetchError | None:
        hops = " -> ".join([*chain, target])
        parts = urlsplit(target)
        if target == chain[-1] or target in chain:
            return FetchError(
                url,
                f"a redirect loop ({hops})",
                "the site is misconfigured for this URL; open it in a browser, and run again later",
                "redirect",
            )
        if parts.scheme not in ("http", "https") or parts.netloc not in allowed:
            return FetchError(
                url,
                f"redirected off the source to {target}",
                "nothing was fetched from there; open the URL in a browser to see where it "
                "went (an image host you trust can be allowed with --image-hosts)",
                "redirect",
            )
        if len(chain) > self.max_redirects:
            return FetchError(
                url,
                f"more than {self.max_redirects} redirects ({hops})",
                "the site is misconfigured for this URL; open it in a browser, and run again later",
                "redirect",
            )
        return None

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        """One answer for ``url``: 200, 304 or a redirect (3xx), else :class:`FetchError`."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def too_big(url: str, size: int, limit: int, what: str) -> FetchError:
    return FetchError(
        url,
        f"the {what} is larger than the limit ({size} > {limit} bytes)",
        "no post page or image is that large, so this is not one; open the URL in a browser "
        "(the limits are CrawlOptions.max_body and max_decoded)",
        "too-big",
    )


class _CutOffError(Exception):
    """The body ended before its Content-Length (or its last chunk)."""


class HttpClient(Client):
    """Plain HTTP with requests; retries and backoff by urllib3's Retry, and by us for a
    body cut off mid-answer; bodies read in pieces under the size limits."""

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
        self.session.headers["Accept-Encoding"] = ", ".join(CONTENT_CODINGS)
        adapter = requests.adapters.HTTPAdapter(max_retries=retry, pool_maxsize=1)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        cut = 0  # answers cut off so far; retried like a 5xx
        pause = 0.0
        while True:
            self.gate.wait(at_least=pause)
            self.requests += 1
            try:
                return self._answer(url, headers)
            except _CutOffError as e:
                cut += 1
                if cut > self.retries:
                    raise FetchError(
                        url,
                        f"the body was cut off before its end ({e}) after {_tries(cut)}",
                        "the connection dropped mid-answer; run again later or with a larger "
                        "--delay",
                        "truncated",
                    ) from None
                pause = retry_wait(cut, self.backoff, None)
                logger.info("%s: body cut off (%s); retry %d in %.2g s", url, e, cut, pause)
            finally:
                self.gate.done()

    def _answer(self, url: str, headers: dict[str, str]) -> Response:
        tries = self.retries + 1
        try:
            resp = self.session.get(
                url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
            )
        except _GiveUpError as e:
            hdrs = {k.lower(): v for k, v in e.response.headers.items()}
            raise status_failure(url, e.response.status, hdrs, e.tries) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as e:
            if not _timed_out(e):
                raise FetchError(
                    url,
                    f"connection failed after {_tries(tries)} ({short_reason(e)})",
                    "check the network and --source, then run again; if the site drops us, "
                    "use a larger --delay or --via browser",
                    "connection",
                ) from None
            raise self._timeout(url, tries) from None
        except requests.exceptions.RetryError as e:
            raise FetchError(
                url,
                f"gave up after {_tries(tries)} ({short_reason(e)})",
                "run again later with a larger --delay",
                "retries",
            ) from None
        with resp:
            hdrs = {k.lower(): v for k, v in resp.headers.items()}
            status = resp.status_code
            if status in REDIRECT_STATUSES or status == 304:
                return Response(url, status, hdrs, b"", now(), "http")
            if status != 200:
                attempts = len(resp.raw.retries.history) + 1 if resp.raw.retries else 1
                raise status_failure(url, status, hdrs, attempts)
            body = self._read(url, resp)
        logger.debug("GET %s -> %s (%d bytes)", url, status, len(body))
        return Response(url, status, hdrs, body, now(), "http")

    def _read(self, url: str, resp: requests.Response) -> bytes:
        """The body as sent (read in pieces, at most max_body bytes), then decoded from its
        Content-Encoding (at most max_decoded bytes)."""
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise too_big(url, int(declared), self.max_body, "body")
        pieces: list[bytes] = []
        size = 0
        try:
            for piece in resp.raw.stream(1 << 16, decode_content=False):
                size += len(piece)
                if size > self.max_body:
                    raise too_big(url, size, self.max_body, "body")
                pieces.append(piece)
        except (ProtocolError, IncompleteRead) as e:
            raise _CutOffError(short_reason(e)) from None
        except ReadTimeoutError:
            raise self._timeout(url, 1) from None
        coding = resp.headers.get("content-encoding", "")
        return decode_content(url, b"".join(pieces), coding, self.max_decoded)

    def _timeout(self, url: str, tries: int) -> FetchError:
        return FetchError(
            url,
            f"no answer within {self.timeout:g} s (after {_tries(tries)})",
            "the site is slow or stalling us; run again later or raise --timeout",
            "timeout",
        )

    def close(self) -> None:
        self.session.close()


CONTENT_CODINGS = ("gzip", "deflate")  # what we ask for, and all we decode


def decode_content(url: str, data: bytes, coding: str, limit: int) -> bytes:
    """``data`` undone from its Content-Encoding (``gzip``, ``deflate``, or a list of them),
    never to more than ``limit`` bytes; a lie (not gzip at all, cut short) or a coding we
    did not ask for is a :class:`FetchError`."""
    codings = [c.strip().lower() for c in coding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    for name in reversed(codings):
        if name in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            zlib_header = len(data) >= 2 and (data[0] * 256 + data[1]) % 31 == 0
            inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        else:
            raise FetchError(
                url,
                f"the body has Content-Encoding {name!r}, which we did not ask for",
                "the server ignored our Accept-Encoding; open the URL in a browser, and run "
                "again later",
                "encoding",
            )
        try:
            out = inflater.decompress(data, limit + 1)
            complete = inflater.eof
        except zlib.error as e:
            raise FetchError(
                url,
                f"the body is not valid {name} although its Content-Encoding says so ({e})",
                "the answer was damaged on the way; run the same command again later",
                "encoding",
            ) from None
        if len(out) > limit:
            raise too_big(url, len(out), limit, "decoded body")
        if not complete:
            raise FetchError(
                url,
                f"the {name} body ends before its end ({len(data)} bytes sent)",
                "the answer was damaged on the way; run the same command again later",
                "encoding",
            )
        data = out
    return data


def _timed_out(e: Exception) -> bool:
    """requests reports a read timeout that exhausted the retries as a ConnectionError."""
    if isinstance(e, requests.exceptions.Timeout):
        return True
    reason = getattr(e.args[0], "reason", None) if e.args else None
    return isinstance(reason, (ReadTimeoutError, ConnectTimeoutError))


def short_reason(e: Exception) -> str:
    m = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)", str(e))
    if m:
        return f"{m.group(1)} bytes read, {m.group(2)} more expected"
    text = str(e)
    return text if len(text) < 160 else text[:157] + "..."
