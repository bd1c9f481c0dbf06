// Typesets TeX at build time with MathJax 4 (npm @mathjax/src) into CHTML markup:
// a long-lived worker for kexue.prerender.  It reads one JSON request per line on stdin
// and writes one JSON answer per line on stdout.
//
//   {"cmd": "hello"}  -> {"version", "css"}   the stylesheet every page needs
//   {"cmd": "page", "labels": {label: shown}, "formulas": [
//       {"tex", "display", "counter", "emit"}]}
//     -> {"results": [{"html", "css": [rule, ...], "tags": ["(1)"], "error"}]}
//
// The formulas of one page come in reading order, as the browser's MathJax would meet
// them: macros defined by \newcommand carry forward; "counter" is the equation counter
// before the formula (kexue.tex computes it; \setCounter moves it); "labels" are the
// page's \label names with the number each shows, so \eqref resolves (forward too) to
// our own anchors (id = the label).  "emit": false runs a formula only for its
// definitions.  The configuration is the browser's (theme/static/js/mathjax-config.js):
// MathJax 2's \color (colorv2), \setCounter, MathJax 2 names in \require, no noundefined.
import { createInterface } from "node:readline";
import MJ from "@mathjax/src";

const FONT_URL = process.argv[2] || "woff2"; // relative to the stylesheet
// Macros every page defines (\argmax, …): data/tex-macros.toml, by kexue/texmacros.py.
const MACROS = JSON.parse(process.argv[3] || "{}");
const DEFINES = /\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator|newenvironment|renewenvironment|require)\b/;

await MJ.init({
  loader: {
    load: ["input/tex", "output/chtml", "[tex]/colorv2"],
  },
  tex: {
    tags: "ams",
    useLabelIds: true,
    macros: MACROS,
    // MathJax 4 adds textmacros (\text{a_b} an error); MathJax 2 and 3 show it as written.
    packages: {
      "[-]": ["color", "noundefined", "textmacros"],
      "[+]": ["colorv2", "kexue-setcounter"],
    },
    autoload: { color: [], colorv2: ["color"] },
  },
  chtml: { fontURL: FONT_URL, adaptiveCSS: true },
  startup: {
    typeset: false,
    ready() {
      const MathJax = globalThis.MathJax;
      // MathJax 2 names in \require{…}: AMSmath and AMSsymbols are the ams package (loaded),
      // AMScd is amscd (autoloaded by \begin{CD}); else \require looks for files that do
      // not exist.
      MathJax.loader.preLoaded("[tex]/AMSmath", "[tex]/AMSsymbols", "[tex]/AMScd");
      const { CommandMap } = MathJax._.input.tex.TokenMap;
      const { Configuration } = MathJax._.input.tex.Configuration;
      new CommandMap("kexue-setcounter", {
        setCounter(parser, name) {
          const n = parseInt(parser.GetArgument(name), 10);
          if (!Number.isFinite(n)) {
            const TexError = MathJax._.input.tex.TexError.default;
            throw new TexError("BadCounter", "Argument of %1 is not a number", name);
          }
          parser.tags.counter = parser.tags.allCounter = n;
        },
      });
      Configuration.create("kexue-setcounter", { handler: { macro: ["kexue-setcounter"] } });
      // \eqref{L} links to the page's own anchor for L (kexue.markdown_math writes id="L").
      MathJax._.input.tex.Tags.AbstractTags.prototype.formatUrl = (id, base) =>
        base + "#" + encodeURIComponent(id.replace(/^mjx-eqn:/, ""));
      MathJax.startup.defaultReady();
    },
  },
});

const MathJax = globalThis.MathJax;
const { Label } = MathJax._.input.tex.Tags;
const { mathjax } = MathJax._.mathjax;
const { STATE } = MathJax._.core.MathItem;
const adaptor = MathJax.startup.adaptor;

// Every font file's @font-face: a browser downloads a face only when text uses it.
await MathJax.startup.output.font.loadDynamicFiles();

function rulesOf(sheetText) {
  return sheetText.split(/\n\n+/).map((r) => r.trim()).filter(Boolean);
}

function stylesheet() {
  return rulesOf(adaptor.textContent(MathJax.startup.output.styleSheet(MathJax.startup.document)));
}

const BASE = stylesheet();
const BASE_SET = new Set(BASE);
let dirty = false; // macros defined since the last reset

function reset() {
  MathJax.startup.getComponents();
  dirty = false;
}

const text = (node) =>
  node.isKind("text") ? node.getText() : (node.childNodes || []).map(text).join("");

async function render(f, labels) {
  const doc = MathJax.startup.document;
  const tags = MathJax.startup.input[0].parseOptions.tags;
  const own = new Set([...f.tex.matchAll(/\\label\s*\{([^}]*)\}/g)].map((m) => m[1]));
  tags.allLabels = {};
  for (const [name, shown] of Object.entries(labels)) {
    if (!own.has(name)) tags.allLabels[name] = new Label(shown, tags.formatId(name));
  }
  tags.allIds = {};
  tags.counter = tags.allCounter = f.counter;
  if (DEFINES.test(f.tex)) dirty = true;

  const item = new doc.options.MathItem(f.tex, MathJax.startup.input[0], f.display);
  item.start.node = adaptor.body(doc.document);
  item.setMetrics(16, 8, 640, 1);
  await mathjax.handleRetriesFor(() => item.convert(doc, STATE.LAST));
  if (!f.emit) return null;
  const out = { html: "", css: [], tags: [], error: null };
  item.root.walkTree((node) => {
    if (node.isKind("mlabeledtr")) out.tags.push(text(node.childNodes[0]));
    if (node.isKind("merror") && !out.error) {
      out.error = node.attributes.get("data-mjx-error") || text(node);
    }
  });
  out.html = adaptor.outerHTML(item.typesetRoot).replace(/ data-latex(?:-item)?="[^"]*"/g, "");
  out.css = [];
  return out;
}

async function page(req) {
  if (dirty) reset();
  const results = [];
  for (const f of req.formulas) {
    try {
      results.push(await render(f, req.labels || {}));
    } catch (e) {
      const error = String(e && e.message ? e.message : e);
      results.push(f.emit ? { html: "", css: [], tags: [], error } : null);
    }
  }
  return { results };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const queue = [];
let busy = false;
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const line = queue.shift();
    let answer;
    try {
      const req = JSON.parse(line);
      if (req.cmd === "hello") answer = { version: MathJax.version, css: BASE };
      else if (req.cmd === "page") answer = await page(req);
      else answer = { error: `unknown command ${req.cmd}` };
    } catch (e) {
      answer = { error: String(e && e.stack ? e.stack : e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
  busy = false;
}
rl.on("line", (line) => {
  queue.push(line);
  drain();
});
// The build closed our stdin (done, or gone): finish what was asked, then stop.
rl.on("close", async () => {
  while (busy || queue.length) await new Promise((r) => setTimeout(r, 10));
  process.exit(0);
});
