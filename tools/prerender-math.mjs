// Typesets TeX at build time with MathJax 4 (npm @mathjax/src) into CHTML markup:
// a long-lived worker for kexue.math.prerender.  It reads one JSON request per line on stdin
// and writes one JSON answer per line on stdout.
//
//   {"cmd": "hello"}  -> {"version", "css"}   the stylesheet every page needs
//   {"cmd": "page", "labels": {label: shown}, "formulas": [
//       {"tex", "display", "counter", "emit"}]}
//     -> {"results": [{"html", "css": [rule number, ...], "tags": ["(1)"], "error"}],
//         "rules": [rule, ...]}
//
// A formula's "css" is the rules it needs beyond the base stylesheet (the same whichever
// formulas came before it), each by its number: the process numbers each distinct rule
// once, 0, 1, 2, … in the order first met, and "rules" brings the texts of the rules an
// answer numbered first (the reader keeps them: rule n is the n-th text received).
//
// The formulas of one page come in reading order, as the browser's MathJax would meet
// them: macros defined by \newcommand carry forward; "counter" is the equation counter
// before the formula (kexue.math.tex computes it; \setCounter moves it); "labels" are the
// page's \label names with the number each shows, so \eqref resolves (forward too) to
// our own anchors (id = the label).  "emit": false runs a formula only for its
// definitions.  The configuration is the browser's (theme/static/js/mathjax-config.js):
// kexue/math/mathjax_config.py gives it as the second argument (MathJax 2's \color as
// colorv2, \setCounter, MathJax 2 names in \require, no noundefined; the page macros).
//
// Readers (issue 27): every formula carries MathJax's assistive MathML (hidden from sight,
// read by screen readers); a display is broken into lines at the wide (desktop) column
// width, and one wider than the narrow (phone) column is typeset a second time, broken at
// that width: its answer has "narrow" (that markup, no MathML and no ids: the wide form's
// serve both) and the widths in em of each form ("width", "narrowWidth"), from which
// kexue.math.page chooses between them by container queries.  argv[4]: the layout,
// {"wide": em, "narrow": em} (kexue/math/layout.py).
// KEXUE_MATH_STATS=1 in the environment: at the end, on stderr, how many formulas had
// their rules found from the whole stylesheet (a font loaded meanwhile; see formulaRules).
import { createInterface } from "node:readline";
import MJ from "@mathjax/src";

// --- safe: what a formula may carry (theme/static/js/mathjax-safe.js, shared with the browser)
await import(new URL("../theme/static/js/mathjax-safe.js", import.meta.url));
const SAFE = globalThis.KexueMathSafe;
// --- end safe

const FONT_URL = process.argv[2] || "woff2"; // relative to the stylesheet
// The configuration shared with the browser (kexue/math/mathjax_config.py).
const CONFIG = JSON.parse(process.argv[3] || "{}");
// ---- readers (issue 27): the widths displays are broken at ----
const LAYOUT = { wide: 40, narrow: 20, ...JSON.parse(process.argv[4] || "{}") };
// ---- end readers ----
const DEFINES = /\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator|newenvironment|renewenvironment|require)\b/;

await MJ.init({
  loader: {
    load: ["input/tex", "output/chtml", ...(CONFIG.load || []), "a11y/assistive-mml"],
  },
  // ---- readers (issue 27): assistive MathML, line breaking of displays ----
  options: { enableAssistiveMml: true },
  // ---- end readers ----
  tex: CONFIG.tex || {},
  chtml: {
    fontURL: FONT_URL,
    adaptiveCSS: true,
    // ---- readers (issue 27) ----
    displayOverflow: "linebreak",
    // ---- end readers ----
  },
  startup: {
    typeset: false,
    ready() {
      const MathJax = globalThis.MathJax;
      // MathJax 2 names in \require{…} (CONFIG.requireAliases), marked loaded.
      MathJax.loader.preLoaded(...(CONFIG.requireAliases || []));
      SAFE.install(MathJax); // safe: the macros and filters of mathjax-safe.js
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
      // \eqref{L} links to the page's own anchor for L (kexue.math.extension writes id="L").
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
// Their faces and classes in a fixed order (the files come back in any order): the same
// stylesheet every build.
{
  const font = MathJax.startup.output.font;
  const name = (k) => k.replace(/^\.|^@font-face \/\* | \*\/$/g, "");
  const order = (a, b) => name(a).localeCompare(name(b)) || (b[0] === ".") - (a[0] === ".");
  font.fontUsage = Object.fromEntries(
    Object.keys(font.fontUsage)
      .sort(order)
      .map((k) => [k, font.fontUsage[k]]),
  );
}

function rulesOf(sheetText) {
  return sheetText.split(/\n\n+/).map((r) => r.trim()).filter(Boolean);
}

function stylesheet() {
  return rulesOf(adaptor.textContent(MathJax.startup.output.styleSheet(MathJax.startup.document)));
}

const BASE = stylesheet();
const BASE_SET = new Set(BASE);
const { StyleJsonSheet } = MathJax._.util.StyleJson;
const FONT = MathJax.startup.output.font.constructor;
const fontStyleCount = () => Object.keys(FONT.defaultStyles).length + Object.keys(FONT.defaultFonts).length;

// What the whole sheet holds around the styles of the formula's wrappers and characters
// (CommonOutputJax.styleSheet: the common and document styles, then the wrappers'; then
// ChtmlFontData.styles: the font's default styles and faces, then the characters'), the
// selectors whose rule there is not one of BASE's (each formula's sheet has them), and
// the styles of each wrapper kind and character met so far, as MathJax writes them.
let fixed = null;
function fixedStyles(output, doc) {
  if (fixed?.output === output && fixed.doc === doc && fixed.fontStyleCount === fontStyleCount()) return fixed;
  const common = new StyleJsonSheet(output.constructor.commonStyles);
  for (const styles of doc.getStyles?.() ?? []) common.addStyles(styles);
  const font = { ...FONT.defaultStyles };
  FONT.addFontURLs(font, FONT.defaultFonts, output.font.options.fontURL);
  const all = new StyleJsonSheet(common.styles);
  all.addStyles(font);
  const own = Object.keys(all.styles).filter(
    (k) => !rulesOf(all.getStyleRules({ [k]: all.styles[k] })[0]).every((r) => BASE_SET.has(r)),
  );
  const kinds = new Map();
  const chars = new Map();
  fixed = { output, doc, fontStyleCount: fontStyleCount(), common: common.styles, font, own, kinds, chars };
  return fixed;
}

function memo(map, key, make) {
  let styles = map.get(key);
  if (!styles) map.set(key, (styles = make()));
  return styles;
}

// The formula's own styles, as ChtmlOutputJax.addWrapperStyles and
// ChtmlFontData.updateStyles make them, from the styles of each kind and character.
function usedStyles(output, base) {
  const font = output.font;
  const wrappers = new StyleJsonSheet();
  for (const kind of output.wrapperUsage.update()) {
    const wrapper = output.factory.getNodeClass(kind);
    if (!wrapper) continue;
    wrappers.addStyles(
      memo(base.kinds, kind, () => {
        const styles = new StyleJsonSheet();
        output.addClassStyles(wrapper, styles);
        return styles.styles;
      }),
    );
  }
  const chars = {};
  for (const n of font.delimUsage.update()) {
    const make = () => {
      const styles = {};
      font.addDelimiterStyles(styles, n, font.getDelimiter(n));
      return styles;
    };
    Object.assign(chars, memo(base.chars, n, make));
  }
  for (const [name, n] of font.charUsage.update()) {
    const make = () => {
      const variant = font.variant[name];
      const styles = {};
      font.addCharStyles(styles, variant.letter, n, variant.chars[n]);
      return styles;
    };
    Object.assign(chars, memo(base.chars, `${name} ${n}`, make));
  }
  return [wrappers.styles, chars];
}

// The rules a formula adds to BASE: the whole sheet MathJax writes for it alone
// (stylesheet() after clearCache()) less BASE's rules, in that sheet's order; made the
// same way, but only the rules its wrappers and characters touched are written out (the
// others are BASE's).  A font loaded while typesetting it: the whole sheet, as before.
let wholeSheets = 0; // formulas that needed it (a statistic for the profile)
function formulaRules() {
  const output = MathJax.startup.output; // reset() makes a new one
  const usage = [output.wrapperUsage, output.font.charUsage, output.font.delimUsage];
  const pending = usage.map((u) => u.needsUpdate);
  let wrappers, chars, base;
  try {
    if (Object.keys(output.font.fontUsage).length) throw new Error("a font loaded");
    base = fixedStyles(output, MathJax.startup.document);
    [wrappers, chars] = usedStyles(output, base);
  } catch {
    usage.forEach((u, i) => (u.needsUpdate = pending[i]));
    wholeSheets++;
    return stylesheet().filter((r) => !BASE_SET.has(r));
  }
  const touched = new Set([...Object.keys(wrappers), ...Object.keys(chars), ...base.own]);
  // The touched selectors in the whole sheet's order, each merged as addStyles merges.
  const font = {};
  for (const k of Object.keys(base.font)) if (touched.has(k)) font[k] = base.font[k];
  Object.assign(font, chars);
  const sheet = new StyleJsonSheet();
  for (const k of Object.keys(base.common)) {
    if (touched.has(k)) sheet.addStyles({ [k]: base.common[k] });
  }
  sheet.addStyles(wrappers);
  sheet.addStyles(font);
  return rulesOf(sheet.getStyleRules().join("\n\n")).filter((r) => !BASE_SET.has(r));
}

// Each distinct rule is numbered once per process; an answer brings the texts of the
// rules first numbered while making it.
const RULE_IDS = new Map();
let newRules = [];
function ruleId(rule) {
  let id = RULE_IDS.get(rule);
  if (id === undefined) {
    RULE_IDS.set(rule, (id = RULE_IDS.size));
    newRules.push(rule);
  }
  return id;
}

let dirty = false; // macros defined since the last reset

function reset() {
  MathJax.startup.getComponents();
  dirty = false;
}

const text = (node) =>
  node.isKind("text") ? node.getText() : (node.childNodes || []).map(text).join("");

// ---- readers (issue 27): a display's wide and narrow forms ----
// 16 px to the em (MathJax computes it as ex / the font's x-height).
const PX_PER_EM = 16;
async function typesetAt(item, widthEm) {
  const font = MathJax.startup.output.font;
  item.setMetrics(PX_PER_EM, PX_PER_EM * font.params.x_height, widthEm * PX_PER_EM, 1);
  await mathjax.handleRetriesFor(() => item.convert(MathJax.startup.document, STATE.LAST));
}

// The markup without what no reader uses: the TeX (the page has it in data-tex), and in
// the assistive MathML the TeX classes, the namespace (HTML's parser gives it) and IE's
// unselectable.
const lean = (markup) =>
  markup.replace(
    / (?:data-latex(?:-item)?|data-mjx-texclass)="[^"]*"| xmlns="http:\/\/www\.w3\.org\/1998\/Math\/MathML"| unselectable="on"/g,
    "",
  );

const round = (x) => Math.round(x * 1000) / 1000;

// The display typeset again at the narrow width when its wide form is wider: the
// markup without its MathML, ids and TeX (the wide form's stay the page's).
async function narrowForm(item, out) {
  const doc = MathJax.startup.document;
  out.width = round(MathJax.startup.output.getBBox(item, doc).w);
  if (out.width <= LAYOUT.narrow) return;
  item.state(STATE.TYPESET - 1);
  await typesetAt(item, LAYOUT.narrow);
  out.narrow = lean(adaptor.outerHTML(item.typesetRoot))
    .replace(/<mjx-assistive-mml[^>]*>[\s\S]*?<\/mjx-assistive-mml>/g, "")
    .replace(/ id="[^"]*"/g, "");
  out.narrowWidth = round(MathJax.startup.output.getBBox(item, doc).w);
}
// ---- end readers ----

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
  MathJax.startup.output.clearCache();
  SAFE.filtered = [];
  const item = new doc.options.MathItem(f.tex, MathJax.startup.input[0], f.display);
  item.start.node = adaptor.body(doc.document);
  await typesetAt(item, LAYOUT.wide);
  if (!f.emit) return null;
  const out = { html: "", css: [], tags: [], error: null };
  if (SAFE.filtered.length) out.filtered = SAFE.filtered;
  item.root.walkTree((node) => {
    if (node.isKind("mlabeledtr")) out.tags.push(text(node.childNodes[0]));
    if (node.isKind("merror") && !out.error) {
      out.error = node.attributes.get("data-mjx-error") || text(node);
    }
  });
  out.html = lean(adaptor.outerHTML(item.typesetRoot));
  if (f.display) await narrowForm(item, out);
  out.css = formulaRules().map(ruleId);
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
  const rules = newRules;
  newRules = [];
  return { results, rules };
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
      else if (req.cmd === "config") answer = { tex: MathJax.config.tex, loaded: MathJax.config.loader.load };
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
  if (process.env.KEXUE_MATH_STATS) process.stderr.write(`whole sheets: ${wholeSheets}\n`);
  process.exit(0);
});
