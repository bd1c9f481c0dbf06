// MathJax 3, configured like the source site's MathJax 2 (tex2jax + AMS numbering).
// Only elements of class "math" (written by kexue.markdown_math) are typeset, so a "$"
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
    // Without noundefined an unknown macro is a MathJax error (reported by
    // `invoke check`), not a quietly red name.
    packages: { "[-]": ["color", "noundefined"], "[+]": ["colorv2"] },
    autoload: { color: [], colorv2: ["color"] },
  },
  options: {
    ignoreHtmlClass: "tex2jax_ignore",
    processHtmlClass: "math",
  },
  chtml: { fontURL: document.currentScript.dataset.fonts },
};
