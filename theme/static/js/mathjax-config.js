// MathJax 3, configured like the source site's MathJax 2 (tex2jax + AMS numbering), for the
// formulas not typeset at build time.  The configuration is the build worker's
// (tools/prerender-math.mjs): kexue/math/mathjax_config.py writes it on this script's tag
// (data-config), with the macros every page defines (data/tex-macros.toml).  Only elements
// of class "math" (kexue/math/element.py) are typeset, so a "$" in prose or code is never
// taken for math.  Other extensions the source used (extpfeil, cancel, bbox, unicode,
// amscd…) autoload, and \require{…} loads them too.
const shared = JSON.parse(document.currentScript.dataset.config || "{}");
window.MathJax = {
  loader: { load: shared.load || [] },
  tex: shared.tex || {},
  options: {
    ignoreHtmlClass: shared.ignoreHtmlClass,
    processHtmlClass: shared.processHtmlClass,
  },
  chtml: { fontURL: document.currentScript.dataset.fonts },
  startup: {
    ready() {
      MathJax.loader.preLoad(...(shared.requireAliases || []));
      // \setCounter{N}: the source site's macro (a MathJax 2 recipe): the next
      // equation number is N+1.  kexue.math.tex.number_equations follows it.
      const { CommandMap } = MathJax._.input.tex.SymbolMap;
      const { Configuration } = MathJax._.input.tex.Configuration;
      new CommandMap("kexue-setcounter", { setCounter: "SetCounter" }, {
        SetCounter(parser, name) {
          const n = parseInt(parser.GetArgument(name), 10);
          if (!Number.isFinite(n)) {
            const TexError = MathJax._.input.tex.TexError.default;
            throw new TexError("BadCounter", "Argument of %1 is not a number", name);
          }
          parser.tags.counter = parser.tags.allCounter = n;
        },
      });
      Configuration.create("kexue-setcounter", { handler: { macro: ["kexue-setcounter"] } });
      // --- safe: what a formula may carry (mathjax-safe.js, loaded before this script;
      // the build worker uses the same file).
      window.KexueMathSafe.install(MathJax);
      // --- end safe
      MathJax.startup.defaultReady();
    },
  },
};
// ---- readers (issue 27): screen readers read MathJax's assistive MathML ----
// (tex-chtml.js's menu turns it on by default; said here so it does not hang on that.)
window.MathJax.options.enableAssistiveMml = true;
// ---- end readers ----
