"""The math/ML relevance filter; its rules live in data/relevance.toml (operator-edited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kexue.core.datafiles import read_toml
from kexue.core.errors import InputError
from kexue.core.paths import DATA
from kexue.core.posts import Post

DEFAULT_RULES = DATA / "relevance.toml"


class RulesError(InputError):
    """The relevance rules file names an unknown key; the message names the file."""


_KEYS = {
    "include_ids",
    "exclude_ids",
    "categories",
    "min_formulas",
    "tags",
    "title_words",
    "min_formulas_by_tag",
    "exclude_tags",
}


@dataclass
class Rules:
    include_ids: list[str] = field(default_factory=list)
    exclude_ids: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    min_formulas: int = 3
    tags: list[str] = field(default_factory=list)
    title_words: list[str] = field(default_factory=list)
    min_formulas_by_tag: int = 1
    exclude_tags: list[str] = field(default_factory=list)

    def judge(self, post: Post, formulas: int) -> tuple[bool, str]:
        """(keep, reason) for one converted post with ``formulas`` TeX spans."""
        if post.id in self.exclude_ids:
            return False, "listed in exclude_ids"
        if post.id in self.include_ids:
            return True, "listed in include_ids"
        tags = {t.lower() for t in post.tags}
        bad = tags & {t.lower() for t in self.exclude_tags}
        if bad:
            return False, f"tag {sorted(bad)[0]} is in exclude_tags"
        if post.source_category in self.categories and formulas >= self.min_formulas:
            return True, f"category {post.source_category}"
        hits = sorted(tags & {t.lower() for t in self.tags})
        hits += [w for w in self.title_words if w.lower() in post.title.lower()]
        if hits and formulas >= self.min_formulas_by_tag:
            return True, f"tag or title word {hits[0]}"
        return False, (
            f"not math/ML: category {post.source_category or '(none)'}, "
            f"{formulas} formula(s), no tag or title word from the rules"
        )


def load_rules(path: Path | None = None) -> Rules:
    """Read the rules; an unknown key is an error naming the file."""
    path = Path(path) if path else DEFAULT_RULES
    data = read_toml(path, "relevance rules (pass --rules FILE)")
    unknown = set(data) - _KEYS
    if unknown:
        raise RulesError(f"{path}: unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    data["include_ids"] = [str(i) for i in data.get("include_ids", [])]
    data["exclude_ids"] = [str(i) for i in data.get("exclude_ids", [])]
    return Rules(**data)
