// Derivation notes (kexue-notes): open the panel or appendix section a link points at and
// land on it, keep the open appendix section in the URL hash, expand every note for
// printing, and the 有推导 filter on lists.  Works without it: panels are <details>.
(function () {
  "use strict";

  function targetOfHash() {
    var id = location.hash.slice(1);
    if (!id) return null;
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    return document.getElementById(id);
  }

  function inNotes(el) {
    return !!(el.closest && el.closest(".deriv-note, .deriv-appendix, .post-notes"));
  }

  // #deriv-eq-3, #derivations or a heading of the appendix (or anything inside a closed
  // panel or section) opens what holds it and lands on it.
  function openFromHash() {
    var el = targetOfHash();
    if (!el) return;
    var opened = false;
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === "DETAILS" && !d.open) { d.open = true; opened = true; }
    }
    if (el.id === "deriv-only") setFilter(true);
    if (opened || inNotes(el)) settle(el);
  }

  // Land on the target, then follow it while the layout above it settles: the blocks of a
  // long post are laid out only near the screen (content-visibility in main.css), so the
  // first jump lands where their guessed sizes put it; each frame the target moved, jump
  // again, until it has stayed put for half a second (or the reader scrolls).
  var following = 0;
  function follow(el) {
    var run = ++following, still = 0, frames = 0, last = null;
    var stop = function () { following++; };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (t) {
      window.addEventListener(t, stop, { once: true, passive: true });
    });
    (function step() {
      if (run !== following || ++frames > 600) return;
      var top = el.getBoundingClientRect().top;
      if (last !== null && Math.abs(top - last) < 1) still++;
      else { el.scrollIntoView({ block: "start" }); still = 0; top = el.getBoundingClientRect().top; }
      last = top;
      if (still < 30) requestAnimationFrame(step);
    })();
  }

  // Scroll to the target now, and again when what loads later (images, fonts, MathJax's
  // typesetting) has moved it.
  function settle(el) {
    var go = function () { follow(el); };
    go();
    if (document.readyState !== "complete") window.addEventListener("load", go, { once: true });
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(go);
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(go);
    else window.addEventListener("load", function () {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(go);
    }, { once: true });
  }

  // An appendix section opened or closed: the URL says which (a copied link opens it).
  document.addEventListener("toggle", function (ev) {
    var part = ev.target;
    if (!part.classList || !part.classList.contains("deriv-part")) return;
    var head = part.querySelector(":scope > summary [id]");
    if (!head) return;
    if (part.open) history.replaceState(null, "", "#" + encodeURIComponent(head.id));
    else {
      var at = targetOfHash();
      if (at && part.contains(at)) history.replaceState(null, "", location.pathname + location.search);
    }
  }, true);

  // A link to the notes on this page (另见文末推导与注释, the contents) lands on them even
  // when the hash does not change.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href^="#"]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey) return;
    var id = a.getAttribute("href").slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    var el = id && document.getElementById(id);
    if (!el || !inNotes(el) || el.id === "deriv-only") return;
    ev.preventDefault();
    if (location.hash !== "#" + id) history.pushState(null, "", "#" + encodeURIComponent(id));
    openFromHash();
  });

  // Print: every note and section expanded, then back as it was.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details.deriv-note, details.deriv-part"), function (d) { return !d.open; });
    closedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });

  // The 有推导 filter: show the list of every post with a note, hide the others.
  function setFilter(on) {
    var toggle = document.querySelector(".deriv-filter-toggle");
    var list = document.getElementById("deriv-only");
    if (!toggle || !list) return;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    list.hidden = !on;
    document.documentElement.classList.toggle("deriv-filter-on", on);
  }
  document.addEventListener("click", function (ev) {
    var toggle = ev.target.closest && ev.target.closest(".deriv-filter-toggle");
    if (!toggle) return;
    ev.preventDefault();
    var on = toggle.getAttribute("aria-pressed") !== "true";
    setFilter(on);
    history.replaceState(null, "", on ? "#deriv-only" : location.pathname + location.search);
  });

  // 全部展开 / 全部收起 (the notice at the top of a post, where the theme has that hook).
  var expandAll = document.querySelector(".deriv-expand-all");
  if (expandAll) {
    expandAll.hidden = false;
    expandAll.addEventListener("click", function () {
      var on = expandAll.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("details.deriv-note").forEach(function (d) { d.open = on; });
      expandAll.setAttribute("aria-pressed", on ? "true" : "false");
      expandAll.textContent = on ? "全部收起" : "全部展开";
    });
  }

  window.addEventListener("hashchange", openFromHash);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openFromHash);
  } else {
    openFromHash();
  }
})();
