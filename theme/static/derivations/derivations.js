// Derivation notes (kexue-notes): open the panel a link points at, expand every note for
// printing, and the 有推导 filter on lists.  Works without it: panels are <details>.
(function () {
  "use strict";

  function targetOfHash() {
    var id = location.hash.slice(1);
    if (!id) return null;
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    return document.getElementById(id);
  }

  // #deriv-eq-3 (or anything inside a closed note) opens its panel and scrolls to it.
  function openFromHash() {
    var el = targetOfHash();
    if (!el) return;
    var opened = false;
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === "DETAILS" && !d.open) { d.open = true; opened = true; }
    }
    if (el.id === "deriv-only") setFilter(true);
    if (opened || el.classList.contains("deriv-note")) settle(el);
  }

  // Scroll to the panel now, and again when what loads later (images, fonts, MathJax's
  // typesetting) has moved it.
  function settle(el) {
    var go = function () { el.scrollIntoView({ block: "start" }); };
    go();
    if (document.readyState !== "complete") window.addEventListener("load", go, { once: true });
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(go);
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(go);
    else window.addEventListener("load", function () {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(go);
    }, { once: true });
  }

  // Print: every note expanded, then back as it was.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details.deriv-note"), function (d) { return !d.open; });
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
