// What every figure shares: parameters from spec.json and the placeholder's data-param-*
// attributes, labelled inputs, the light/dark palette and redrawing when it changes,
// redrawing on resize, and a thin uPlot wrapper.

import uPlot from "uplot";
import { histogram } from "./numerics/distributions.js";
import SPEC from "./spec.json" with { type: "json" };

const PALETTES = {
  light: {
    fg: "#1f2328",
    muted: "#57606a",
    grid: "rgba(31, 35, 40, 0.10)",
    bg: "#ffffff",
    accent: "#2698ba",
    fill: "rgba(38, 152, 186, 0.30)",
    curve: "#d1495b",
    ramp: ["#ffffff", "#edf3f8", "#d3e2ee", "#a8c4dc", "#7097bd"],
    series: ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"],
  },
  dark: {
    fg: "#e6e6e6",
    muted: "#a3a3a3",
    grid: "rgba(230, 230, 230, 0.12)",
    bg: "#1c1c1d",
    accent: "#4fc3e6",
    fill: "rgba(79, 195, 230, 0.30)",
    curve: "#ff8a80",
    ramp: ["#1c1c1d", "#202a35", "#28405a", "#345d80", "#4f7fa8"],
    series: ["#6cb6ff", "#ffb86b", "#7ee787", "#ff7b72", "#d2a8ff", "#e0a37a", "#f778ba"],
  },
};

/** "light" or "dark": <html data-theme>, else the reader's system preference. */
export function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function palette() {
  return { name: currentTheme(), ...PALETTES[currentTheme()] };
}

/** Call `callback` whenever the theme may have changed. */
function watchTheme(callback) {
  new MutationObserver(callback).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme"],
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", callback);
}

/** A number for people: NaN as 不存在, ±∞, else four significant digits. */
export function fmt(x) {
  if (Number.isNaN(x)) return "不存在";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  return Number(x.toPrecision(4)).toString();
}

/** A parameter's default; `default_by` makes it depend on another (choice) parameter. */
function defaultOf(p, values) {
  for (const [other, byValue] of Object.entries(p.default_by || {})) {
    if (values[other] in byValue) return byValue[values[other]];
  }
  return p.default;
}

/** The figure's parameter values: spec defaults, overridden by data-param-* attributes. */
function readValues(el, params) {
  const values = {};
  for (const [key, p] of Object.entries(params)) {
    const raw = el.getAttribute(`data-param-${key}`) ?? String(defaultOf(p, values));
    values[key] = p.type === "number" ? Number(raw) : p.type === "set" ? raw.split(",") : raw;
  }
  return values;
}

let uid = 0;

function makeInput(key, p, values, changed) {
  const id = `kx-fig-${++uid}-${key}`;
  const row = document.createElement("div");
  row.className = "kx-figure-control";
  row.dataset.key = key;
  if (p.type === "set") {
    const set = document.createElement("fieldset");
    set.innerHTML = `<legend>${p.label}</legend>`;
    for (const [value, label] of Object.entries(p.choices)) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `${id}-${value}`;
      box.value = value;
      box.checked = values[key].includes(value);
      box.addEventListener("change", () => {
        const boxes = set.querySelectorAll("input:checked");
        changed(key, Array.from(boxes, (b) => b.value));
      });
      const lab = document.createElement("label");
      lab.htmlFor = box.id;
      lab.textContent = label;
      set.append(box, lab);
    }
    row.append(set);
    return row;
  }
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = p.label;
  let input;
  if (p.type === "choice") {
    input = document.createElement("select");
    input.id = id;
    for (const [value, text] of Object.entries(p.choices)) input.add(new Option(text, value));
    input.value = values[key];
    input.addEventListener("change", () => changed(key, input.value));
    row.append(label, input);
    return row;
  }
  // Numbers: a slider (logarithmic when the spec says so) and the value it shows.
  input = document.createElement("input");
  input.type = "range";
  const out = document.createElement("output");
  out.htmlFor = id;
  const toSlider = (v) => (p.log ? Math.log10(v) : v);
  const fromSlider = (s) => (p.log ? Number((10 ** s).toPrecision(2)) : s);
  input.min = toSlider(p.min);
  input.max = toSlider(p.max);
  input.step = p.log ? 0.05 : p.step;
  input.value = toSlider(values[key]);
  out.textContent = values[key];
  input.addEventListener("input", () => {
    const v = fromSlider(Number(input.value));
    out.textContent = v;
    changed(key, v);
  });
  input.id = id;
  row.append(label, input, out);
  row.setValue = (v) => {
    input.value = toSlider(v);
    out.textContent = v;
  };
  return row;
}

/**
 * Turn the placeholder `el` into a live figure named `name`.
 * `draw(area, values, colors, width)` fills `area` (emptied first) and returns a cleanup
 * function or nothing; it runs at mount, when an input changes, when the theme changes and
 * when the width changes. Changing a parameter resets those whose `default_by` names it.
 */
export function createFigure(el, name, draw) {
  const params = SPEC[name].params;
  const values = readValues(el, params);
  const controls = document.createElement("form");
  controls.className = "kx-figure-controls";
  controls.addEventListener("submit", (e) => e.preventDefault());
  const area = document.createElement("div");
  area.className = "kx-figure-area";
  const rows = {};
  const relevant = () => {
    const chosen = new Set(Object.values(values).flat().map(String));
    for (const [key, row] of Object.entries(rows)) {
      row.hidden = Boolean(params[key].for) && !params[key].for.some((v) => chosen.has(v));
    }
  };
  let cleanup = null;
  let frame = 0;
  let lastWidth = 0;
  const redraw = () => {
    frame = 0;
    if (cleanup) cleanup();
    area.replaceChildren();
    lastWidth = area.clientWidth || el.clientWidth || 600;
    cleanup = draw(area, values, palette(), lastWidth) || null;
    el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(redraw);
  };
  const changed = (key, value) => {
    values[key] = value;
    for (const [k, p] of Object.entries(params)) {
      if (!p.default_by || !(key in p.default_by)) continue;
      values[k] = defaultOf(p, values);
      rows[k].setValue(values[k]);
    }
    relevant();
    schedule();
  };
  for (const [key, p] of Object.entries(params)) {
    rows[key] = makeInput(key, p, values, changed);
    controls.append(rows[key]);
  }
  relevant();
  el.querySelector(".kx-figure-fallback")?.remove();
  el.prepend(controls, area);
  el.classList.add("kx-figure-live");
  watchTheme(schedule);
  new ResizeObserver(() => {
    if (Math.abs(area.clientWidth - lastWidth) > 1) schedule();
  }).observe(area);
  redraw();
}

/** A uPlot chart in `parent` with the palette's axes; `series[0]` is x. */
export function chart(parent, { width, height, colors, x, y, series, data, title }) {
  const axis = (label) => ({
    label,
    stroke: colors.fg,
    grid: { stroke: colors.grid },
    ticks: { stroke: colors.grid },
  });
  const box = document.createElement("div");
  box.className = "kx-figure-chart";
  parent.append(box);
  const plot = new uPlot(
    {
      title,
      width,
      height,
      scales: { x: { time: false, ...x.scale }, y: { ...y.scale } },
      axes: [axis(x.label), axis(y.label)],
      series: [{ label: x.label }, ...series],
      cursor: { drag: { x: false, y: false } },
    },
    data,
    box,
  );
  return () => plot.destroy();
}

/**
 * A histogram of `xs` on [lo, hi] (drawn as a filled step line) under a density `curve`.
 * The y axis stops at twice the tallest bin after the first `skip` ones, so an atom or an
 * integrable spike does not flatten the rest.
 */
export function histogramChart(parent, { xs, lo, hi, bins, curve, labels, ...opts }) {
  const { density } = histogram(xs, lo, hi, bins);
  const steps = 400;
  const grid = Array.from({ length: steps + 1 }, (_, i) => lo + ((hi - lo) * i) / steps);
  const width = (hi - lo) / bins;
  const hist = grid.map((x) => density[Math.min(bins - 1, Math.floor((x - lo) / width))]);
  const dens = grid.map((x) => {
    const d = curve(x);
    return Number.isFinite(d) ? d : null;
  });
  const tallest = Math.max(...density, ...dens.filter((d) => d !== null));
  const body = Math.max(...density.slice(opts.skip || 0));
  const { colors } = opts;
  return chart(parent, {
    ...opts,
    y: { label: "密度", scale: { range: [0, 1.1 * Math.min(tallest, 2 * body)] } },
    series: [
      {
        label: labels[0],
        stroke: colors.accent,
        fill: colors.fill,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      },
      { label: labels[1], stroke: colors.curve, width: 2, points: { show: false } },
    ],
    data: [grid, hist, dens],
  });
}

/** A table of rows [label, …cells] with a header row. */
export function table(parent, head, rows) {
  const t = document.createElement("table");
  t.className = "kx-figure-table";
  const tr = (cells, tag) =>
    `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
  t.innerHTML = `<thead>${tr(head, "th")}</thead><tbody>${rows.map((r) => tr(r, "td")).join("")}</tbody>`;
  parent.append(t);
}
