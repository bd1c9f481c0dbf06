// A "copy TeX" button on each display formula, copying the formula exactly as the
// author wrote it: data-tex on a formula typeset at build time (kexue.math.prerender), else
// the text kexue.math.extension put into the element, read here if MathJax has not yet
// replaced it (this deferred script runs after MathJax's, which typesets later unless it
// needs nothing more), else the source MathJax kept.
// Keyboard: the buttons are one tab stop (a roving tabindex): the button of the display
// in view; the arrow keys (and Home, End) move between the displays' buttons.
(function () {
  "use strict";

  function sourceOf(el) {
    if (el.hasAttribute("data-tex")) return el.getAttribute("data-tex");
    if (!el.querySelector("mjx-container")) return el.textContent;
    // Already typeset (the script ran late): ask MathJax for the formula it read.
    var items = (window.MathJax && MathJax.startup && MathJax.startup.document) ?
      Array.from(MathJax.startup.document.math) : [];
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item.typesetRoot && el.contains(item.typesetRoot)) {
        return item.start.delim + item.math + item.end.delim;
      }
    }
    return null;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function addButton(el) {
    if (el.querySelector(":scope > .copy-tex")) return;
    var tex = sourceOf(el);
    if (tex === null) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-tex tex2jax_ignore";
    button.textContent = "复制 TeX";
    button.title = "复制这个公式的 TeX 源码";
    button.addEventListener("click", function () {
      copy(tex).then(
        function () { button.textContent = "已复制"; },
        function () { button.textContent = "复制失败"; }
      ).then(function () {
        setTimeout(function () { button.textContent = "复制 TeX"; }, 2000);
      });
    });
    button.kexueTex = tex;
    button.tabIndex = -1;
    button.setAttribute("aria-keyshortcuts", "ArrowUp ArrowDown Home End");
    el.appendChild(button);
    return button;
  }

  var buttons = [];
  document.querySelectorAll(".math.display").forEach(function (el) {
    var button = addButton(el);
    if (button) buttons.push(button);
  });
  if (!buttons.length) return;

  // ---------- one tab stop for every button ----------
  var current = buttons[0];
  function rove(button) {
    if (button === current) return;
    current.tabIndex = -1;
    button.tabIndex = 0;
    current = button;
  }
  current.tabIndex = 0;

  document.addEventListener("keydown", function (ev) {
    var i = buttons.indexOf(ev.target);
    if (i < 0 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1,
      Home: 0, End: buttons.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    var button = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    rove(button);
    button.focus();
  });
  document.addEventListener("focusin", function (ev) {
    if (buttons.indexOf(ev.target) >= 0) rove(ev.target);
  });

  // The stop follows the reading: the first display in view holds it (not while a
  // button has the focus).
  if ("IntersectionObserver" in window) {
    var inView = new Set();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) inView.add(entry.target);
        else inView.delete(entry.target);
      });
      if (buttons.indexOf(document.activeElement) >= 0) return;
      for (var i = 0; i < buttons.length; i++) {
        if (inView.has(buttons[i].parentElement)) return rove(buttons[i]);
      }
    });
    buttons.forEach(function (button) { observer.observe(button.parentElement); });
  }
})();
