// What a formula may carry onto the page: MathJax's `safe` extension (ui/safe), configured
// here once for the browser's MathJax 3 (mathjax-config.js, after this script) and the build
// worker's MathJax 4 (tools/prerender-math.mjs imports this file).  A formula's TeX comes
// from a post: untrusted.
//
//   \href    http:, https:, mailto: or a relative URL (control characters and spaces are
//            ignored when reading the scheme, as a browser does); else the link is dropped.
//   \style, \bbox, \color
//            only the declarations of STYLES below, each value matching its pattern
//            (colours, sizes, borders, spacing; lengths up to MAX_EM): no position, no
//            url(), no calc(), no negative margins.
//   \class, \cssId, \data
//            put in the formula's own namespace: class "mjx-tex-NAME", id "mjx-tex-NAME",
//            attribute "data-mjx-tex-NAME" (NAME: letters, digits, "-", "_"); so they never
//            equal a class, id or data attribute of the site (eq-N, data-tex, data-pagefind-*).
//
// Every value removed is recorded in KexueMathSafe.filtered ("\\href{javascript:…}", …):
// the build worker returns it with the formula, and `invoke check` names it as file:line.
(function (root) {
  "use strict";
  const NAME = /^[A-Za-z][\w-]*$/;
  const MAX_EM = 40; // the largest length a style may give, in em
  const EM = { em: 1, ex: 0.5, px: 1 / 16, pt: 1 / 12, pc: 1, mu: 1 / 18, mm: 0.236, cm: 2.36, in: 6, "%": 0.4 };
  const LENGTH = /^(-?(?:\d+\.?\d*|\.\d+))(em|ex|px|pt|pc|mu|mm|cm|in|%)?$/;
  const COLOR = /^(?:#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[\d.%\s,/]+\)|hsla?\(\s*[\d.%\s,/deg]+\))$/i;
  const BORDER_STYLE = /^(?:none|solid|dashed|dotted|double|groove|ridge|inset|outset)$/;

  function length(v, min) {
    const m = LENGTH.exec(v);
    if (!m || (m[2] === undefined && parseFloat(m[1]) !== 0)) return false;
    const em = parseFloat(m[1]) * (EM[m[2]] || 0);
    return em >= min && em <= MAX_EM;
  }
  const positive = (v) => length(v, 0);
  const lengths = (n) => (v) => {
    const parts = v.split(/\s+/);
    return parts.length <= n && parts.every(positive);
  };
  const color = (v) => COLOR.test(v);
  const border = (v) =>
    v.split(/\s+/).length <= 3 &&
    v.split(/\s+/).every((p) => positive(p) || BORDER_STYLE.test(p) || color(p));
  const oneOf = (...words) => (v) => words.includes(v);

  const STYLES = {
    color: color,
    "background-color": color,
    "font-size": (v) => length(v, 0.5) || /^(?:small|medium|large|x-large)$/.test(v),
    "font-weight": oneOf("normal", "bold", "bolder", "lighter"),
    "font-style": oneOf("normal", "italic", "oblique"),
    display: oneOf("inline", "inline-block"),
    "vertical-align": (v) => oneOf("baseline", "middle", "top", "bottom")(v) || length(v, -MAX_EM),
    width: positive,
    height: positive,
    "min-width": positive,
    "min-height": positive,
    padding: lengths(4),
    margin: lengths(4),
    border: border,
    "border-width": lengths(4),
    "border-style": (v) => v.split(/\s+/).every((p) => BORDER_STYLE.test(p)),
    "border-color": (v) => v.split(/\s+/).every(color),
    "border-radius": lengths(4),
  };
  for (const side of ["top", "right", "bottom", "left"]) {
    STYLES[`padding-${side}`] = positive;
    STYLES[`margin-${side}`] = positive;
    STYLES[`border-${side}`] = border;
    STYLES[`border-${side}-width`] = positive;
    STYLES[`border-${side}-style`] = (v) => BORDER_STYLE.test(v);
    STYLES[`border-${side}-color`] = color;
  }

  const safe = {
    filtered: [],
    note(what) {
      if (!safe.filtered.includes(what)) safe.filtered.push(what);
    },
    // A URL with a scheme other than http(s)/mailto: null.
    url(url) {
      const bare = String(url).replace(/[\x00-\x20\x7f]+/g, "");
      const scheme = /^([^/?#]*?):/.exec(bare);
      if (!scheme || /^(?:https?|mailto)$/i.test(scheme[1])) return url;
      safe.note(`\\href{${url}}`);
      return null;
    },
    // The declarations of STYLES with a value their pattern accepts, in the given order.
    style(text) {
      const kept = [];
      for (const declaration of String(text).split(";")) {
        if (!declaration.trim()) continue;
        const at = declaration.indexOf(":");
        const name = declaration.slice(0, at).trim().toLowerCase();
        const value = declaration.slice(at + 1).trim().replace(/\s+/g, " ");
        const test = Object.hasOwn(STYLES, name) ? STYLES[name] : null;
        if (at > 0 && test && !/[\\"'<>()]/.test(value.replace(/^(rgba?|hsla?)\([^()]*\)$/i, "")) && test(value)) {
          kept.push(`${name}: ${value}`);
        } else {
          safe.note(`\\style{${declaration.trim()}}`);
        }
      }
      return kept.length ? kept.join("; ") : null;
    },
    color(value) {
      if (color(String(value).trim())) return value;
      safe.note(`\\color{${value}}`);
      return null;
    },
    name(kind, value) {
      if (NAME.test(value)) return value;
      safe.note(`\\${kind}{${value}}`);
      return null;
    },
  };

  // MathJax's safe options: every URL, class, id and style goes through the filters below
  // (installed by install()); the patterns admit only the formula's namespace, and MathJax's
  // own equation ids (mjx-eqn:LABEL, made by \label).
  safe.options = {
    allow: { URLs: "safe", classes: "safe", cssIDs: "safe", styles: "safe" },
    classPattern: /^(?:mjx-tex-[\w-]+|MathJax_ref)$/, // MathJax_ref: \eqref's own
    idPattern: /^mjx-(?:eqn:.+|tex-[\w-]+)$/,
    dataPattern: /^data-mjx-tex-[\w-]+$/,
    // TeX's own sizes, \tiny (0.5em) to \Huge (2.49em), unchanged
    styleLengths: { fontSize: [0.5, 2.5] },
  };

  // \class, \cssId and \data with their names in the formula's namespace.
  function namespaced(parser, name, set) {
    const value = parser.GetArgument(name);
    let arg = parser.ParseArg(name);
    if (arg.isInferred) {
      const row = parser.create("node", "mrow");
      for (const child of arg.childNodes) row.appendChild(child);
      arg = row;
    }
    set(value, arg);
    parser.Push(arg);
  }
  const methods = {
    KexueClass(parser, name) {
      namespaced(parser, name, (value, arg) => {
        const names = value.split(/\s+/).filter(Boolean).map((c) => safe.name("class", c));
        const kept = names.filter(Boolean).map((c) => `mjx-tex-${c}`);
        const old = arg.attributes.get("class");
        if (kept.length) arg.attributes.set("class", (old ? old + " " : "") + kept.join(" "));
      });
    },
    KexueId(parser, name) {
      namespaced(parser, name, (value, arg) => {
        if (safe.name("cssId", value.trim())) arg.attributes.set("id", `mjx-tex-${value.trim()}`);
      });
    },
    KexueData(parser, name) {
      namespaced(parser, name, (value, arg) => {
        for (const pair of value.split(",")) {
          const at = pair.indexOf("=");
          const key = (at < 0 ? pair : pair.slice(0, at)).trim();
          if (!key) continue;
          if (safe.name("data", key)) {
            arg.attributes.set(`data-mjx-tex-${key}`, at < 0 ? "true" : pair.slice(at + 1).trim());
          }
        }
      });
    },
  };

  // Called in MathJax's startup ready(), before defaultReady(): the macros, and the Safe
  // class whose filters are ours.
  safe.install = function (MathJax) {
    const { Configuration } = MathJax._.input.tex.Configuration;
    const Maps = MathJax._.input.tex.TokenMap || MathJax._.input.tex.SymbolMap;
    new Maps.CommandMap(
      "kexue-safe",
      { class: "KexueClass", cssId: "KexueId", data: "KexueData" },
      methods,
    );
    Configuration.create("kexue-safe", { handler: { macro: ["kexue-safe"] } });
    const Safe = MathJax._.ui.safe.safe.Safe;
    class KexueSafe extends Safe {
      constructor(...args) {
        super(...args);
        const base = this.filterMethods;
        this.filterMethods = {
          ...base,
          filterURL: (_, url) => safe.url(url),
          filterStyles: (_, styles) => safe.style(styles),
          filterColor: (_, value) => safe.color(value),
          filterClassList: (s, list) => base.filterClassList.call(this.filterMethods, s, list),
          filterID: (s, id) => base.filterID.call(this.filterMethods, s, id),
        };
        // MathJax's own \quad and styles set scriptlevel: left as MathJax made it.
        this.filterAttributes.delete("scriptlevel");
        this.filterAttributes.set("mathcolor", "filterColor");
        this.filterAttributes.set("mathbackground", "filterColor");
        this.filterAttributes.set("color", "filterColor");
        this.filterAttributes.set("background", "filterColor");
      }
    }
    MathJax.config.options = MathJax.config.options || {};
    MathJax.config.options.SafeClass = KexueSafe;
    MathJax.config.options.safeOptions = safe.options;
  };

  root.KexueMathSafe = safe;
})(globalThis);
