// Reading aids on posts and notes (kexue-notes theme):
// - an \eqref (any link to an equation) shows the equation it names in a popover on hover
//   or keyboard focus, without leaving the place; Escape hides it.  On a touch screen the
//   first tap on the link shows it (with a link to the equation), a second tap follows;  The popover holds a
//   copy of whatever element carries the equation's id (MathJax's output typeset in the
//   browser or at build time alike);
// - an inline formula wider than its line scrolls inside its own box;
// - a deep link to an equation (#eq-3, #eq:label) lands with the whole display in view
//   once the math is typeset.
(function () {
  "use strict";

  var DISPLAY = '.math.display, mjx-container[display="true"]';

  function byHash(hash) {
    if (!hash || hash.charAt(0) !== "#" || hash.length < 2) return null;
    var id = hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    return document.getElementById(id);
  }

  // The display an equation link points at, or null for any other link.
  function displayOf(link) {
    var target = byHash(link.getAttribute("href"));
    if (!target) return null;
    var display = target.matches(DISPLAY) ? target : target.closest(DISPLAY);
    if (!display) return null;
    var outer = display.closest(".math.display") || display;
    return outer.contains(link) ? null : outer;
  }

  // ---------- the equation popover ----------
  var popover = null;
  var owner = null;
  var hideTimer = 0;

  function ensurePopover() {
    if (popover) return popover;
    popover = document.createElement("div");
    popover.className = "eq-popover tex2jax_ignore";
    popover.id = "eq-popover";
    popover.setAttribute("role", "tooltip");
    popover.hidden = true;
    popover.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    popover.addEventListener("mouseleave", function () { scheduleHide(); });
    document.body.appendChild(popover);
    return popover;
  }

  function copyOf(display) {
    var clone = display.cloneNode(true);
    var drop = clone.querySelectorAll(".copy-tex, details, script");
    Array.prototype.forEach.call(drop, function (el) { el.remove(); });
    // ids stay unique in the page; the copy is not a link target
    [clone].concat(Array.prototype.slice.call(clone.querySelectorAll("[id]"))).forEach(function (el) {
      el.removeAttribute("id");
    });
    Array.prototype.forEach.call(clone.querySelectorAll("a[href], [tabindex]"), function (el) {
      el.setAttribute("tabindex", "-1");
    });
    clone.classList.add("eq-popover-math");
    return clone;
  }

  function place(link) {
    var r = link.getBoundingClientRect();
    var margin = 8;
    popover.style.left = "0px";
    popover.style.top = "0px";
    var w = popover.offsetWidth;
    var h = popover.offsetHeight;
    var left = Math.min(Math.max(margin, r.left), window.innerWidth - w - margin);
    var below = r.bottom + 6;
    var top = below + h + margin > window.innerHeight && r.top - h - 6 > margin ? r.top - h - 6 : below;
    popover.style.left = Math.max(margin, left) + window.scrollX + "px";
    popover.style.top = top + window.scrollY + "px";
  }

  // The way to the equation itself, for a reader who tapped the link to see it.
  function goLink(link) {
    var go = document.createElement("a");
    go.className = "eq-popover-go";
    go.href = link.getAttribute("href");
    go.tabIndex = -1;
    go.textContent = "跳到" + (link.textContent.trim() || "公式") + " →";
    go.addEventListener("click", hide);
    return go;
  }

  function show(link) {
    var display = displayOf(link);
    if (!display) return;
    clearTimeout(hideTimer);
    ensurePopover();
    if (owner !== link) {
      popover.replaceChildren(copyOf(display), goLink(link));
      if (owner) owner.removeAttribute("aria-describedby");
      owner = link;
    }
    link.setAttribute("aria-describedby", popover.id);
    popover.hidden = false;
    place(link);
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!popover || popover.hidden) return;
    popover.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 200);
  }

  function linkOf(node) {
    var a = node && node.closest ? node.closest("a[href^='#']") : null;
    if (a && popover && popover.contains(a)) return null; // the popover's own link
    return a && displayOf(a) ? a : null;
  }

  // Touch and pen: no hover; the first tap previews, a second tap on the link follows it.
  // While a tap is under way, its emulated mouse and focus events are left to the click.
  var tapping = false;
  document.addEventListener("pointerdown", function (ev) {
    tapping = ev.pointerType !== "mouse";
  }, true);
  document.addEventListener("pointercancel", function () { tapping = false; }, true);
  document.addEventListener("click", function (ev) {
    if (!tapping) return;
    tapping = false;
    var a = linkOf(ev.target);
    if (a) {
      if (owner === a && !popover.hidden) return hide();
      ev.preventDefault();
      show(a);
    } else if (popover && !popover.hidden && !popover.contains(ev.target)) {
      hide();
    }
  });
  document.addEventListener("mouseover", function (ev) {
    if (tapping) return;
    var a = linkOf(ev.target);
    if (a) show(a);
  });
  document.addEventListener("mouseout", function (ev) {
    var a = linkOf(ev.target);
    if (a && !a.contains(ev.relatedTarget)) scheduleHide();
  });
  document.addEventListener("focusin", function (ev) {
    if (tapping) return;
    var a = linkOf(ev.target);
    if (a) show(a);
    else if (!(popover && popover.contains(ev.target))) hide();
  });
  document.addEventListener("focusout", function (ev) {
    if (linkOf(ev.target)) scheduleHide();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && popover && !popover.hidden) hide();
  });
  window.addEventListener("scroll", function () {
    if (owner && popover && !popover.hidden) place(owner);
  }, { passive: true });

  // ---------- wide inline formulas ----------
  // All reads first, then all writes: one layout for the formulas measured together.
  function fit(formulas) {
    formulas.forEach(function (el) { el.classList.remove("math-wide"); });
    var wide = formulas.filter(function (el) {
      var block = el.parentElement;
      return block && el.getBoundingClientRect().width > block.clientWidth + 1;
    });
    wide.forEach(function (el) { el.classList.add("math-wide"); });
  }

  function fitInline(root) {
    fit(Array.prototype.slice.call((root || document).querySelectorAll(".math.inline")));
  }

  // A block of a long post far from the screen is not laid out (main.css,
  // content-visibility): measuring its formulas would lay it out, and measuring them all
  // at once would lay out the whole post.  So a block's formulas are fitted when it comes
  // within a screen of the viewport; formulas outside such blocks at once.
  var BLOCK = ":is(.post-body, .deriv-appendix) > *";
  var nearby = null;

  function fitAll() {
    var formulas = Array.prototype.slice.call(document.querySelectorAll(".math.inline"));
    if (!("IntersectionObserver" in window)) return fit(formulas);
    if (nearby) nearby.disconnect();
    var byBlock = new Map();
    var now = [];
    formulas.forEach(function (el) {
      var block = el.closest(BLOCK);
      if (!block) return now.push(el);
      if (!byBlock.has(block)) byBlock.set(block, []);
      byBlock.get(block).push(el);
    });
    fit(now);
    nearby = new IntersectionObserver(function (entries) {
      var due = [];
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        nearby.unobserve(entry.target);
        due = due.concat(byBlock.get(entry.target));
      });
      fit(due);
    }, { rootMargin: "100% 0px" });
    byBlock.forEach(function (_, block) { nearby.observe(block); });
  }

  // ---------- deep links to equations ----------
  function landOnEquation() {
    var target = byHash(location.hash);
    if (!target || target.closest("details.deriv-note")) return;
    var display = target.matches(DISPLAY) ? target : target.closest(DISPLAY);
    if (display) (display.closest(".math.display") || display).scrollIntoView({ block: "start" });
  }

  function whenMathReady(callback) {
    function go() {
      var mj = window.MathJax;
      if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(callback);
      else callback();
    }
    if (document.readyState === "complete") go();
    else window.addEventListener("load", go, { once: true });
  }

  whenMathReady(function () {
    document.documentElement.classList.add("math-ready");
    fitAll();
    landOnEquation();
  });
  var resizeTimer = 0;
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) return; // a phone's toolbar, not a new line length
    lastWidth = window.innerWidth;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fitAll, 150);
  });
  window.addEventListener("hashchange", landOnEquation);
  // A formula in a closed panel has no size until the panel opens: fit it then.
  document.addEventListener("toggle", function (ev) {
    if (ev.target.open && document.documentElement.classList.contains("math-ready")) {
      fitInline(ev.target);
    }
  }, true);
})();
