"""Full-text search: a Pagefind index of the post bodies, built at the end of each build.

Chinese recall by design, not by luck.  Pagefind's extended build segments Chinese with
jieba when indexing, and the browser segments a query with ``Intl.Segmenter``; the two
disagree (变分 may be one word on one side and 变|分 on the other), and a word index
cannot find a substring of a word (分量 inside 向量分量的).  So the index does not use
words for Chinese at all:

* Index time: each post is handed to Pagefind as a small generated document (never the
  published page): the title, then the article body with every Han character set apart
  by spaces (``变 分 法``), TeX replaced by ``⋯`` and block ends marked by ``·`` (neither
  is a word, both break phrases), and navigation, footer and boilerplate simply absent.
  The index language is ``und`` (no segmenter, no stemmer), so each Han character is one
  word at its own position and Latin words are Pagefind's usual words (ended at a slash).
* Query time (theme/static/search/query.js): the query is cut the same way, and a run of
  two or more words is searched as a Pagefind *exact phrase* (``"变 分 法"``), which
  matches only consecutive positions: a 2-4 character string that occurs in a post finds
  that post, whatever either segmenter would have done, and only such posts.  The same
  words searched without quotes rank the phrase matches (titles and headings weigh more).

The Han ranges and word rules above are written once, here (:data:`CONTRACT`); the
build emits them as an ES module next to the search page's scripts
(:func:`write_contract_module`), so the browser cuts a query with the same data.

Everything here imports without Pelican; plugins/kexue_search calls :func:`build_site_search`
on Pelican's ``finalized`` signal.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lxml import html as lhtml

from kexue.core import cjk, layout
from kexue.core import memo as derived_cache
from kexue.core.errors import ToolError
from kexue.core.fsutil import atomic_write_text
from kexue.core.posts import read_post, shown_post_files
from kexue.core.problems import CheckContext, Problem
from kexue.math import element
from kexue.site.authored import CONTROL_RE

logger = logging.getLogger(__name__)

BUNDLE_DIR = layout.PAGEFIND  # output/pagefind/: written by the pagefind binary
POSTS_JSON = layout.SEARCH_POSTS  # the post list the home page filters without a query
INDEX_LANGUAGE = "und"  # no segmenter, no stemmer: see the module docstring
# The theme marks a post page with this JSON (partials/search_article_end.html) and the
# post body with data-pagefind-body (templates/article.html): the contract with the theme.
META_ATTR = "data-kexue-search"
BODY_ATTR = "data-pagefind-body"
TITLE_WEIGHT = 10  # Pagefind's maximum; headings get Pagefind's automatic weights
INPUT_STAMP = "kexue-input.sha256"  # digest of what the bundle was built from
MATH_GAP = " ⋯ "  # stands for a formula: shown in excerpts, not a word, breaks phrases
BLOCK_GAP = " · "  # ends a paragraph, heading, list item…: likewise
# A derivation note's panel or appendix inside the indexed body (kexue/notes/render.py) is
# enclosed in these marks, neither a word: the search page says 本站注释 for a hit between them.
NOTE_CLASSES = frozenset({"deriv-note", "deriv-appendix"})
NOTE_OPEN, NOTE_CLOSE = " ⟦ ", " ⟧ "
# Each formula's TeX in page order (meta "math", encoded by encode_tex), "" for a display
# or a long one: the search page shows a short inline formula's TeX instead of MATH_GAP.
MATH_META = "math"
SHORT_TEX = 32  # characters of TeX, delimiters excluded
_DELIMS_RE = re.compile(r"^(?:\\\(|\$\$?)(.*?)(?:\\\)|\$\$?)$", re.S)
# Pagefind makes metadata searchable: the TeX is written in Braille patterns (one per UTF-8
# byte, U+2800 + byte), which are no word characters, so no TeX becomes a word; the
# formulas are separated by "|".
TEX_CODE_BASE = 0x2800

# Han characters, and CJK punctuation and full-width forms: each is set apart as one word.
HAN = cjk.HAN
CJK_PUNCT = cjk.CJK_PUNCT + cjk.FULLWIDTH + "\u2018-\u201f\u2026\u00b7"  # and quotes, …, ·
# What Pagefind keeps of a word: the characters of Rust's Unicode \w (Alphabetic, M, Nd,
# Pc, Join_Control), as general categories plus the few Alphabetic characters outside
# them (circled and squared Latin letters); a test checks it against \p{Alphabetic}.
WORD_CATEGORIES = ("L", "M", "Nd", "Nl", "Pc")
WORD_EXTRA = (
    "\u200c\u200d\u24b6-\u24e9"  # Join_Control; Ⓐ-ⓩ
    "\U0001f130-\U0001f149\U0001f150-\U0001f169\U0001f170-\U0001f189"  # squared, negative
)
# A word ends at a slash followed by a non-space (PixelRNN/PixelCNN is two words).
WORD_BREAK_AFTER = "/"
# The contract with theme/static/search/query.js, emitted as theme/search/contract.js.
CONTRACT = {
    "spaced": HAN + CJK_PUNCT,  # regular-expression class bodies (JS: the u flag)
    "wordCategories": list(WORD_CATEGORIES),
    "wordExtra": WORD_EXTRA,
    "wordBreakAfter": WORD_BREAK_AFTER,
    "mathGap": MATH_GAP.strip(),  # the marks the generated documents hold (readable())
    "blockGap": BLOCK_GAP.strip(),
    # where the search page finds Pagefind and the post list (relative to the site root)
    "pagefind": layout.PAGEFIND_SCRIPT,
    "posts": layout.SEARCH_POSTS,
    "noteOpen": NOTE_OPEN.strip(),
    "noteClose": NOTE_CLOSE.strip(),
    "mathMeta": MATH_META,
    "texCodeBase": TEX_CODE_BASE,
}
CONTRACT_MODULE = layout.SEARCH_CONTRACT  # under the theme's static folder of the output
_SPACED_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")
_SLASH_RE = re.compile(f"{re.escape(WORD_BREAK_AFTER)}(?=\\S)")
_WORD_EXTRA_RE = re.compile(f"[{WORD_EXTRA}]")
_SKIP_DIRS = {layout.PAGEFIND, layout.THEME, layout.VENDOR, layout.SEARCH}
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr",
    "td", "th", "blockquote", "section", "figure", "figcaption", "dl", "dt", "dd", "br", "hr",
}  # fmt: skip


class SearchIndexError(ToolError):
    """The search index cannot be built; the message says which page and what to do."""


@dataclass
class PostRecord:
    """One post as the search sees it: its metadata and its body element."""

    url: str  # site-relative, e.g. "archives/90001/"
    title: str
    date: str = ""
    topic: str = ""
    tags: list[str] = field(default_factory=list)
    body: object = None  # lxml element (the data-pagefind-body element of the page)

    def listing(self) -> dict:
        data = asdict(self)
        del data["body"]
        return data


def space_cjk(text: str) -> str:
    """Set every Han character (and CJK punctuation) apart: one character, one word; and
    end a word at a slash (PixelRNN/PixelCNN is two words: Pagefind would index neither
    pixelcnn nor pixelrnn, only pixelrnnpixelcnn and its camel-case parts).  Control
    characters (which XML and the index refuse) become spaces."""
    spaced = _SPACED_RE.sub(lambda m: f" {m.group()} ", CONTROL_RE.sub(" ", text))
    return _SLASH_RE.sub(f"{WORD_BREAK_AFTER} ", spaced)


def is_word_char(char: str) -> bool:
    """Does Pagefind keep ``char`` in a word (Rust's Unicode \\w)?"""
    category = unicodedata.category(char)
    if category in WORD_CATEGORIES or category[0] in WORD_CATEGORIES:
        return True
    return _WORD_EXTRA_RE.match(char) is not None


def index_words(text: str) -> list[str]:
    """The words Pagefind indexes for ``text`` in a generated document, in order (less
    the extra words it adds for parts of hyphenated and camel-case words).  The search
    page cuts a query the same way (``words`` in theme/static/search/query.js)."""
    words = ("".join(filter(is_word_char, w)).lower() for w in space_cjk(text).split())
    return [w for w in words if w]


def contract_module() -> str:
    """The ES module the search page imports: :data:`CONTRACT` as its default export."""
    data = json.dumps(CONTRACT, ensure_ascii=True, indent=2)
    return (
        "// Generated by kexue/search/index.py (CONTRACT) at build time: do not edit.\n"
        f"export default {data};\n"
    )


def write_contract_module(static_dir: Path) -> bool:
    """Write the contract module into the output's theme static folder; True if changed."""
    return atomic_write_text(Path(static_dir) / CONTRACT_MODULE, contract_module())


def _is_math(el) -> bool:
    return element.is_math((el.get("class") or "").split())


def _is_ignored(el) -> bool:
    """Not text of the post: scripts, parts marked data-pagefind-ignore, and the heading
    permalinks ("#") of Python-Markdown's toc extension."""
    if el.tag in ("script", "style", "template") or el.get("data-pagefind-ignore") is not None:
        return True
    return "headerlink" in (el.get("class") or "").split()


def _drop(el, replacement: str = "") -> None:
    """Remove ``el`` from its tree, keeping its tail text (after ``replacement``)."""
    parent = el.getparent()
    text = replacement + (el.tail or "")
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)


def short_tex(el) -> str:
    """The TeX of an inline formula element without its delimiters, when short, else ""."""
    if "inline" not in (el.get("class") or "").split():
        return ""
    source = (el.get("data-tex") or el.text_content() or "").strip()
    m = _DELIMS_RE.match(source)
    tex = " ".join((m.group(1) if m else source).split())
    return tex if 0 < len(tex) <= SHORT_TEX else ""


def encode_tex(tex: str) -> str:
    """``tex`` as Braille patterns, one per UTF-8 byte (decoded by query.js's decodeTex)."""
    return "".join(chr(TEX_CODE_BASE + b) for b in tex.encode("utf-8"))


def _clean_body(body, formulas: list[str] | None = None):
    """A copy of the body without TeX (each formula becomes MATH_GAP, its short TeX appended
    to ``formulas``) or ignored parts, each note panel between NOTE_OPEN and NOTE_CLOSE."""
    body = copy.deepcopy(body)
    body.attrib.pop(BODY_ATTR, None)
    for el in list(body.iter()):
        if el is body or body not in el.iterancestors():  # itself, or inside a dropped part
            continue
        if not isinstance(el.tag, str) or _is_ignored(el):  # comments, scripts, ignored
            _drop(el)
        elif _is_math(el):
            if formulas is not None:
                formulas.append(short_tex(el))
            _drop(el, MATH_GAP)
        elif NOTE_CLASSES & set((el.get("class") or "").split()):
            el.text = NOTE_OPEN + (el.text or "")
            close = lhtml.Element("span")
            close.text = NOTE_CLOSE
            el.append(close)
    return body


def post_text(record: PostRecord) -> str:
    """The searchable text of a post as a reader sees it: title and body, formulas and
    blocks separated by newlines (nothing is adjacent that is not adjacent on the page).

    Used by the evaluation to find which posts contain a query, independently of the
    index."""
    parts = [record.title, "\n"]

    def walk(el):
        if not isinstance(el.tag, str):
            parts.append(el.tail or "")
            return
        if _is_math(el):
            parts.append("\n")
        elif not _is_ignored(el):
            block = el.tag in _BLOCKS
            if block:
                parts.append("\n")
            parts.append(el.text or "")
            for child in el:
                walk(child)
            if block:
                parts.append("\n")
        parts.append(el.tail or "")

    body = record.body
    parts.append(body.text or "")
    for child in body:
        walk(child)
    return "".join(parts)


def index_document(record: PostRecord) -> str:
    """The HTML page Pagefind indexes for a post (see the module docstring)."""
    formulas: list[str] = []
    body = _clean_body(record.body, formulas)
    while formulas and not formulas[-1]:
        formulas.pop()
    for el in body.iter():
        if el.text:
            el.text = space_cjk(el.text)
        if el is not body:
            if el.tail:
                el.tail = space_cjk(el.tail)
            if el.tag in _BLOCKS:
                el.tail = BLOCK_GAP + (el.tail or "")
    body_html = lhtml.tostring(body, encoding="unicode", with_tail=False)
    esc = html.escape
    hidden = [f'<span data-pagefind-meta="title">{esc(record.title)}</span>']
    if record.date:
        hidden.append(f'<span data-pagefind-meta="date">{esc(record.date)}</span>')
        hidden.append(f'<span data-pagefind-sort="date">{esc(record.date)}</span>')
    if record.topic:
        hidden.append(f'<span data-pagefind-meta="topic">{esc(record.topic)}</span>')
        hidden.append(f'<span data-pagefind-filter="topic">{esc(record.topic)}</span>')
    hidden += [f'<span data-pagefind-filter="tags">{esc(t)}</span>' for t in record.tags]
    if formulas:
        data = "|".join(encode_tex(f) for f in formulas)  # no "|" in an encoded formula
        hidden.append(f'<span data-pagefind-meta="{MATH_META}">{esc(data)}</span>')
    return (
        f'<!DOCTYPE html>\n<html lang="{INDEX_LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{esc(record.title)}</title></head><body><div {BODY_ATTR}>\n"
        f"<div data-pagefind-ignore>{''.join(hidden)}</div>\n"
        f'<h1 data-pagefind-weight="{TITLE_WEIGHT}">{esc(space_cjk(record.title))}</h1>\n'
        f"{body_html}\n</div></body></html>\n"
    )


def read_post_page(path: Path, url: str) -> PostRecord | None:
    """The PostRecord of a built page, or None when the page is not a post."""
    text = path.read_text(encoding="utf-8")
    if META_ATTR not in text:
        return None
    tree = lhtml.fromstring(text)
    metas = tree.xpath(f"//script[@{META_ATTR}]")
    if not metas:
        return None
    try:
        meta = json.loads(metas[0].text or "")
    except json.JSONDecodeError as e:
        raise SearchIndexError(f"{path}: the {META_ATTR} JSON does not parse ({e})") from e
    bodies = tree.xpath(f"//*[@{BODY_ATTR}]")
    if len(bodies) != 1:
        raise SearchIndexError(
            f"{path}: a post page needs exactly one element with {BODY_ATTR} (found "
            f"{len(bodies)}); theme/templates/article.html must put it on the element "
            "that holds {{ article.content }}"
        )
    return PostRecord(
        url=url,
        title=_text(meta.get("title")),
        date=_text(meta.get("date")),
        topic=_text(meta.get("topic")),
        tags=[_text(t) for t in meta.get("tags") or []],
        body=bodies[0],
    )


def _text(value) -> str:
    """A metadata value for the listing: control characters dropped."""
    return CONTROL_RE.sub("", str(value or ""))


def iter_page_files(output: Path) -> Iterator[tuple[Path, str]]:
    """(file, site-relative URL) of every HTML page that may be a post, in URL order."""
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output)
        if rel.parts[0] in _SKIP_DIRS:
            continue
        url = rel.as_posix()
        yield path, url[: -len("index.html")] if url.endswith("index.html") else url


def iter_post_pages(output: Path) -> Iterator[PostRecord]:
    """Every post page of a built site, in URL order."""
    for path, url in iter_page_files(output):
        record = read_post_page(path, url)
        if record is not None:
            yield record


def search_documents(output: Path, cache: Path | None) -> tuple[list[dict], dict[str, str]]:
    """(listing entries, {url: search document}) of the post pages under ``output``,
    by the bytes of each page (kexue.core.memo, in ``cache``): an unchanged page is
    not parsed again."""
    # a dot folder: the other folders of ``cache`` are Pagefind bundles (see _keep)
    memo = derived_cache.memo("search", cache / ".derived" if cache else None, (__name__,))

    def compute(path: Path, url: str):
        record = read_post_page(path, url)
        return None if record is None else (record.listing(), index_document(record))

    listings, docs = [], {}
    for path, url in iter_page_files(Path(output)):
        found = memo(memo.key(url, path.read_bytes()), lambda p=path, u=url: compute(p, u))
        if found is not None:
            listings.append(found[0])
            docs[url] = found[1]
    memo.save()
    return listings, docs


def pagefind_executable() -> Path:
    try:
        # Imported here: a missing binary is a clear build error, not an import error of
        # every module that imports kexue.search.index (the checks registry, the tests).
        from pagefind_bin_extended import get_executable  # noqa: PLC0415 (see above)
    except ImportError as e:
        raise SearchIndexError(
            "the Pagefind binary is missing: install requirements.txt "
            "(pagefind[extended] ships it in the pagefind_bin_extended wheel)"
        ) from e
    return get_executable()


@dataclass
class IndexStats:
    posts: int
    bundle_bytes: int
    changed: bool


def build_index(output: Path, cache: Path | None = None) -> IndexStats:
    """Index the post pages of the built site ``output`` into ``output/pagefind/`` and
    write ``output/search/posts.json``.

    Pagefind's output is not byte-stable between runs (its filter files), so a bundle is
    built only for a new input (a digest of the generated documents, kept in the bundle)
    and, with ``cache``, kept there by digest: rebuilding unchanged content, even into an
    emptied output folder, gives the same bytes and the publish branch no new commit."""
    output = Path(output).resolve()
    listings, docs = search_documents(output, cache)
    if not docs:
        raise SearchIndexError(
            f"no post pages under {output} (pages carrying {META_ATTR} metadata from "
            "partials/search_article_end.html): does the content folder hold posts, and "
            "does the theme still include that partial?"
        )
    exe = pagefind_executable()
    digest = hashlib.sha256(f"{exe.stat().st_size}\n{INDEX_LANGUAGE}".encode())
    for url, doc in docs.items():
        digest.update(f"\n{url}\n{doc}".encode())
    key = digest.hexdigest()
    target = output / BUNDLE_DIR
    stamp = target / INPUT_STAMP
    changed = not (stamp.is_file() and stamp.read_text() == key)
    if changed:
        staged = output / f".{BUNDLE_DIR}-new"
        shutil.rmtree(staged, ignore_errors=True)
        cached = cache / key if cache else None
        if cached and (cached / INPUT_STAMP).is_file() and _intact(cached):
            shutil.copytree(cached, staged, ignore=shutil.ignore_patterns(MANIFEST))
        else:
            _run_pagefind(exe, docs, staged)
            (staged / INPUT_STAMP).write_text(key)
            if cache:
                _keep(staged, cache, key)
        old = output / f".{BUNDLE_DIR}-old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        staged.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    elif cache and not (cache / key / INPUT_STAMP).is_file():
        _keep(target, cache, key)
    listing = sorted(listings, key=lambda p: (p["date"], p["url"]))
    text = json.dumps({"posts": listing[::-1]}, ensure_ascii=False, separators=(",", ":"))
    changed = atomic_write_text(output / POSTS_JSON, text) or changed
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return IndexStats(posts=len(docs), bundle_bytes=size, changed=changed)


def _run_pagefind(exe: Path, docs: dict[str, str], bundle: Path) -> None:
    """Run the Pagefind binary over the generated documents, writing ``bundle``."""
    with tempfile.TemporaryDirectory(prefix="kexue-search-") as tmp:
        site = Path(tmp)
        for url, doc in docs.items():
            path = site / url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(doc, encoding="utf-8")
        cmd = [
            str(exe),
            "--site", str(site),
            "--output-path", str(bundle),
            "--force-language", INDEX_LANGUAGE,
            "--silent",
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(bundle, ignore_errors=True)
        raise SearchIndexError(
            f"pagefind failed (exit {result.returncode}) indexing {len(docs)} posts:\n"
            f"{result.stdout}{result.stderr}"
        )


MANIFEST = "kexue-files.json"  # in a cached bundle: the digest of each of its files


def _digests(bundle: Path) -> dict[str, str]:
    return {
        p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(bundle.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _intact(cached: Path) -> bool:
    """True when the cached bundle holds exactly the files it was kept with; else (a
    file damaged, truncated or missing) it is removed, with a warning, and rebuilt."""
    if not (cached / MANIFEST).is_file():  # kept before bundles had one: built again
        shutil.rmtree(cached, ignore_errors=True)
        return False
    try:
        if json.loads((cached / MANIFEST).read_text(encoding="utf-8")) == _digests(cached):
            return True
    except (OSError, ValueError):
        pass
    logger.warning("%s: the cached search bundle is damaged: removed, Pagefind runs again", cached)
    shutil.rmtree(cached, ignore_errors=True)
    return False


def _keep(bundle: Path, cache: Path, key: str, keep: int = 4) -> None:
    """Copy ``bundle`` into ``cache/<key>`` with the digests of its files; keep only the
    ``keep`` newest bundles."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=cache))
    shutil.copytree(bundle, tmp, dirs_exist_ok=True)
    (tmp / MANIFEST).write_text(json.dumps(_digests(tmp)), encoding="utf-8")
    shutil.rmtree(cache / key, ignore_errors=True)
    tmp.rename(cache / key)
    entries = sorted(
        (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def build_site_search(output: Path, static_dir: Path, cache: Path | None = None) -> IndexStats:
    """Everything the search needs in a built site: the index (:func:`build_index`) and the
    contract module the search page imports, in ``static_dir`` (the output's theme static
    folder)."""
    stats = build_index(output, cache)
    stats.changed = write_contract_module(static_dir) or stats.changed
    state = "updated" if stats.changed else "unchanged"
    logger.info(
        "search index of %d posts %s (%d KiB)", stats.posts, state, stats.bundle_bytes // 1024
    )
    return stats


def check_search_index(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: every post of content/ has a post page the search can read, and
    output/pagefind/ indexes exactly those pages (no stale or missing index)."""
    output = Path(ctx.output)
    try:
        records = list(iter_post_pages(output))
    except SearchIndexError as e:
        yield Problem(str(output), 0, str(e))
        return
    posts = sum(1 for p in shown_post_files(Path(ctx.content)) if read_post(p).published)
    if len(records) != posts:
        yield Problem(
            str(output), 0,
            f"{posts} posts in {ctx.content} but {len(records)} post pages with search "
            f"metadata ({META_ATTR}): rebuild with `invoke build`; if it persists, the "
            "theme lost partials/search_article_end.html",
        )  # fmt: skip
    entry = output / BUNDLE_DIR / "pagefind-entry.json"
    if not entry.is_file():
        yield Problem(str(entry), 0, "no search index: run `invoke build`")
        return
    indexed = sum(v["page_count"] for v in json.loads(entry.read_text())["languages"].values())
    if indexed != len(records):
        yield Problem(
            str(entry), 0,
            f"the search index holds {indexed} pages, the site {len(records)} posts: "
            "run `invoke build`",
        )  # fmt: skip
