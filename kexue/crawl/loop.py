"""The crawl loop: list posts (feed, /content.html or ids), fetch each through a client
into the raw cache, check it is the article, convert it (:mod:`kexue.convert`), filter it
(:mod:`kexue.relevance`), write ``content/posts/<id>.md`` atomically, download its images,
regenerate the ledger, and return a :class:`Summary`.  :func:`convert_cache` is the same
conversion over the raw cache without the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kexue.convert import AccessError, classify_answer, convert_page, decode_page, image_urls
from kexue.crawl.browser import BrowserClient
from kexue.crawl.cache import RawCache
from kexue.crawl.client import Client, FetchError, HttpClient
from kexue.crawl.listings import fetch_listing, parse_archive, parse_feed
from kexue.crawl.options import CrawlOptions
from kexue.fsutil import atomic_write_bytes, remove_stale_temp_files
from kexue.ledger import write_ledger
from kexue.posts import read_post, write_post
from kexue.relevance import Rules, load_rules
from kexue.source import on_source, post_url

__all__ = ["Failure", "Summary", "convert_cache", "crawl", "make_client"]

logger = logging.getLogger(__name__)


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


def make_client(opts: CrawlOptions) -> Client:
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
    local = urlsplit(source).hostname in ("127.0.0.1", "localhost")
    if opts.delay < CrawlOptions.delay and not local:
        summary.warnings.append(
            f"--delay {opts.delay:g} is below the {CrawlOptions.delay:g} s that keeps the source "
            "from rate-limiting us; use the default unless the site owner agreed"
        )
    with make_client(opts) as client:
        if opts.ids:
            ids = [str(int(i)) for i in opts.ids]
        else:
            key, path = ("_content", "/content.html") if opts.all else ("_feed", "/feed")
            try:
                body = fetch_listing(client, cache, key, source + path, opts.refresh)
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
            url = post_url(pid, source)
            try:
                page = client.get(url, {} if opts.refresh else cache.validators(pid))
                if page.status == 304:
                    summary.not_modified += 1
                else:
                    html = decode_page(page.body, page.headers.get("content-type", ""), url)
                    refusal = classify_answer(html, url)
                    if refusal is not None:
                        raise refusal
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
            src = on_source(img_url, source)
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
        url = post_url(pid, source)
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
        url = post_url(pid, source)
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
        write_ledger(content, opts.ledger)
