// MathJax 3, configured like the source site's MathJax 2 (tex2jax + AMS numbering).
// Only elements of class "math" (written by kexue.math.extension) are typeset, so a "$"
// in prose or code is never taken for math.
window.MathJax = {
  // MathJax 2's \color{c}{x} colours only x: that is MathJax 3's colorv2, not color.
  // Other extensions the source used (extpfeil, cancel, bbox, unicode, amscd…) autoload,
  // and \require{…} loads them too.  \newcommand{name}{…} without a backslash on the
  // name is accepted by MathJax 3's newcommand as by MathJax 2.
  loader: { load: ["[tex]/colorv2"] },
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEnvironments: true,
    processRefs: true,
    tags: "ams",
    useLabelIds: true,
    // Macros every page defines (\argmax, …): data/tex-macros.toml, put on this script's
    // tag by the template (kexue/math/macros.py).
    macros: JSON.parse(document.currentScript.dataset.macros || "{}"),
    // Without noundefined an unknown macro is a MathJax error (reported by
    // `invoke check`), not a quietly red name.
    packages: { "[-]": ["color", "noundefined"], "[+]": ["colorv2", "kexue-setcounter"] },
    autoload: { color: [], colorv2: ["color"] },
  },
  options: {
    ignoreHtmlClass: "tex2jax_ignore",
    processHtmlClass: "math",
  },
  chtml: { fontURL: document.currentScript.dataset.fonts },
  startup: {
    ready() {
      // MathJax 2 names in \require{…}: AMSmath and AMSsymbols are MathJax 3's ams
      // (loaded), AMScd is its amscd (autoloaded by \begin{CD}).  Without this MathJax 3
      // fetches a file that does not exist and stops typesetting the page.
      MathJax.loader.preLoad("[tex]/AMSmath", "[tex]/AMSsymbols", "[tex]/AMScd");
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
      MathJax.startup.defaultReady();
    },
  },
};
// ---- readers (issue 27): screen readers read MathJax's assistive MathML ----
// (tex-chtml.js's menu turns it on by default; said here so it does not hang on that.)
window.MathJax.options.enableAssistiveMml = true;
// ---- end readers ----
