"""The crawl loop: list posts (feed, /content.html or ids), fetch each through a client
into the raw cache, check it is the article, convert it (:mod:`kexue.crawl.convert`), filter it
(:mod:`kexue.crawl.relevance`), write ``content/posts/<id>.md`` atomically, download its images,
regenerate the ledger, and return a :class:`Summary`.  :func:`convert_cache` is the same
conversion over the raw cache without the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from kexue.core.errors import InputError
from kexue.core.fsutil import atomic_write_bytes, remove_stale_temp_files
from kexue.core.posts import read_post, write_post
from kexue.core.source import on_source, post_url
from kexue.crawl.browser import BrowserClient
from kexue.crawl.cache import RawCache
from kexue.crawl.client import Client, FetchError, HttpClient
from kexue.crawl.convert import (
    AccessError,
    classify_answer,
    convert_page,
    decode_page,
    decoding_warning,
    image_urls,
)
from kexue.crawl.images import judge_image, local_name, name_refusal
from kexue.crawl.listings import fetch_listing, parse_archive, parse_feed
from kexue.crawl.options import CrawlOptions
from kexue.crawl.relevance import Rules, load_rules
from kexue.ledger import write_ledger

__all__ = ["Failure", "Summary", "convert_cache", "crawl", "make_client"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class OptionError(InputError):
    """A crawl option with a value the crawl cannot use; the message names the option."""


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

    def fail(self, pid: str, url: str, reason: str, hint: str) -> None:
        failure = Failure(pid, url, reason, hint)
        logger.info("FAILED %s", failure)  # printed by the caller, with the summary
        self.failed.append(failure)

    def warn(self, message: str) -> None:
        logger.info("warning: %s", message)
        self.warnings.append(message)


Step = Callable[[str, int], None]  # (description, total) -> called once per post


def make_client(opts: CrawlOptions) -> Client:
    kw = {name: getattr(opts, name) for name in Client.SETTINGS}
    if opts.via == "browser":
        return BrowserClient(**kw)
    if opts.via != "http":
        raise OptionError(f"--via must be http or browser, not {opts.via!r}")
    return HttpClient(**kw)


# Image failures that say the answer is hostile or broken (not merely absent): each is a
# FAILED line of its post.  Others (404, timeouts) are warnings: the site's own state.
_HOSTILE_KINDS = frozenset({"redirect", "too-big", "encoding"})


def _guarded(summary: Summary, pid: str, url: str, work: Callable[[], T]) -> T | None:
    """Run one post's ``work``; any failure becomes that post's FAILED line (and None), so
    one bad post never stops the crawl."""
    try:
        return work()
    except (FetchError, AccessError) as e:
        summary.fail(pid, e.url, e.reason, e.hint)
        return None
    except OSError as e:  # our own files: a full disk, a folder we may not write
        summary.fail(
            pid,
            url,
            f"could not read or write a file ({e})",
            "check the free space and permissions of the content folder and the raw cache, "
            "then run the same command again (it resumes)",
        )
        return None
    except Exception as e:  # a bug met by a page we did not foresee: report, go on
        logger.info("post %s (%s): unexpected error", pid, url, exc_info=True)
        summary.fail(
            pid,
            url,
            f"unexpected {type(e).__name__}: {e}",
            "a bug in kexue-notes met by this page; the other posts went on; report it with "
            "the URL (the raw answer is in the raw cache when it was fetched)",
        )
        return None


def crawl(opts: CrawlOptions, step: Step | None = None) -> Summary:
    """Fetch the listed posts into the raw cache, then convert them into content."""
    summary = Summary()
    cache = RawCache(opts.cache)
    source = opts.source.rstrip("/")
    for folder in (Path(opts.cache), Path(opts.content) / "posts"):
        remove_stale_temp_files(folder)  # left by a crawl that was killed mid-write
    local = urlsplit(source).hostname in ("127.0.0.1", "localhost")
    if opts.delay < CrawlOptions.delay and not local:
        summary.warn(
            f"--delay {opts.delay:g} is below the {CrawlOptions.delay:g} s that keeps the source "
            "from rate-limiting us; use the default unless the site owner agreed"
        )
    with make_client(opts) as client:
        ids = _listed_ids(opts, client, cache, summary)
        fetched_ok = []
        for pid in ids:
            if step:
                step(f"fetch {pid}", len(ids))
            url = post_url(pid, source)
            if _guarded(summary, pid, url, partial(_fetch_post, opts, client, cache, summary, pid)):
                fetched_ok.append(pid)
        images = _Images(opts, client, summary)
        _convert_ids(opts, cache, fetched_ok, summary, images.download, step)
    return summary


def _listed_ids(opts: CrawlOptions, client: Client, cache: RawCache, summary: Summary):
    source = opts.source.rstrip("/")
    if opts.ids:
        ids = [str(int(i)) for i in opts.ids]
    else:
        key, path = ("_content", "/content.html") if opts.all else ("_feed", "/feed")
        try:
            body = fetch_listing(client, cache, key, source + path, opts.refresh)
        except FetchError as e:
            summary.fail("", e.url, e.reason, e.hint)
            return []
        listed = (parse_archive if opts.all else parse_feed)(body, source)
        ids = [item.id for item in listed]
        if not ids:
            summary.fail(
                "",
                source + path,
                "lists no post",
                "check --source, or see whether the page is a gate (--via browser)",
            )
    return ids[: int(opts.limit)] if opts.limit is not None else ids


def _fetch_post(opts: CrawlOptions, client: Client, cache: RawCache, summary, pid: str) -> bool:
    """Fetch post ``pid`` into the raw cache (unless it is unchanged)."""
    url = post_url(pid, opts.source)
    page = client.get(url, {} if opts.refresh else cache.validators(pid))
    if page.status == 304:
        summary.not_modified += 1
        return True
    html = decode_page(page.body, page.headers.get("content-type", ""), url).text
    refusal = classify_answer(html, url)
    if refusal is not None:
        raise refusal
    cache.store(pid, page)
    summary.fetched += 1
    return True


class _Images:
    """Downloads a post's images: only from the source's host and ``image_hosts``, only
    bytes that are an image (kexue.crawl.images.judge_image), saved under the (sanitised)
    name with the extension of their real type."""

    LINKED = "open it in a browser; the post links to the source's copy (nothing of it is kept)"

    def __init__(self, opts: CrawlOptions, client: Client, summary: Summary):
        self.opts, self.client, self.summary = opts, client, summary
        self.source = opts.source.rstrip("/")
        self.hosts = {urlsplit(self.source).netloc, *opts.image_hosts}

    def download(self, pid: str, img_url: str, name: str) -> None:
        folder = Path(self.opts.content) / "images" / pid
        target = folder / name
        if target.parent != folder or name in ("", ".", ".."):
            raise ValueError(f"unsafe image name {name!r}")  # image_name never makes one
        if local_name(folder, name) is not None:
            return
        src = on_source(img_url, self.source)
        refused = name_refusal(name)
        if refused is not None:
            self.summary.fail(pid, src, f"the image {refused}; not downloaded", self.LINKED)
            return
        linked = f"the post links to the source's copy until `invoke crawl --ids {pid}` gets it"
        host = urlsplit(src).netloc
        if host not in self.hosts:
            self.summary.warn(
                f"post {pid}: image {src} not downloaded (host {host} is not the source's; "
                f"allow it with --image-hosts to mirror it); the post links to it"
            )
            return
        try:
            page = self.client.get(src, {}, hosts=self.opts.image_hosts)
        except FetchError as e:
            if e.kind in _HOSTILE_KINDS:
                self.summary.fail(pid, src, f"image: {e.reason}", f"{e.hint}; {linked}")
            else:
                self.summary.warn(f"post {pid}: image {src} not downloaded ({e.reason}); {linked}")
            return
        verdict = judge_image(page.body, name)
        if verdict.name is None:
            self.summary.fail(pid, src, f"the image {verdict.reason}; dropped", self.LINKED)
            return
        saved = folder / verdict.name
        if verdict.retyped and saved.is_file() and saved.read_bytes() != page.body:
            self.summary.fail(
                pid,
                src,
                f"the image is {verdict.reason}, and {saved.name} is "
                "another image of the post; dropped",
                self.LINKED,
            )
            return
        if verdict.retyped:
            self.summary.warn(f"post {pid}: image {src} is {verdict.reason}: saved as {saved.name}")
        atomic_write_bytes(saved, page.body)


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
        url = post_url(pid, source)
        kept = _guarded(summary, pid, url, partial(_judge, opts, cache, rules, summary, pid))
        if kept is not None:
            keep.append(kept)
            mirrored.add(pid)
    for pid, meta, html in keep:
        if step:
            step(f"convert {pid}", len(keep))
        url = post_url(pid, source)
        write = partial(_write_post, opts, summary, pid, meta, html, mirrored, download)
        _guarded(summary, pid, url, write)
    if opts.ledger is not None and (summary.new or summary.updated or not opts.ledger.exists()):
        write_ledger(content, opts.ledger)


def _judge(opts, cache: RawCache, rules: Rules, summary: Summary, pid: str):
    """(pid, cache meta, page text) of a cached post that passes the rules, else None."""
    url = post_url(pid, opts.source)
    cached = cache.load(pid)
    if cached is None:
        raise AccessError(
            "uncached", url, "not in the raw cache", f"fetch it: `invoke crawl --ids {pid}`"
        )
    meta, body = cached
    decoded = decode_page(body, meta.get("headers", {}).get("content-type", ""), url)
    warning = decoding_warning(decoded, url)
    if warning:
        summary.warn(f"post {pid}: {warning}")
    converted = convert_page(decoded.text, pid, url=url, source=opts.source.rstrip("/"))
    ok, reason = rules.judge(converted.post, converted.formulas)
    if not ok and not opts.include_all:
        summary.skipped.append((pid, reason))
        return None
    return pid, meta, decoded.text


def _write_post(opts, summary, pid, meta, html, mirrored, download) -> None:
    """Download the post's images (when crawling), convert it, write content/posts/<id>.md."""
    content = Path(opts.content)
    source = opts.source.rstrip("/")
    url = post_url(pid, source)
    override = content / "overrides" / f"{pid}.md"
    if override.exists():
        summary.skipped.append((pid, f"manual override {override} is kept"))
        return
    images_dir = content / "images" / pid
    if download is not None:
        for img_url, name in image_urls(html, pid, source):
            download(pid, img_url, name)
    converted = convert_page(
        html, pid, url=url, source=source, mirrored=mirrored, images_dir=images_dir
    )
    for missing in converted.missing_images if download is None else []:
        summary.warn(
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
