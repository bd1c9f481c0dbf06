"""The MathJax configuration, one source (kexue/math/mathjax_config.py): the build's worker
(MathJax 4 in Node) and the browser's script (theme/static/js/mathjax-config.js, MathJax 3)
read the same packages, numbering, macros and delimiters.  Node runs both here."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import jinja2
import pytest

from kexue.core import layout
from kexue.core.paths import ROOT
from kexue.math.mathjax_config import config_json, mathjax_config
from kexue.math.workers import Worker

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

BROWSER_JS = ROOT / "theme" / "static" / "js" / "mathjax-config.js"
# The browser script run as a page runs it: its tag's data attributes, then window.MathJax.
RUN_BROWSER_SCRIPT = """
globalThis.window = globalThis;
globalThis.document = {currentScript: {dataset: {config: process.argv[2], fonts: "f"}}};
require(process.argv[1]);
const {loader, tex, options} = window.MathJax;
process.stdout.write(JSON.stringify({loader, tex, options}));
"""


def test_the_worker_reads_the_shared_configuration():
    shared = mathjax_config()
    worker = Worker("woff2", config_json())
    try:
        got = worker.ask({"cmd": "config"})
    finally:
        worker.close()
    tex = got["tex"]
    for key in ("tags", "useLabelIds", "macros", "autoload", "inlineMath", "displayMath"):
        assert tex[key] == shared["tex"][key], key
    packages = shared["tex"]["packages"]
    assert set(packages["[+]"]) <= set(tex["packages"])
    assert not set(packages["[-]"]) & set(tex["packages"])
    assert set(shared["load"]) <= set(got["loaded"])


def test_the_browser_script_reads_the_shared_configuration():
    shared = mathjax_config()
    out = subprocess.run(
        ["node", "-e", RUN_BROWSER_SCRIPT, str(BROWSER_JS), config_json()],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    browser = json.loads(out)
    assert browser["tex"] == shared["tex"]
    assert browser["loader"]["load"] == shared["load"]
    assert browser["options"] == {
        "ignoreHtmlClass": shared["ignoreHtmlClass"],
        "processHtmlClass": shared["processHtmlClass"],
        "enableAssistiveMml": True,  # what the browser adds: MathML for screen readers
    }


def test_the_page_gives_the_browser_script_the_configuration():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "theme" / "templates"))
    env.autoescape = True
    head = env.get_template("partials/math_head.html").render(
        KEXUE_MATHJAX_CONFIG=config_json(),
        KEXUE_OUTPUT=layout.for_templates(),
        SITEURL="",
        THEME_STATIC_DIR="theme",
    )
    tag = re.search(r'<script src="[^"]*mathjax-config\.js"[^>]*>', head).group(0)
    given = html.unescape(re.search(r'data-config="([^"]*)"', tag).group(1))
    assert json.loads(given) == mathjax_config()
