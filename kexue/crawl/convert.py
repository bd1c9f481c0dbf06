"""A source page (HTML of /archives/<id>) -> a :class:`kexue.core.posts.Post`.

The steps, in order:

1. :func:`decode_page` and :func:`classify_answer` refuse what is not an article (403 pages
   are refused earlier, by the crawler): an undecodable or truncated body, the
   JavaScript gate, a title-only page.  Each refusal is an :class:`AccessError` that
   names the URL and says what to try next.
2. Metadata: title (without the site suffix), the date in ``span.submitted``, category and
   tags from ``#tools span.cat`` only (the sidebar tag cloud is a trap).
3. The body ``#PostContent``: boilerplate cut (reprint notice, FAQ link, tip block,
   citation block, and everything after them), ``#`` self-links dropped from headings,
   ``[separator]`` dropped, image links unwrapped and pointed at local copies.
4. TeX lifted out: MathJax 2's tex2jax finds math in runs of text nodes and ``<br>``
   elements, so each such run is given to :func:`kexue.math.tex.find_math` (code elements are
   never part of a run).  Entities are already decoded in text nodes; a ``<br>`` inside a
   formula is dropped (it is the editor's, the TeX has its own ``\\\\``).  Each span becomes
   an opaque placeholder.
5. Untrusted markup sanitised with the site's one nh3 allowlist (kexue/site/sanitize.py);
   characters of prose that Markdown or our math finder would read as syntax (dollar,
   backslash, ``<``, ``&``, backtick) are written as HTML entities.
6. HTML -> Markdown with markdownify, then every placeholder replaced by its TeX, byte
   for byte (display math on its own line).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

from kexue.core import placeholders
from kexue.core.decoding import Decoded, decode_lenient
from kexue.core.errors import RemoteError
from kexue.core.posts import Post, iter_post_files
from kexue.core.problems import CheckContext, Problem
from kexue.core.source import SOURCE_BASE, canonical_url, post_id_from_url, post_url
from kexue.core.tags import SOURCE_CATEGORIES, clean_tags
from kexue.crawl.images import image_name, local_name
from kexue.math.tex import find_math
from kexue.site.sanitize import sanitize_html

__all__ = [
    "AccessError",
    "Converted",
    "classify_answer",
    "convert_page",
    "decode_page",
    "decoding_warning",
    "image_urls",
    "looks_like_gate",
    "page_meta",
]

_TITLE_SUFFIX_RE = re.compile(r"\s*[-–|]\s*科学空间\s*[|｜]\s*Scientific Spaces\s*$")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "script", "style", "textarea"})
# Texts that start the boilerplate at the end of #PostContent (docs/source-site.md).
BOILERPLATE_MARKERS = (
    "转载到请包括本文地址",
    "更详细的转载事宜请参考",
    "如果您还有什么疑惑或建议",
    "如果您觉得本文还不错",
)
BOILERPLATE_SELECTORS = "#pay, #how_to_cite, #content_tips, .title_button, #similar"
# Placeholders: private-use characters that neither nh3 nor markdownify touch.
_MATH_KIND = "kxc"
_MATH_PH_RE = re.compile(placeholders.pattern(_MATH_KIND))
# A prose backtick is a character, never a code span (one could run across a formula).
_LITERAL = {"$": "&#36;", "\\": "&#92;", "<": "&lt;", "&": "&amp;", "`": "&#96;"}
_LITERAL_PH = {ch: placeholders.literal(i) for i, ch in enumerate(_LITERAL)}
_LITERAL_RE = re.compile("[" + re.escape("".join(_LITERAL)) + "]")


class AccessError(RemoteError):
    """A fetched page that is not the article; never converted into a post."""

    def __init__(self, kind: str, url: str, reason: str, hint: str):
        super().__init__(f"{url}: {reason}; {hint}")
        self.kind, self.url, self.reason, self.hint = kind, url, reason, hint


@dataclass
class Converted:
    post: Post
    images: list[tuple[str, str]] = field(default_factory=list)  # (source URL, file name)
    missing_images: list[str] = field(default_factory=list)  # source URLs not downloaded
    formulas: int = 0


# -- pages that are not articles ------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


def decode_page(body: bytes, content_type: str, url: str) -> Decoded:
    """The page's text, from the charset in Content-Type or <meta>, else UTF-8.  An isolated
    invalid byte becomes U+FFFD (``.invalid`` says where; :func:`decoding_warning` words
    it); a body that is mostly not text in its charset is refused."""
    m = re.search(r"charset=([A-Za-z0-9_-]+)", content_type or "", re.I)
    charset = m.group(1) if m else None
    if charset is None:
        m2 = _CHARSET_RE.search(body[:2048])
        charset = m2.group(1).decode("ascii") if m2 else "utf-8"
    try:
        decoded = decode_lenient(body, charset)
    except LookupError:
        raise AccessError(
            "undecodable",
            url,
            f"the page names an unknown charset {charset!r}",
            f"the answer was damaged or is not the article; {_refetch(url)}",
        ) from None
    if decoded.mostly_invalid:
        raise AccessError(
            "undecodable",
            url,
            f"the body is not valid {charset} ({decoded.invalid_bytes} of {len(body)} bytes "
            f"invalid, from byte {decoded.offsets(1)})",
            f"the answer was damaged or is not the article; {_refetch(url)}",
        )
    return decoded


def decoding_warning(decoded: Decoded, url: str) -> str | None:
    """The warning for a page written with invalid bytes replaced, else None."""
    if not decoded.invalid:
        return None
    n = decoded.invalid_bytes
    return (
        f"{url}: {n} invalid {decoded.charset} byte{'s' if n != 1 else ''} at byte offset "
        f"{decoded.offsets()} replaced by U+FFFD; the post is written with them; if the source "
        f"page is fine, {_refetch(url)}"
    )


def _refetch(url: str) -> str:
    ids = post_id_from_url(url, url) or "ID"
    return f"fetch it again with `invoke crawl --ids {ids} --refresh`"


_HAS_BODY_RE = re.compile(r"""id=["']?PostContent""")
_REDIRECT_RE = re.compile(r"window\.location|location\.(href|replace)")


def looks_like_gate(html: str) -> bool:
    """A page without the article whose script sends the browser elsewhere."""
    return _HAS_BODY_RE.search(html) is None and _REDIRECT_RE.search(html) is not None


def classify_answer(html: str, url: str) -> AccessError | None:
    """None when ``html`` looks like a whole article page, else the :class:`AccessError`
    naming which kind of answer it is (a gate, a truncated body, a title-only page)."""
    has_body = _HAS_BODY_RE.search(html) is not None
    if looks_like_gate(html):
        return AccessError(
            "gate",
            url,
            f"a JavaScript gate page ({len(html.encode())} bytes) instead of the article",
            "the site wants a browser: retry with `invoke crawl --via browser`",
        )
    if not re.search(r"</html\s*>", html, re.I):
        return AccessError(
            "truncated",
            url,
            "the body is truncated (no closing </html>)",
            f"the connection was probably cut; later, {_refetch(url)} (or use a larger --delay)",
        )
    if not has_body or not _body_text(html):
        return AccessError(
            "title-only",
            url,
            "the page holds only the title, no #PostContent article body",
            "the site served a placeholder page; retry later or with `invoke crawl --via browser`",
        )
    return None


def _body_text(html: str) -> str:
    body = BeautifulSoup(html, "lxml").select_one("#PostContent")
    return body.get_text(strip=True) if body is not None else ""


# -- metadata --------------------------------------------------------------------------


def page_meta(soup: BeautifulSoup) -> dict[str, object]:
    """Title, date, category and tags of an article page."""
    title = ""
    if soup.title and soup.title.string:
        title = _TITLE_SUFFIX_RE.sub("", soup.title.string.strip())
    h1 = soup.select_one(".Post .title-wrap h1") or soup.select_one("#content h1")
    if not title and h1 is not None:
        title = h1.get_text(" ", strip=True)
    date = ""
    submitted = soup.select_one("span.submitted")
    if submitted is not None:
        m = _DATE_RE.search(submitted.get_text(" "))
        date = "-".join(m.groups()) if m else ""
    category, tags = "", []
    for a in soup.select("#tools span.cat a[href]"):
        path = unquote(urlsplit(a["href"]).path)
        text = a.get_text(strip=True)
        if path.startswith("/category/") and not category:
            category = text
        elif path.startswith("/tag/"):
            tags.append(text)
    # the source's tags only; a date, a category or a repeat among them is no tag
    tags = clean_tags(tags, [*SOURCE_CATEGORIES, category])
    return {"title": title, "date": date, "category": category, "tags": tags}


# -- the body --------------------------------------------------------------------------


def _cut_from(node, root: Tag) -> None:
    """Remove ``node`` and everything after it (in document order) inside ``root``."""
    current = node
    while current is not None and current is not root:
        for sibling in list(current.next_siblings):
            sibling.extract()
        parent = current.parent
        current = parent
    node.extract()


def _cut_boilerplate(body: Tag) -> None:
    starts = [el for el in body.select(BOILERPLATE_SELECTORS)]
    for text in body.find_all(string=True):
        if any(marker in text for marker in BOILERPLATE_MARKERS):
            starts.append(text)
    for img in body.find_all("img", src=re.compile(r"/usr/themes/")):
        starts.append(img)
    if not starts:
        return
    order = {id(n): i for i, n in enumerate(body.descendants)}
    first = min(starts, key=lambda n: order.get(id(n), 1 << 30))
    # Cut from the block that holds the marker when it holds nothing before it.
    block = first
    while block.parent is not None and block.parent is not body:
        parent = block.parent
        before = []
        for sib in parent.children:
            if sib is block:
                break
            before.append(sib)
        if any(_has_content(s) for s in before):
            break
        block = parent
    _cut_from(block, body)
    _strip_trailing_blank(body)


def _has_content(node) -> bool:
    if isinstance(node, NavigableString):
        return bool(node.strip())
    return node.name == "img" or bool(node.get_text(strip=True)) or node.find("img") is not None


def _strip_trailing_blank(el: Tag) -> None:
    while el.contents:
        last = el.contents[-1]
        if isinstance(last, NavigableString) and not last.strip():
            last.extract()
        elif isinstance(last, Tag) and last.name in ("br", "hr"):
            last.extract()
        elif isinstance(last, Tag) and not _has_content(last):
            last.extract()
        elif isinstance(last, Tag) and last.name in ("p", "div"):
            _strip_trailing_blank(last)
            return
        else:
            return


def _tidy(body: Tag) -> None:
    for comment in body.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for heading in body.find_all(re.compile(r"^h[1-6]$")):
        for a in heading.find_all("a"):
            if a.get_text(strip=True) == "#" and str(a.get("href", "")).startswith("#"):
                a.extract()
    for text in body.find_all(string=re.compile(r"\[separator\]")):
        if not any(p.name in _CODE_TAGS for p in text.parents):
            text.replace_with(text.replace("[separator]", ""))


def image_urls(html: str, post_id: str, source: str = SOURCE_BASE) -> list[tuple[str, str]]:
    """The article's images as (absolute URL, local file name), in page order."""
    body = BeautifulSoup(html, "lxml").select_one("#PostContent")
    if body is None:
        return []
    _cut_boilerplate(body)
    return _image_names(body, source)


def _image_names(body: Tag, source: str) -> list[tuple[str, str]]:
    urls = [canonical_url(str(img["src"]), source) for img in body.find_all("img", src=True)]
    return list(image_file_names(u for u in urls if u.startswith(("http://", "https://"))).items())


def image_file_names(urls) -> dict[str, str]:
    """{image URL: file name in content/images/<id>/}, distinct in page order
    (``a.png``, ``a-2.png``); kexue.legacy.images names the imported posts' images the same
    way."""
    seen: dict[str, str] = {}
    names: set[str] = set()
    for url in urls:
        if url in seen:
            continue
        name = image_name(url)
        stem, dot, ext = name.rpartition(".")
        k = 2
        while name in names:
            name = f"{stem}-{k}.{ext}" if dot else f"{name}-{k}"
            k += 1
        names.add(name)
        seen[url] = name
    return seen


def _rewrite_links(body: Tag, source: str, mirrored: set[str], images: dict[str, str]) -> None:
    for a in body.find_all("a"):
        href = a.get("href")
        if not href:
            continue
        imgs = a.find_all("img")
        if len(imgs) == 1 and not a.get_text(strip=True):
            a.replace_with(imgs[0])  # "点击查看原图" links around images
            continue
        if str(href).startswith("#"):
            continue
        url = canonical_url(str(href), source)
        pid = post_id_from_url(url)
        if pid and pid in mirrored and not urlsplit(url).fragment:
            a["href"] = f"{{filename}}/posts/{pid}.md"
        else:
            a["href"] = url
    for img in body.find_all("img", src=True):
        url = canonical_url(str(img["src"]), source)
        img["src"] = images.get(url, url)


def _is_run_node(node) -> bool:
    if isinstance(node, NavigableString):
        return not isinstance(node, Comment)
    return node.name == "br"


def _lift_math(body: Tag, store: list[tuple[str, bool]]) -> None:
    """Replace every TeX span in ``body`` by a placeholder; ``store`` gets (source, display)."""
    for el in [body, *body.find_all(True)]:
        if el.name in _CODE_TAGS or any(p.name in _CODE_TAGS for p in el.parents):
            continue
        run: list = []
        for child in [*el.children, None]:
            if child is not None and _is_run_node(child):
                run.append(child)
                continue
            if any(isinstance(n, NavigableString) for n in run):
                _lift_run(run, store)
            run = []


def _lift_run(run: list, store: list[tuple[str, bool]]) -> None:
    text, brs = _run_text(run)
    # The source has no Markdown: a backtick is a character, never a code span, so the
    # finder reads the run with backticks masked (offsets kept) and the TeX is taken back.
    spans = [
        dataclasses.replace(s, tex=text[s.start + len(s.open) : s.end - len(s.close)])
        for s in find_math(text.replace("`", placeholders.MASK), skip=[])
    ]
    if not spans:
        return
    kept = _kept_breaks(text, brs, spans)
    new: list = []
    pos = 0
    for span in [*spans, None]:
        end = span.start if span else len(text)
        new.extend(_prose_nodes(text[pos:end], [b - pos for b in kept if pos <= b <= end]))
        if span is None:
            break
        store.append((span.source, span.display))
        new.append(NavigableString(placeholders.placeholder(_MATH_KIND, len(store) - 1)))
        pos = span.end
    first = run[0]
    for node in new:
        first.insert_before(node)
    for node in run:
        node.extract()


def _run_text(run: list) -> tuple[str, list[int]]:
    """The text of a run of strings and <br>s, and the offsets in it where a <br> stood."""
    text = ""
    brs: list[int] = []
    for i, node in enumerate(run):
        if isinstance(node, NavigableString):
            text += str(node)
            continue
        brs.append(len(text))
        nxt = run[i + 1] if i + 1 < len(run) else None
        if not (isinstance(nxt, NavigableString) and str(nxt).startswith("\n")):
            text += "\n"  # a <br> not followed by a newline still ends a line
    return text, brs


def _kept_breaks(text: str, brs: list[int], spans: list) -> list[int]:
    """The <br>s that are content: not inside a formula, nor the editor's around a display."""
    dropped: set[int] = set()
    for span in spans:
        if span.display:  # the editor's <br> around a display formula is not content
            lo = len(text[: span.start].rstrip())
            hi = span.end + len(text[span.end :]) - len(text[span.end :].lstrip())
            dropped.update(b for b in brs if lo <= b <= span.start or span.end <= b <= hi)
        dropped.update(b for b in brs if span.start < b < span.end)
    return [b for b in brs if b not in dropped]


def _prose_nodes(text: str, brs: list[int]) -> list:
    nodes: list = []
    pos = 0
    for b in sorted(set(brs)):
        if b > pos:
            nodes.append(NavigableString(text[pos:b]))
        nodes.append(Tag(name="br", can_be_empty_element=True))
        pos = b
    if pos < len(text):
        nodes.append(NavigableString(text[pos:]))
    return nodes


def _protect_prose(body: Tag) -> None:
    """Characters of prose text that Markdown or the math finder would read as syntax."""
    for text in body.find_all(string=True):
        if any(p.name in _CODE_TAGS for p in text.parents):
            continue
        if _LITERAL_RE.search(text):
            text.replace_with(_LITERAL_RE.sub(lambda m: _LITERAL_PH[m.group(0)], str(text)))


class _Markdown(MarkdownConverter):
    def convert_pre(self, el, text, parent_tags):
        code = el.get_text()
        fence = "```"
        while fence in code:
            fence += "`"
        return f"\n\n{fence}\n{code.strip(chr(10))}\n{fence}\n\n"


def _to_markdown(html: str) -> str:
    return _Markdown(heading_style="atx", bullets="-", escape_misc=False).convert(html)


_LINE_PREFIX_RE = re.compile(r"^((?:[ \t]*>)*[ \t]*)((?:[-*+]|\d+[.)])[ \t]+)?")


def _display_lines(line: str, store: list[tuple[str, bool]]) -> list[str]:
    """Put each display formula of a Markdown line on a line of its own, with the line's
    blockquote/list continuation prefix, so it stays in the same block."""
    m = _LINE_PREFIX_RE.match(line)
    lead = m.group(0)
    cont = m.group(1) + " " * len(m.group(2) or "")
    out: list[str] = []
    current = line
    for ph in _MATH_PH_RE.finditer(line):
        if not store[int(ph.group(1))][1]:
            continue
        before, _, current = current.partition(ph.group(0))
        before = before.rstrip()
        if before.endswith("\\"):
            before = before[:-1].rstrip()
        if before.strip() and before != lead.rstrip():
            out.append(before)
            out.append(cont + ph.group(0))
        else:
            out.append((before + " " if before.strip() else cont) + ph.group(0))
        current = current.lstrip()
        current = cont + current if current else ""
    if current:
        out.append(current)
    return out


def _restore(markdown: str, store: list[tuple[str, bool]]) -> str:
    for ch, ph in _LITERAL_PH.items():
        markdown = markdown.replace(ph, _LITERAL[ch])
    lines: list[str] = []
    for line in markdown.split("\n"):
        if not any(store[int(m.group(1))][1] for m in _MATH_PH_RE.finditer(line)):
            lines.append(line)
            continue
        if lines and lines[-1].endswith("  "):
            lines[-1] = lines[-1].rstrip()  # no hard break before a display formula
        lines.extend(_display_lines(line, store))
    markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return _MATH_PH_RE.sub(lambda m: store[int(m.group(1))][0], markdown)


def _summary(soup: BeautifulSoup, store: list[tuple[str, bool]], limit: int = 120) -> str:
    """Plain text from the start of the body (code left out), cut after about ``limit``
    characters at a word or formula boundary, never inside a formula."""
    parts = []
    for p in soup.find_all("p")[:4]:
        for code in p.find_all(["code", "pre"]):
            code.extract()
        parts.append(p.get_text(" "))
    pieces = re.split(f"({placeholders.pattern(_MATH_KIND, group=False)})", " ".join(parts))
    out = ""
    for piece in pieces:
        m = _MATH_PH_RE.fullmatch(piece)
        if m:
            tex, display = store[int(m.group(1))]
            piece = "…" if display else " ".join(tex.split())
            if len(out) + len(piece) > limit:
                return " ".join(out.split()) + "…"
            out += f" {piece} " if display else piece
            continue
        room = limit - len(out)
        if len(piece) > room:
            return " ".join((out + piece[:room]).split()) + "…"
        out += piece
    return " ".join(out.split())


def convert_page(
    html: str,
    post_id: str,
    *,
    url: str = "",
    source: str = SOURCE_BASE,
    mirrored: set[str] | None = None,
    images_dir: Path | None = None,
) -> Converted:
    """Convert a checked article page; images found in ``images_dir`` are linked locally."""
    url = url or post_url(post_id, source)
    refusal = classify_answer(html, url)
    if refusal is not None:
        raise refusal
    soup = BeautifulSoup(html, "lxml")
    meta = page_meta(soup)
    body = soup.select_one("#PostContent")
    _cut_boilerplate(body)
    _tidy(body)
    images = _image_names(body, source)
    local: dict[str, str] = {}
    missing = []
    for img_url, name in images:
        saved = local_name(images_dir, name) if images_dir is not None else None
        if saved is not None:  # under the name of its real type (kexue.crawl.images)
            local[img_url] = f"{{static}}/images/{post_id}/{saved}"
        else:
            missing.append(img_url)
    _rewrite_links(body, source, mirrored or set(), local)
    store: list[tuple[str, bool]] = []
    _lift_math(body, store)
    inner = "".join(str(c) for c in body.contents)
    clean = sanitize_html(inner)  # the site's one allowlist (kexue/site/sanitize.py)
    clean_soup = BeautifulSoup(clean, "lxml")
    summary = _summary(BeautifulSoup(clean, "lxml"), store)
    _protect_prose(clean_soup)
    root = clean_soup.body or clean_soup
    markdown = _restore(_to_markdown("".join(str(c) for c in root.contents)), store)
    post = Post(
        id=post_id,
        title=str(meta["title"]),
        date=str(meta["date"]),
        source=post_url(post_id),
        source_category=str(meta["category"]),
        tags=list(meta["tags"]),
        author="苏剑林",
        summary=summary,
        completeness="full",
        content_hash=hashlib.sha256(markdown.encode()).hexdigest()[:16],
        body=markdown,
    )
    return Converted(post, images, missing, len(store))


_STATIC_IMAGE_RE = re.compile(r"\{static\}/(images/[^\s)\"]+)")


def check_crawled_posts(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: crawled posts hold no conversion leftovers, and their local images
    exist (a missing one: `invoke crawl --ids ID` downloads it again)."""
    for path in iter_post_files(ctx.content):
        text = path.read_text(encoding="utf-8")
        for lineno, line in enumerate(text.split("\n"), 1):
            if placeholders.LEFTOVER_RE.search(line):
                yield Problem(
                    str(path),
                    lineno,
                    "conversion placeholder left in the text; "
                    "re-run `invoke convert` and report the post",
                )
            for m in _STATIC_IMAGE_RE.finditer(line):
                if not (ctx.content / m.group(1)).is_file():
                    yield Problem(
                        str(path),
                        lineno,
                        f"image {m.group(1)} is missing; "
                        f"`invoke crawl --ids {path.stem}` downloads it again",
                    )
