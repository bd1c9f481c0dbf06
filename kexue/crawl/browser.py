"""The browser client: the polite client's GETs through headless Chromium (Playwright
driving the system's chromium), for when plain clients get 403 or a JavaScript gate.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from urllib.parse import urlsplit

from urllib3.util.retry import Retry

from kexue.core.chromium import CHROMIUM_ARGS, chromium_path
from kexue.crawl.client import (
    MAX_RETRY_AFTER,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    USER_AGENT,
    Client,
    FetchError,
    Response,
    now,
    retry_wait,
    short_reason,
    status_failure,
    too_big,
)
from kexue.crawl.convert import looks_like_gate

__all__ = ["BrowserClient"]

logger = logging.getLogger(__name__)


class BrowserClient(Client):
    """The same GETs through headless Chromium: the page's JavaScript runs when the site
    answers with a gate, the cookies it sets are kept, and the article is fetched again
    through the browser's own request context (raw bytes and headers, conditional GET)."""

    via = "browser"

    def __init__(self, **settings):
        super().__init__(**settings)
        # Playwright loads only for --via browser (a plain crawl never pays for it).
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 (Playwright: heavy, only for --via browser)

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
        self._gate_host = ""  # the only host a gate page may navigate to
        self.page.route("**/*", self._only_documents_and_scripts)

    def _only_documents_and_scripts(self, route) -> None:
        """A gate needs its page and scripts; images, styles, fonts and other hosts
        (iframes, trackers in a crawled page) are never loaded."""
        req = route.request
        if req.is_navigation_request():
            host = urlsplit(req.url).netloc
            allowed = req.frame == self.page.main_frame and host == self._gate_host
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
        from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415 (as above)

        self.requests += 1
        try:
            return self.context.request.get(
                url,
                headers={"User-Agent": self.user_agent, **headers},
                timeout=self.timeout * 1000,
                fail_on_status_code=False,
                max_redirects=0,  # followed (and checked) hop by hop by Client.get
            )
        except PlaywrightError as e:
            kind = "timeout" if "Timeout" in str(e) else "connection"
            raise FetchError(
                url,
                f"the browser's request failed ({short_reason(e).splitlines()[0]})",
                "run again later or with a larger --delay / --timeout",
                kind,
            ) from None
        finally:
            self.gate.done()

    def _get(self, url: str, headers: dict[str, str]) -> Response:
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
                    raise status_failure(url, r.status, hdrs, attempt)
                self.gate.wait(at_least=retry_wait(attempt, self.backoff, after))
                continue
            if r.status in REDIRECT_STATUSES:
                return Response(url, r.status, hdrs, b"", now(), "browser")
            if r.status not in (200, 304):
                raise status_failure(url, r.status, hdrs, attempt + 1)
            declared = hdrs.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                raise too_big(url, int(declared), self.max_body, "body")
            body = r.body()  # decoded by the browser, so only its decoded size can be checked
            if len(body) > self.max_decoded:
                raise too_big(url, len(body), self.max_decoded, "decoded body")
            if r.status == 200 and not solved and looks_like_gate(body.decode("utf-8", "replace")):
                logger.info("%s: a JavaScript gate; opening it in the browser", url)
                self._run_gate(url)
                solved = True
                continue
            logger.debug("GET %s -> %s (%d bytes, browser)", url, r.status, len(body))
            return Response(url, r.status, hdrs, body, now(), "browser")

    def _run_gate(self, url: str) -> None:
        """Open ``url`` as a page so its script runs (sets cookies, redirects)."""
        from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415 (as above)

        self._gate_host = urlsplit(url).netloc
        self.gate.wait()
        self.requests += 1
        try:
            self.page.goto(url, wait_until="domcontentloaded", timeout=self.timeout * 1000)
            self.page.wait_for_load_state("networkidle", timeout=self.timeout * 1000)
        except PlaywrightError as e:
            why = short_reason(e).splitlines()[0]
            raise FetchError(
                url,
                f"the browser could not pass the JavaScript gate ({why})",
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
