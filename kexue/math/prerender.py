"""Formulas typeset at build time: MathJax 4 (npm ``@mathjax/src``) in Node writes the
CHTML markup into the built pages, so math is there at first paint.

:func:`prerender_files` rewrites built HTML files in place.  In each file the math
elements :mod:`kexue.math.extension` wrote (escaped TeX) are collected in reading order and
typeset by ``tools/prerender-math.mjs``, a long-lived Node worker (two of them when
there are two cores), with the page's equation counters and labels computed here
(:func:`kexue.math.tex.number_equations`) so each formula can be typeset, and cached, on its
own.  A typeset element keeps its ids and ``data-eq-*`` attributes and carries the
author's TeX byte for byte in ``data-tex`` (the copy-TeX button and the tests read it);
``data-mjx-tags`` holds the numbers MathJax drew for a numbered display, which `invoke
check` compares with ``data-eq-shown``.  A formula MathJax rejects stays TeX, gets
``data-mjx-error``, and its page keeps the client MathJax (typeset in the browser, as
before); pages with no such formula lose the client MathJax script tags.

Each typeset formula is cached (SQLite, in MATH_CACHE_PATH) by its TeX, its display
mode, the definitions before it on the page that it uses, its equation counter (when it
shows a number), the numbers of the labels it references, and the MathJax version plus
the worker script, so a warm build starts Node only for formulas that changed; and each
typeset page by the page Pelican wrote, so an unchanged page costs one lookup.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.codegraph import code_fingerprint
from kexue.core.errors import ToolError
from kexue.core.fsutil import atomic_write_text
from kexue.core.paths import ROOT
from kexue.math.macros import macros_json
from kexue.math.tex import MathSpan, find_math, number_equations

SCRIPT = ROOT / "tools" / "prerender-math.mjs"
#: Where the base stylesheet and the fonts go under output/ (kexue.site.assets copies the fonts).
VENDOR_DIR = "vendor/mathjax4"
STYLESHEET = f"{VENDOR_DIR}/chtml.css"
#: The head partial (theme/templates/partials/math_head.html) fences the client MathJax.
CLIENT_START, CLIENT_END = "<!--kexue-client-mathjax-->", "<!--/kexue-client-mathjax-->"
_CLIENT_RE = re.compile(re.escape(CLIENT_START) + ".*?" + re.escape(CLIENT_END), re.S)
_STYLE_MARK = "<!--kexue-mathjax-css-->"
_CONTAINER = '<mjx-container class="MathJax"'
_CONTAINER_IGNORED = '<mjx-container class="MathJax tex2jax_ignore"'

#: A math element exactly as kexue.math.extension.render_span writes it.
_ELEMENT_RE = re.compile(
    r'<(?P<tag>span|div) class="math (?P<kind>inline|display)"(?P<attrs>[^>]*)>'
    r'(?P<anchors>(?:<span class="eq-anchor" id="[^"]*"></span>)*)(?P<body>[^<]*)</(?P=tag)>'
)
# Formulas whose definitions carry to the rest of the page (MathJax's state).
_DEFINES_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator"
    r"|newenvironment|renewenvironment|require)(?![A-Za-z])"
)
_COUNTS_RE = re.compile(r"\\(?:setCounter|tag|label|begin)(?![A-Za-z])")
_REFS_RE = re.compile(r"\\(?:eq)?ref\s*\{([^{}]*)\}")


def render_version() -> str:
    """A typeset page is cached with the code that assembled it: this module and every kexue
    module it imports (kexue.math.tex finds its formulas and their numbers, …)."""
    return code_fingerprint(__name__)


class PrerenderError(ToolError):
    """The MathJax workers failed or are missing; the message says what to do."""


@dataclass
class Formula:
    """One math element of a page, with what MathJax needs to typeset it alone."""

    match: re.Match
    source: str  # the author's TeX, delimiters included
    tex: str  # what MathJax reads (inside the delimiters; a bare environment whole)
    display: bool
    counter: int = 0
    context: str = ""  # digest of the page's definitions before this formula
    refs: tuple = ()
    key: str = ""
    result: dict | None = None


@dataclass
class Page:
    path: Path
    text: str
    formulas: list[Formula] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def mathjax_tex(source: str) -> tuple[str, MathSpan] | None:
    """(TeX as MathJax reads it, the span) for an element's source, or None when it is
    not exactly one math span (the browser then gets it as it is)."""
    spans = find_math(source)
    if len(spans) != 1 or spans[0].start != 0 or spans[0].end != len(source):
        return None
    span = spans[0]
    return (span.source if span.environment else span.tex), span


_DEFINED_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator)\*?\s*\{?\s*\\?([A-Za-z]+)"
    r"|\\(?:def|let)\s*\\([A-Za-z]+)"
    r"|\\(?:newenvironment|renewenvironment)\s*\{([A-Za-z]+)\}"
)
_USED_RE = re.compile(r"\\begin\s*\{([A-Za-z]+)\}|\\([A-Za-z]+)")


def _used(tex: str) -> set[str]:
    return {"env:" + m.group(1) if m.group(1) else m.group(2) for m in _USED_RE.finditer(tex)}


class Definitions:
    """The macros (and environments) a page's formulas define, in reading order, so a
    formula's cache key holds only the definitions it uses (directly or through other
    definitions): a formula on a list page then shares its key with the post's page.  A
    \\require counts for every later formula."""

    def __init__(self):
        self.formulas: list[str] = []
        self.by_name: dict[str, list[int]] = {}
        self.always: list[int] = []

    def add(self, tex: str) -> None:
        if not _DEFINES_RE.search(tex):
            return
        index = len(self.formulas)
        self.formulas.append(tex)
        names = {a or b or "env:" + c for a, b, c in _DEFINED_RE.findall(tex)}
        if "\\require" in tex or not names:
            self.always.append(index)
        for name in names:
            self.by_name.setdefault(name, []).append(index)

    def context(self, tex: str) -> str:
        if not self.formulas:
            return ""
        included, todo, seen = set(self.always), list(_used(tex)), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for index in self.by_name.get(name, ()):
                if index not in included:
                    included.add(index)
                    todo.extend(_used(self.formulas[index]))
        if not included:
            return ""
        digest = hashlib.sha256()
        for index in sorted(included):
            digest.update(self.formulas[index].encode() + b"\0")
        return digest.hexdigest()[:16]


def read_page(path: Path, version: str, text: str | None = None) -> Page:
    if text is None:
        text = path.read_text(encoding="utf-8")
    page = Page(path, text)
    spans: list[MathSpan] = []
    for m in _ELEMENT_RE.finditer(text):
        source = html.unescape(m.group("body"))
        got = mathjax_tex(source)
        if got is None:
            continue
        page.formulas.append(Formula(m, source, got[0], got[1].display))
        spans.append(got[1])
    before: list[int] = []
    numbered = set()
    for eq in number_equations(spans, before=before):
        numbered.add(eq.span)
        if eq.label:
            page.labels.setdefault(eq.label, eq.shown)
    definitions = Definitions()
    for i, (f, counter) in enumerate(zip(page.formulas, before, strict=True)):
        f.counter = counter
        f.context = definitions.context(f.tex)
        f.refs = tuple((r, page.labels.get(r, "")) for r in _REFS_RE.findall(f.tex))
        # A formula that shows no number looks the same whatever the counter (a formula
        # in a summary sits at a different count on each list page).
        counts = i in numbered or _COUNTS_RE.search(f.tex)
        blob = json.dumps(
            [version, f.display, f.tex, f.counter if counts else None, f.context, f.refs]
        )
        f.key = hashlib.sha256(blob.encode()).hexdigest()
        definitions.add(f.tex)
    return page


class Cache:
    """Typeset formulas by key, in one SQLite file (safe across the worker threads).  A
    formula's CSS rules are stored once each (most are shared) and referred to by digest."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        # A cache: a commit per page request need not wait for the disk (WAL keeps the
        # file whole if the machine stops; the last few pages' formulas may be lost).
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS formula (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS rule (id TEXT PRIMARY KEY, text TEXT)")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS page"
            " (key TEXT PRIMARY KEY, html BLOB, formulas INTEGER, rejected INTEGER)"
        )
        self.lock = threading.Lock()
        self.rules: dict[str, str] | None = None
        self.digests: dict[str, str] = {}  # rule -> id, for the rules met in this run

    def _load_rules(self) -> dict[str, str]:
        if self.rules is None:
            self.rules = dict(self.db.execute("SELECT id, text FROM rule"))
        return self.rules

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = list(set(keys))
        out = {}
        with self.lock:
            rules = self._load_rules()
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for k, v in self.db.execute(
                    f"SELECT key, value FROM formula WHERE key IN ({marks})", chunk
                ):
                    value = json.loads(v)
                    value["css"] = [rules[r] for r in value["css"]]
                    out[k] = value
        return out

    def put_many(self, items: dict[str, dict]) -> None:
        with self.lock:
            rules = self._load_rules()
            new_rules = {}
            rows = []
            for k, v in items.items():
                ids = []
                for rule in v["css"]:
                    rid = self.digests.get(rule)
                    if rid is None:
                        rid = self.digests[rule] = hashlib.sha256(rule.encode()).hexdigest()[:16]
                        if rid not in rules:
                            rules[rid] = new_rules[rid] = rule
                    ids.append(rid)
                rows.append((k, json.dumps({**v, "css": ids}, ensure_ascii=False)))
            self.db.executemany("INSERT OR IGNORE INTO rule VALUES (?, ?)", new_rules.items())
            self.db.executemany("INSERT OR REPLACE INTO formula VALUES (?, ?)", rows)
            self.db.commit()

    def get_pages(self, keys: Iterable[str]) -> dict[str, tuple[str, int, int]]:
        """Typeset pages by the digest of the page Pelican wrote: (HTML, formulas, rejected)."""
        keys = list(keys)
        out = {}
        with self.lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for k, blob, n, r in self.db.execute(
                    f"SELECT key, html, formulas, rejected FROM page WHERE key IN ({marks})", chunk
                ):
                    out[k] = (zlib.decompress(blob).decode("utf-8"), n, r)
        return out

    def put_pages(self, rows: list[tuple[str, str, int, int]]) -> None:
        with self.lock:
            self.db.executemany(
                "INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?)",
                [(k, zlib.compress(t.encode("utf-8"), 1), n, r) for k, t, n, r in rows],
            )
            self.db.commit()

    def close(self) -> None:
        self.db.close()


class Worker:
    """One long-lived ``node tools/prerender-math.mjs``."""

    def __init__(self, font_url: str, macros: str):
        node = shutil.which("node")
        if node is None:
            raise PrerenderError("node is not on PATH: it typesets the formulas at build time")
        self.proc = subprocess.Popen(
            [node, str(SCRIPT), font_url, macros],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.calls = 0
        self.rules: list[str] = []  # the worker's CSS rules by number

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            raise PrerenderError(f"the MathJax worker ({SCRIPT}) stopped:\n{err}")
        answer = json.loads(line)
        if "error" in answer and "results" not in answer and "css" not in answer:
            raise PrerenderError(f"the MathJax worker failed: {answer['error']}")
        self.calls += 1
        self.rules.extend(answer.get("rules", ()))
        return answer

    def typeset(self, request: dict) -> list[dict]:
        """The results of a page request (its emitted formulas), with their CSS rules."""
        results = [r for r in self.ask(request)["results"] if r is not None]
        for r in results:
            r["css"] = [self.rules[i] for i in r["css"]]
        return results

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def version_key(font_url: str, macros: str) -> str:
    package = ROOT / "node_modules" / "@mathjax" / "src" / "package.json"
    mathjax = "?"
    if package.is_file():
        mathjax = json.loads(package.read_text(encoding="utf-8"))["version"]
    script = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:16]
    # the macros every page defines (data/tex-macros.toml) change what a formula means
    return f"mathjax {mathjax}; {script}; {font_url}; {macros}"


def _request(page: Page, missing: list[Formula]) -> dict:
    """The formulas to run: the missing ones, and every definition before the last."""
    last = page.formulas.index(missing[-1])
    wanted = {id(f) for f in missing}
    run = [
        {"tex": f.tex, "display": f.display, "counter": f.counter, "emit": id(f) in wanted}
        for f in page.formulas[: last + 1]
        if id(f) in wanted or _DEFINES_RE.search(f.tex)
    ]
    return {"cmd": "page", "labels": page.labels, "formulas": run}


def _attrs(f: Formula, result: dict | None) -> str:
    extra = f' data-tex="{html.escape(f.source)}"'
    if result and result["tags"] and "data-eq-shown" in f.match.group("attrs"):
        extra += f' data-mjx-tags="{html.escape("|".join(result["tags"]))}"'
    return f.match.group("attrs") + extra


def _relative(page: Path, output: Path, target: str) -> str:
    return Path(os.path.relpath(output / target, page.parent)).as_posix()


_FACE_RE = re.compile(r"@font-face[^{]*\{\s*font-family: ([\w-]+);\s*src: url\(\"([^\"]+)\"\)")
_CLASS_FONT_RE = re.compile(r"^\.(NCM-[\w-]+) \{\s*font-family: ([^;]+);", re.M)
_USED_CLASS_RE = re.compile(r"\bNCM-[\w-]+")
_USED_FAMILY_RE = re.compile(r"\bMJX-[\w-]+")


@dataclass
class Fonts:
    """Which font files the base stylesheet gives each MathJax font class and family."""

    faces: dict[str, str]  # family -> URL relative to the stylesheet
    classes: dict[str, list[str]]  # class -> families
    seen: dict[str, frozenset[str]] = field(default_factory=dict)  # families by key

    @classmethod
    def parse(cls, stylesheet: str) -> Fonts:
        faces = dict(_FACE_RE.findall(stylesheet))
        classes = {
            c: [f.strip() for f in families.split(",")]
            for c, families in _CLASS_FONT_RE.findall(stylesheet)
        }
        return cls(faces, classes)

    def families(self, markup: str, key: str | None = None) -> frozenset[str]:
        """The font families ``markup`` (a page's text, a typeset formula, a rule) uses;
        remembered by ``key`` (a formula or rule met on many pages is read once)."""
        if key is not None and key in self.seen:
            return self.seen[key]
        families = set(_USED_FAMILY_RE.findall(markup))
        for c in set(_USED_CLASS_RE.findall(markup)):
            families.update(self.classes.get(c, ()))
        if key is not None:
            self.seen[key] = frozenset(families)
        return frozenset(families)

    def files(self, families: Iterable[str]) -> list[str]:
        """The font files of ``families``."""
        return sorted({self.faces[f] for f in families if f in self.faces})


def render_page(
    page: Page, root_url: str, output: Path, fonts: Fonts | None = None
) -> tuple[str, int]:
    """The page's HTML with typeset formulas; and how many MathJax rejected.  The
    stylesheet link is ``root_url``-absolute, or relative to the page when it is ""; the
    font files the page's formulas use are preloaded (fetched while the page parses, not
    after its first layout)."""
    out, pos, css, rejected = [], 0, {}, 0
    keys = {}  # index in out of a typeset formula's markup -> the formula's key
    for f in page.formulas:
        m, r = f.match, f.result
        out.append(page.text[pos : m.start()])
        pos = m.end()
        if r is None or r["error"]:
            rejected += 1
            message = r["error"] if r else "not typeset at build time"
            attrs = m.group("attrs") + f' data-mjx-error="{html.escape(message)}"'
            out.append(f'<{m.group("tag")} class="math {m.group("kind")}"{attrs}>')
            out.append(m.group("anchors") + m.group("body") + f"</{m.group('tag')}>")
            continue
        for rule in r["css"]:
            css.setdefault(rule)
        out.append(f'<{m.group("tag")} class="math {m.group("kind")} mjx-server"{_attrs(f, r)}>')
        # Not MathJax's in the browser, if a page loads it for a rejected formula.
        typeset = r["html"].replace(_CONTAINER, _CONTAINER_IGNORED, 1)
        out.append(m.group("anchors"))
        keys[len(out)] = f.key
        out.append(typeset)
        out.append(f"</{m.group('tag')}>")
    out.append(page.text[pos:])
    text = "".join(out)
    if not rejected:
        text = _CLIENT_RE.sub("", text)
    href = f"{root_url}/{STYLESHEET}" if root_url else _relative(page.path, output, STYLESHEET)
    rules = "".join(css)
    head = ""
    if fonts is not None and len(page.formulas) > rejected:
        base = href.rsplit("/", 1)[0] + "/" if "/" in href else ""
        # The page's pieces each read alone (none starts or ends inside a name).
        families = set().union(*(fonts.families(rule, rule) for rule in css))
        for i, key in keys.items():
            families.update(fonts.families(out[i], key))
        plain = (piece for i, piece in enumerate(out) if i not in keys)
        families.update(fonts.families("\n".join(plain)))
        for url in fonts.files(families):
            head += (
                f'<link rel="preload" href="{html.escape(base + url)}" as="font" '
                'type="font/woff2" crossorigin>'
            )
    head += f'<link rel="stylesheet" href="{html.escape(href)}"><style>{rules}</style>'
    if _STYLE_MARK in text:
        text = text.replace(_STYLE_MARK, head, 1)
    else:
        text = text.replace("</head>", head + "</head>", 1)
    return text, rejected


@dataclass
class PrerenderStats:
    pages: int = 0
    formulas: int = 0
    typeset: int = 0  # by Node in this run (the rest came from the cache)
    rejected: int = 0
    node_calls: int = 0


def prerender_files(
    paths: Iterable[Path],
    output: Path,
    cache_path: Path,
    site_url: str = "",
    workers: int | None = None,
    texts: dict[Path, str] | None = None,
) -> PrerenderStats:
    """Typeset the math elements of ``paths`` (built HTML files) in place; write the base
    stylesheet into ``output``.  ``site_url``: the site's absolute URL, or "" for links
    relative to each page; ``texts``: the text of some of them, already read."""
    font_url = "woff2"  # relative to the stylesheet (output/vendor/mathjax4/chtml.css)
    macros = macros_json()
    version = version_key(font_url, macros)
    stats = PrerenderStats()
    cache = Cache(cache_path / "formulas.sqlite")
    try:
        # A page Pelican wrote exactly as last time: its typeset version, as it was.
        written = _math_pages(paths, output, version, site_url, texts or {})
        done = cache.get_pages(key for key, _ in written.values())
        pages = []
        for path, (key, text) in written.items():
            if key in done:
                typeset, formulas, rejected = done[key]
                atomic_write_text(path, typeset)
                stats.pages += 1
                stats.formulas += formulas
                stats.rejected += rejected
            else:
                pages.append((key, read_page(path, version, text)))
        base_file = cache_path / f"chtml-{hashlib.sha256(version.encode()).hexdigest()[:16]}.css"
        known = cache.get_many(f.key for _, p in pages for f in p.formulas)
        todo = []
        for _, page in pages:
            for f in page.formulas:
                f.result = known.get(f.key)
            missing = [f for f in page.formulas if f.result is None]
            if missing:
                todo.append((page, missing))
        if todo or not base_file.is_file():
            stats.node_calls, stats.typeset = _typeset(
                todo, cache, (font_url, macros), base_file, workers
            )
        target = output / STYLESHEET
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != base_file.read_bytes():
            shutil.copyfile(base_file, target)
        rows = []
        fonts = Fonts.parse(target.read_text(encoding="utf-8"))
        for key, page in pages:
            text, rejected = render_page(page, site_url, output, fonts)
            atomic_write_text(page.path, text)
            rows.append((key, text, len(page.formulas), rejected))
            stats.pages += 1
            stats.formulas += len(page.formulas)
            stats.rejected += rejected
        cache.put_pages(rows)
    finally:
        cache.close()
    return stats


def _math_pages(
    paths: Iterable[Path], output: Path, version: str, site_url: str, texts: dict[Path, str]
) -> dict[Path, tuple[str, str]]:
    """The pages of ``paths`` with math elements: path -> (cache key, text)."""
    written, code = {}, render_version()
    for path in paths:
        text = texts.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8")
        if 'class="math ' in text:
            where = path.relative_to(output).as_posix() if path.is_relative_to(output) else ""
            blob = "\0".join((version, code, site_url, where, text))
            written[path] = (hashlib.sha256(blob.encode()).hexdigest(), text)
    return written


FONT_FILES = ROOT / "node_modules" / "@mathjax" / "mathjax-newcm-font" / "chtml" / "woff2"
_FONT_URL_RE = re.compile(r'url\("woff2/([^"]+)"\)')


def _shipped(rules: list[str]) -> list[str]:
    """The stylesheet without the @font-face of fonts the font package does not ship (a
    few it names, for rare scripts): a browser would ask for them and get a 404."""
    kept = []
    for rule in rules:
        m = _FONT_URL_RE.search(rule)
        if rule.startswith("@font-face") and m and not (FONT_FILES / m.group(1)).is_file():
            continue
        kept.append(rule)
    return kept


def _typeset(
    todo, cache: Cache, args: tuple[str, str], base_file: Path, workers: int | None
) -> tuple[int, int]:
    """Typeset the missing formulas of ``todo`` ((page, missing) pairs) on worker
    processes started with ``args`` (font URL, macros), filling in their results;
    (requests made, formulas typeset)."""
    n = workers or min(2, os.cpu_count() or 1)
    n = max(1, min(n, len(todo) or 1))
    pool = [Worker(*args) for _ in range(n)]
    try:
        hello = pool[0].ask({"cmd": "hello"})
        base_file.parent.mkdir(parents=True, exist_ok=True)
        base_file.write_text("\n".join(_shipped(hello["css"])) + "\n", encoding="utf-8")
        done = _run_pool(pool, _jobs(todo), cache)
    finally:
        for w in pool:
            w.close()
    for _, missing in todo:
        for f in missing:
            f.result = done[f.key]
    return sum(w.calls for w in pool), len(done)


def _jobs(todo) -> list:
    """(page, formulas) to typeset, longest pages first; a formula several pages share (same
    key: a summary on list pages) once."""
    assigned: set[str] = set()
    jobs = []
    for page, missing in todo:
        own = [f for f in missing if f.key not in assigned]
        assigned.update(f.key for f in own)
        if own:
            jobs.append((page, own))
    return sorted(jobs, key=lambda t: -len(t[1]))


def _run_pool(pool: list[Worker], queue: list, cache: Cache) -> dict[str, dict]:
    """Each worker takes the next job when it is free; the results by formula key (kept in
    ``cache`` as they come).  A worker's failure is raised after the others stop."""
    done: dict[str, dict] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(worker: Worker):
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    page, missing = queue.pop(0)
                results = worker.typeset(_request(page, missing))
                fresh = {f.key: r for f, r in zip(missing, results, strict=True)}
                cache.put_many(fresh)
                with lock:
                    done.update(fresh)
        except BaseException as e:  # reported below, after the other worker stops
            errors.append(e)

    threads = [threading.Thread(target=run, args=(w,)) for w in pool]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return done


def strip_math_head(path: Path) -> str | None:
    """For a freshly written page: its text when it holds math (to typeset); else drop
    the math head partial's client MathJax and stylesheet mark from it."""
    text = path.read_text(encoding="utf-8")
    if 'class="math ' in text:
        return text
    if CLIENT_START in text or _STYLE_MARK in text:
        atomic_write_text(path, _CLIENT_RE.sub("", text).replace(_STYLE_MARK, ""))
    return None
