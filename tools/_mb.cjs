const fs = require('fs');
const which = process.argv[2];
const lines = fs.readFileSync('/tmp/reqs_sub.jsonl','utf8').split('\n').slice(1).filter(Boolean);
const fs_ = []; for (const l of lines) for (const f of JSON.parse(l).formulas) fs_.push(f);
(async () => {
  let MJ;
  if (which === '3') MJ = require('mathjax');
  else MJ = (await import('@mathjax/src')).default;
  await MJ.init({loader: {load: ['input/tex', 'output/chtml']}, tex: {tags: 'ams', packages: {'[-]': ['noundefined']}}, startup: {typeset: false}});
  const MathJax = globalThis.MathJax;
  const ad = MathJax.startup.adaptor;
  const t0 = Date.now(); let bytes = 0, err = 0;
  for (const f of fs_) {
    try { const n = MathJax.tex2chtml(f.tex, {display: f.display}); bytes += ad.outerHTML(n).length; }
    catch (e) { err++; try { MathJax.startup.getComponents(); } catch (e2) {} }
  }
  console.log(which, fs_.length, 'formulas', Date.now() - t0, 'ms', bytes, 'bytes', err, 'errors');
})();
