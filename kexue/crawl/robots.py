"""robots.txt, read the way RFC 9309 (and Google) read it.

urllib.robotparser gets two things wrong that matter here: it takes the *first* matching
rule instead of the *longest* one, and it knows neither ``*`` wildcards nor the ``$``
end anchor inside paths.  This parser:

* picks the group whose ``User-agent`` is the longest product token contained in our
  agent's name (case-insensitive), else the ``*`` group; groups with the same agent merge;
* among that group's ``Allow``/``Disallow`` rules, the one matching the longest pattern
  wins; on a tie ``Allow`` wins; an empty ``Disallow:`` matches nothing;
* ``*`` matches any run of characters, a trailing ``$`` anchors at the end of the path;
* ``Crawl-delay`` of the chosen group is reported (the crawl waits at least that long).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

__all__ = ["RobotsRules"]


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, pattern)
    crawl_delay: float | None = None


def _normalise(path: str) -> str:
    """Percent-encode a path consistently so that 标签 and %E6%A0%87… compare equal."""
    return quote(unquote(path), safe="/*$?=&;:@!,+~%-._")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


class RobotsRules:
    """The rules of one robots.txt for one user agent."""

    def __init__(self, text: str, agent: str):
        self.agent = agent
        groups = _parse(text)
        name = agent.lower()
        best: list[_Group] = []
        best_len = -1
        for group in groups:
            for token in group.agents:
                token = token.lower()
                if token == "*":
                    length = 0
                elif token in name:
                    length = len(token)
                else:
                    continue
                if length > best_len:
                    best, best_len = [group], length
                elif length == best_len and group not in best:
                    best.append(group)
        self.rules = [
            (allow, _normalise(p), _pattern_regex(_normalise(p)))
            for group in best
            for allow, p in group.rules
            if p
        ]
        delays = [g.crawl_delay for g in best if g.crawl_delay is not None]
        self.crawl_delay: float | None = max(delays) if delays else None

    @classmethod
    def allow_all(cls, agent: str) -> RobotsRules:
        return cls("", agent)

    def allowed(self, url: str) -> bool:
        """True when ``url`` (absolute, or a path) may be fetched."""
        parts = urlsplit(url)
        path = _normalise((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        verdict, length = True, -1
        for allow, pattern, regex in self.rules:
            if regex.match(path):
                size = len(pattern)
                if size > length or (size == length and allow):
                    verdict, length = allow, size
        return verdict


def _parse(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            current.agents.append(value)
            last_was_agent = True
            continue
        last_was_agent = False
        if current is None:
            continue
        if key in ("allow", "disallow"):
            current.rules.append((key == "allow", value))
        elif key == "crawl-delay":
            try:
                current.crawl_delay = float(value)
            except ValueError:
                pass
    return groups
