"""The figure directive (kexue.figures: directive, extension), its check and its bundle."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from kexue.figures.bundle import bundle, files_for_figure
from kexue.figures.directive import FigureError, effective_params, find_figure_blocks, spec
from kexue.site.checks import CheckContext, run_checks
from tests import nodejs
from tests.conftest import ROOT

DOC = """前文 $a+b$ 与 \\(c\\)。

```figure distributions
dist: beta
alpha: 2.5
caption: Beta 密度 $p(x) \\propto x^{\\alpha-1}$ 与 <样本>
```

后文 $$E = mc^2$$
"""


def render(text: str) -> str:
    md = markdown.Markdown(
        extensions=["kexue.math.extension", "kexue.figures.extension", "markdown.extensions.extra"]
    )
    return md.convert(text)


def test_block_becomes_a_placeholder_with_parameters_fallback_and_caption_math():
    out = render(DOC)
    figure = re.search(r"<figure .*?</figure>", out, re.S).group(0)
    assert 'class="kx-figure" data-figure="distributions"' in figure
    assert 'data-param-dist="beta"' in figure and 'data-param-alpha="2.5"' in figure
    # Readers without scripts read what the figure shows, with the effective parameters.
    assert "样本直方图" in figure and "α = 2.5" in figure and "β = 5" in figure
    assert "均值 μ" not in figure  # normal's parameters do not apply to Beta
    # The caption's TeX is a math element holding the author's bytes; the rest is escaped.
    assert '<span class="math inline">$p(x) \\propto x^{\\alpha-1}$</span>' in figure
    assert "&lt;样本&gt;" in figure
    assert "```" not in out and "<code" not in out
    # Math around the block is untouched by the figure extension.
    assert '<span class="math inline">$a+b$</span>' in out
    assert '<div class="math display">$$E = mc^2$$</div>' in out


def test_block_shown_as_code_stays_code():
    out = render("````markdown\n```figure matrices\nn: 3\n```\n````\n")
    assert "kx-figure" not in out
    assert "<pre><code" in out and "```figure matrices" in out


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("```figure histogram\n```", "unknown figure 'histogram'"),
        ("```figure\n```", "unknown figure ''"),
        ("```figure matrices\nn: 500\n```", "outside [2, 200]"),
        ("```figure matrices\nrows: 5\n```", "unknown parameter 'rows'"),
        ("```figure distributions\ndist: cauchy\n```", "choose from normal"),
        ("```figure optimizers\nshow: adam,sgd\n```", "choose from gd"),
        ("```figure matrices\njust text\n```", "expected `key: value`"),
    ],
)
def test_invalid_blocks_say_what_to_change(block, message):
    (found,) = find_figure_blocks(block.split("\n"))
    assert isinstance(found, FigureError)
    assert message in str(found)
    out = render(block)
    assert 'class="kx-figure-error"' in out and 'kx-figure"' not in out


def test_learning_rate_default_follows_the_function():
    (block,) = find_figure_blocks(["```figure optimizers", "function: bowl", "```"])
    assert effective_params(block)["lr"] == "0.1"
    (block,) = find_figure_blocks(["```figure optimizers", "function: bowl", "lr: 0.02", "```"])
    assert effective_params(block)["lr"] == "0.02"


def test_check_names_file_and_line(tmp_path):
    samples = tmp_path / "content" / "samples"
    samples.mkdir(parents=True)
    (samples / "90099.md").write_text(
        "Title: t\nSlug: 90099\n\n正文\n\n```figure matrices\nm: 0\n```\n", encoding="utf-8"
    )
    ctx = CheckContext(root=tmp_path, content=tmp_path / "content", output=tmp_path / "out")
    (problems,) = [p for name, p in run_checks(ctx, ["figure directives"])]
    assert [(Path(p.file).name, p.line) for p in problems] == [("90099.md", 6)]
    assert "outside [2, 200]" in problems[0].message
    ctx = CheckContext(root=ROOT, content=ROOT / "content", output=tmp_path / "out")
    assert run_checks(ctx, ["figure directives"]) == [("figure directives", [])]


def test_spec_and_numerics_name_the_same_things():
    names = nodejs.js(
        "tests/js/keys.mjs",
        ("keys", "theme/figures/numerics/distributions.js", "DISTRIBUTIONS"),
        ("keys", "theme/figures/numerics/optimizers.js", "OPTIMIZERS"),
        ("keys", "theme/figures/numerics/optimizers.js", "FUNCTIONS"),
    )
    params = spec()
    assert names[0] == list(params["distributions"]["params"]["dist"]["choices"])
    assert names[1] == list(params["optimizers"]["params"]["show"]["choices"])
    assert names[2] == list(params["optimizers"]["params"]["function"]["choices"])
    assert set(params["optimizers"]["params"]["lr"]["default_by"]["function"]) == set(names[2])


def test_sample_site_has_the_bundle_and_loads_it_only_where_figures_are(sample_site):
    page = (sample_site / "archives" / "90005" / "index.html").read_text("utf-8")
    assert page.count('data-figure="') == 3
    assert '<script type="module" src="../../figures/figures.js">' in page
    assert 'href="../../figures/figures.css"' in page
    for other in ("90001", "90003", "index"):
        path = sample_site / ("index.html" if other == "index" else f"archives/{other}/index.html")
        assert "figures/figures" not in path.read_text("utf-8"), path
    assert (sample_site / "figures" / "figures.js").is_file()
    assert len(list((sample_site / "figures" / "chunks").glob("*.js"))) >= 4


def test_bundle_rerun_changes_nothing_and_removes_stale_files(tmp_path):
    node_modules = ROOT / "node_modules"
    first = bundle(node_modules, tmp_path)
    assert first.written == first.files
    stale = tmp_path / "figures" / "chunks" / "old-chunk.js"
    stale.write_text("//", encoding="utf-8")
    second = bundle(node_modules, tmp_path)
    assert second.written == []
    assert not stale.exists()
    loads = files_for_figure(second, "optimizers")
    assert loads[:2] == ["figures.css", "figures.js"]
    assert any(f.startswith("chunks/optimizers-") for f in loads)
    assert not any(f.startswith("chunks/matrices-") for f in loads)
