(function () {
  var root = document.documentElement, pref = null;
  try { pref = localStorage.getItem("kexue-theme"); } catch (e) {}
  if (pref !== "light" && pref !== "dark") pref = "system";
  var dark = pref === "dark" || (pref === "system" && window.matchMedia &&
    matchMedia("(prefers-color-scheme: dark)").matches);
  root.setAttribute("data-theme", dark ? "dark" : "light");
  root.setAttribute("data-theme-pref", pref);
  root.style.colorScheme = dark ? "dark" : "light";
})();
