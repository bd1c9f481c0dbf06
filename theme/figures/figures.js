// The figure loader: the only figure script a page loads up front, and only pages with a
// figure placeholder (see theme/templates/partials/figures_body_end.html). Each figure's
// own code is imported when its placeholder comes near the viewport.

const FIGURES = {
  distributions: () => import("./distributions.js"),
  matrices: () => import("./matrices.js"),
  optimizers: () => import("./optimizers.js"),
};

function load(el) {
  const importer = FIGURES[el.dataset.figure];
  if (!importer) {
    console.error(`kexue figures: no figure named ${el.dataset.figure}`);
    return;
  }
  importer()
    .then((module) => module.mount(el))
    .catch((error) => {
      el.classList.add("kx-figure-failed");
      console.error("kexue figures: could not load", el.dataset.figure, error);
    });
}

const placeholders = document.querySelectorAll("figure.kx-figure[data-figure]");
if ("IntersectionObserver" in window) {
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        load(entry.target);
      }
    },
    { rootMargin: "200px 0px" },
  );
  placeholders.forEach((el) => observer.observe(el));
} else {
  placeholders.forEach(load);
}
