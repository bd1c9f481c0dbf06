"""A small reader of the legacy corpus (blogs_raw) for the topic evaluation.

Stand-in until `kexue.legacy.import_legacy` lands: front matter (title, tags, source) and
the body without that mirror's header and derivation section, one Post per archive id
(the longer file wins when a post appears twice), and that mirror's topic assignment
(topic_classification.json) as the post's `Topic:` value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kexue.posts import Post

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_ID = re.compile(r"/archives/(\d+)")
_DERIVATION = re.compile(r"^#{1,3}\s*[^\n]*(?:公式推导与注释|数学推导|推导与注释)", re.M)


def read_legacy_posts(corpus: Path) -> dict[str, Post]:
    topics: dict[str, str] = {}
    classification = corpus / "topic_classification.json"
    if classification.is_file():
        for name, entries in json.loads(classification.read_text(encoding="utf-8")).items():
            for entry in entries:
                topics[entry["slug"]] = name
    posts: dict[str, Post] = {}
    for path in sorted((corpus / "blogs_raw").glob("*.md")):
        m = _FRONT.match(path.read_text(encoding="utf-8"))
        if not m:
            continue
        front = {}
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                front[key.strip()] = value.strip()
        body = m.group(2)
        found = _ID.search(front.get("source", "")) or _ID.search(body[:2000])
        if not found:
            continue
        _, sep, rest = body.partition("\n---\n")  # the mirror's own header block
        body = rest if sep else body
        cut = _DERIVATION.search(body)
        if cut:
            body = body[: cut.start()]
        post = Post(
            id=found.group(1),
            title=front.get("title", ""),
            tags=[t.strip() for t in front.get("tags", "").split(",") if t.strip()],
            topic=topics.get(front.get("slug", ""), ""),
            body=body,
        )
        old = posts.get(post.id)
        if old is None or len(post.body) > len(old.body):
            if old is not None and not post.topic:
                post.topic = old.topic
            posts[post.id] = post
    return posts
