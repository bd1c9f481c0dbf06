"""The figure directive: a fenced block that places an interactive figure in a post or note.

::

    ```figure distributions
    dist: beta
    alpha: 2
    beta: 5
    samples: 2000
    caption: Beta 分布 $\\mathrm{Beta}(\\alpha, \\beta)$ 的样本与密度
    ```

The figure names and their parameters (type, default, range, label) live in one file,
``theme/figures/spec.json``, read both here (to validate and describe a figure) and by the
figures' JavaScript (to build the inputs).  A block becomes a ``<figure class="kx-figure">``
placeholder whose ``data-figure`` names the figure and whose ``data-param-<key>``
attributes hold the author's parameters; its text describes the figure for readers without
scripts, and the page's figure loader replaces it with the live figure.

The caption may hold TeX: :func:`kexue.math.tex.find_math` treats the whole fenced block as code,
so the math extension leaves it alone, and the caption's math spans are rendered here the
same way (:func:`kexue.math.element.render`).

Nothing here imports Pelican.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kexue.core.errors import InputError
from kexue.core.header import read_text
from kexue.core.paths import NOTE_DIR, THEME, content_files
from kexue.core.posts import iter_post_files
from kexue.core.problems import CheckContext, Problem
from kexue.reading.summaries import text_with_math

SPEC_PATH = THEME / "figures" / "spec.json"
# The class the loader looks for; templates test the content for it.
PLACEHOLDER_CLASS = "kx-figure"
_FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_FIGURE_INFO_RE = re.compile(r"^\s*figure(?:\s+(?P<name>\S*))?\s*$")
_KEY_RE = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z0-9_-]*)\s*:\s*(?P<value>.*?)\s*$")


class FigureError(InputError):
    """A figure block that cannot be rendered; the message says what to change."""


@cache
def spec() -> dict:
    """The figures and their parameters (theme/figures/spec.json)."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@dataclass
class FigureBlock:
    """One figure block: where it is in the text, and what it asks for."""

    start: int  # index of the opening fence line
    end: int  # index of the line after the closing fence
    name: str
    params: dict[str, str] = field(default_factory=dict)
    caption: str = ""


def find_figure_blocks(lines: list[str]) -> list[FigureBlock | FigureError]:
    """Every figure block among ``lines`` (top-level fences only), parsed and validated.

    Other fenced blocks are skipped whole, so a figure block shown as code in a
    ```` ```markdown ```` block stays code.  A block that does not validate is returned as
    a FigureError whose ``start``/``end`` attributes give its lines.
    """
    found: list[FigureBlock | FigureError] = []
    i = 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        closer = re.compile("^" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        j = i + 1
        while j < len(lines) and not closer.match(lines[j]):
            j += 1
        info = _FIGURE_INFO_RE.match(m.group("info"))
        if info:
            end = min(j + 1, len(lines))
            try:
                found.append(parse_figure(info.group("name") or "", lines[i + 1 : j], i, end))
            except FigureError as e:
                e.start, e.end = i, end
                found.append(e)
        i = j + 1
    return found


def parse_figure(name: str, body: list[str], start: int = 0, end: int = 0) -> FigureBlock:
    """Parse and validate one block's figure name and ``key: value`` lines."""
    figures = spec()
    if name not in figures:
        known = ", ".join(figures)
        raise FigureError(f"unknown figure {name!r}: write ```figure NAME with NAME one of {known}")
    params_spec = figures[name]["params"]
    block = FigureBlock(start, end, name)
    for offset, line in enumerate(body, start=1):
        if not line.strip():
            continue
        m = _KEY_RE.match(line)
        if not m:
            raise FigureError(f"figure {name}, line {offset}: expected `key: value`, got {line!r}")
        key, value = m.group("key").lower(), m.group("value")
        if key == "caption":
            block.caption = value
        elif key in params_spec:
            block.params[key] = _validate(name, key, params_spec[key], value)
        else:
            keys = ", ".join([*params_spec, "caption"])
            raise FigureError(f"figure {name}: unknown parameter {key!r}; use one of {keys}")
    return block


def _validate(figure: str, key: str, p: dict, value: str) -> str:
    where = f"figure {figure}, {key}: {value!r}"
    if p["type"] == "number":
        try:
            number = float(value)
        except ValueError:
            raise FigureError(f"{where} is not a number") from None
        if not p["min"] <= number <= p["max"]:
            raise FigureError(f"{where} is outside [{p['min']}, {p['max']}]")
        return value
    choices = p["choices"]
    wanted = [v.strip() for v in value.split(",")] if p["type"] == "set" else [value]
    unknown = [v for v in wanted if v not in choices]
    if unknown or not wanted:
        raise FigureError(f"{where}: choose from {', '.join(choices)}")
    return ",".join(wanted)


def effective_params(block: FigureBlock) -> dict[str, str]:
    """The block's parameters with the defaults filled in, keeping only those that apply
    (a parameter with ``for`` applies when one of the chosen values is listed there)."""
    params_spec = spec()[block.name]["params"]
    values = {k: block.params[k] for k in params_spec if k in block.params}
    for key, p in params_spec.items():
        values.setdefault(key, str(_default(p, values, params_spec)))
    values = {k: values[k] for k in params_spec}
    chosen = set(values.values())
    return {
        k: v
        for k, v in values.items()
        if "for" not in params_spec[k] or not chosen.isdisjoint(params_spec[k]["for"])
    }


def _default(p: dict, values: dict[str, str], params_spec: dict) -> object:
    """A parameter's default; ``default_by`` makes it depend on another (choice) parameter."""
    for other, table in p.get("default_by", {}).items():
        chosen = values.get(other, str(params_spec[other]["default"]))
        if chosen in table:
            return table[chosen]
    return p["default"]


def describe(block: FigureBlock) -> str:
    """Plain Chinese text saying what the figure shows and with which parameters."""
    figure = spec()[block.name]
    parts = []
    for key, value in effective_params(block).items():
        p = figure["params"][key]
        shown = value
        if p["type"] != "number":
            shown = "、".join(p["choices"][v] for v in value.split(","))
        parts.append(f"{p['label']} = {shown}")
    return f"{figure['describe']}参数：{'，'.join(parts)}。"


def render_figure(block: FigureBlock) -> str:
    """The placeholder element for one figure block."""
    attrs = "".join(
        f' data-param-{key}="{html.escape(value)}"' for key, value in block.params.items()
    )
    title = html.escape(spec()[block.name]["title"])
    caption = text_with_math(block.caption) if block.caption else title
    return (
        f'<figure class="{PLACEHOLDER_CLASS}" data-figure="{block.name}"{attrs}>'
        f'<div class="kx-figure-fallback" data-pagefind-ignore><p>{html.escape(describe(block))}'
        "（启用 JavaScript 后可交互调整参数。）</p></div>"
        f"<figcaption>{caption}</figcaption></figure>"
    )


def render_error(error: FigureError) -> str:
    """What the page shows in place of a block that did not validate."""
    return f'<div class="kx-figure-error"><p>图形指令有误：{html.escape(str(error))}</p></div>'


def has_figures(content_html: str) -> bool:
    """True when rendered content holds a figure placeholder (templates use the same test)."""
    return f'class="{PLACEHOLDER_CLASS}"' in content_html


def figure_problems(path: Path) -> list[tuple[int, str]]:
    """(line number, message) for each figure block in ``path`` that does not validate."""
    lines = read_text(path).split("\n")  # not UTF-8: a HeaderError naming the file
    return [
        (item.start + 1, str(item))
        for item in find_figure_blocks(lines)
        if isinstance(item, FigureError)
    ]


def check_figure_directives(ctx: CheckContext) -> Iterator[Problem]:
    """`invoke check`: every figure block in posts, samples and notes validates."""
    notes = content_files(ctx.content, (NOTE_DIR,))
    for path in [*iter_post_files(ctx.content), *notes]:
        for line, message in figure_problems(path):
            yield Problem(str(path), line, f"{message} (see theme/figures/spec.json)")
