"""How to cite a mirrored post: the citation and BibTeX the source site prints under
every post (docs: source-site.md, the ``#how_to_cite`` block), as plain text.

    苏剑林. (Aug. 15, 2024). 《标题》[Blog post]. Retrieved from https://spaces.ac.cn/archives/10320

    @online{kexuefm-10320,
            title={标题},
            author={苏剑林},
            year={2024},
            month={Aug},
            url={\\url{https://spaces.ac.cn/archives/10320}},
    }

The values are returned as text, never markup: the templates escape them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# English month abbreviations as the source prints them (independent of the locale)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Citation:
    text: str  # the one-line reference
    bibtex: str  # the @online entry


def _bib_value(value: str) -> str:
    """A BibTeX field value kept balanced: braces and backslashes in a title are escaped."""
    return re.sub(r"([\\{}])", r"\\\1", value)


def cite(
    title: str,
    url: str,
    post_id: str,
    author: str = "苏剑林",
    date: dt.date | dt.datetime | None = None,
) -> Citation:
    """The source's citation of a post: ``title`` and ``author`` as plain text, ``url`` the
    post on the source site, ``post_id`` its archive id (the BibTeX key), ``date`` its
    publication date (None when unknown)."""
    title = " ".join(title.split())
    author = author or "苏剑林"
    key = f"kexuefm-{post_id}" if post_id else "kexuefm"
    when = f"{MONTHS[date.month - 1]}. {date.day:02d}, {date.year}" if date else "n.d."
    text = f"{author}. ({when}). 《{title}》[Blog post]. Retrieved from {url}"
    fields = [("title", _bib_value(title)), ("author", _bib_value(author))]
    if date:
        fields += [("year", str(date.year)), ("month", MONTHS[date.month - 1])]
    fields.append(("url", "\\url{" + url + "}"))
    body = "".join(f"        {name}={{{value}}},\n" for name, value in fields)
    return Citation(text, f"@online{{{key},\n{body}}}")
