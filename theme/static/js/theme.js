// kexue-notes theme: colour scheme switch, contents highlighting, back to top, print.
// The inline script in <head> already applied the saved choice before the first paint.
(function () {
  "use strict";
  var KEY = "kexue-theme";
  var ORDER = ["system", "light", "dark"];
  var NAMES = { system: "跟随系统", light: "浅色", dark: "深色" };
  var root = document.documentElement;
  var darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function readPref() {
    var pref = null;
    try { pref = localStorage.getItem(KEY); } catch (e) { /* storage blocked: follow OS */ }
    return pref === "light" || pref === "dark" ? pref : "system";
  }

  // No per-element work: the attribute switches the colour tokens (main.css), and nothing
  // is animated (a transition on every element made a long task on long posts).
  function apply(pref) {
    var dark = pref === "dark" || (pref === "system" && darkQuery.matches);
    root.setAttribute("data-theme", dark ? "dark" : "light");
    root.setAttribute("data-theme-pref", pref);
    root.style.colorScheme = dark ? "dark" : "light";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      var next = ORDER[(ORDER.indexOf(pref) + 1) % ORDER.length];
      button.setAttribute("aria-label", "切换配色（当前：" + NAMES[pref] + "，按下改为" + NAMES[next] + "）");
      button.querySelector(".theme-toggle-text").textContent = NAMES[pref];
    });
  }

  function choose(pref) {
    try {
      if (pref === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, pref);
    } catch (e) { /* not remembered, still applied */ }
    apply(pref);
  }

  document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var pref = readPref();
      choose(ORDER[(ORDER.indexOf(pref) + 1) % ORDER.length]);
    });
  });
  // The OS switched: follow it unless the reader chose.
  darkQuery.addEventListener("change", function () { apply(readPref()); });
  // Another tab chose: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY || event.key === null) apply(readPref());
  });
  apply(readPref());

  // Contents: mark the section in view; open the box on wide screens.
  var toc = document.querySelector("[data-toc]");
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-toc-link]"));
  var targets = links.map(function (a) {
    return document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
  });
  var wide = window.matchMedia("(min-width: 1200px)");
  if (toc) {
    wide.addEventListener("change", function () { toc.open = wide.matches; });
  }
  function markCurrent() {
    var current = -1;
    var line = Math.min(window.innerHeight * 0.3, 160);
    for (var i = 0; i < targets.length; i++) {
      if (targets[i] && targets[i].getBoundingClientRect().top <= line) current = i;
    }
    links.forEach(function (a, i) {
      if (i === current) a.setAttribute("aria-current", "location");
      else a.removeAttribute("aria-current");
    });
    // A long contents column scrolls by itself: keep the marked entry in it.
    var column = toc && toc.closest(".toc-column");
    var link = links[current];
    // Measured on screen (the sticky column is the links' offsetParent), in the part of the
    // column the window shows (at the end of a post the column leaves with it).
    if (column && link && column.scrollHeight > column.clientHeight) {
      var box = column.getBoundingClientRect();
      var top = Math.max(box.top, 0);
      var bottom = Math.min(box.bottom, window.innerHeight);
      var at = link.getBoundingClientRect();
      if (at.top < top || at.bottom > bottom) {
        column.scrollTop += at.top - top - (bottom - top) / 3;
      }
    }
  }

  // Back to top: shown after a screenful.
  var backToTop = document.querySelector(".back-to-top");
  function onScroll() {
    if (links.length) markCurrent();
    if (backToTop) backToTop.classList.toggle("is-visible", window.scrollY > window.innerHeight);
  }
  var ticking = false;
  window.addEventListener("scroll", function () {
    if (ticking) return;
    ticking = true;
    window.requestAnimationFrame(function () { ticking = false; onScroll(); });
  }, { passive: true });
  onScroll();
  if (backToTop) {
    backToTop.addEventListener("click", function (event) {
      event.preventDefault();
      window.scrollTo({ top: 0, behavior: reduceMotion.matches ? "auto" : "smooth" });
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    });
  }

  // Copy buttons (the BibTeX): copy the text of the element named by data-copy; where the
  // clipboard is refused, select that text for the reader to copy.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function (text) {
        button.textContent = text;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      var write = navigator.clipboard && window.isSecureContext ?
        navigator.clipboard.writeText(source.textContent) : Promise.reject(new Error("no clipboard"));
      write.then(function () { done("已复制"); }, function () {
        getSelection().selectAllChildren(source);
        done("已选中，请复制");
      });
    });
  });

  // Print: every collapsible (notes, boxes, contents) expanded, restored afterwards.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
