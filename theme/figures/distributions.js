// Figure "distributions": a histogram of seeded samples over the density, and the
// theoretical against the sample mean and variance.

import { chart, createFigure, fmt, table, uPlot } from "./common.js";
import {
  DISTRIBUTIONS,
  histogram,
  moments,
  pdf,
  plotWindow,
  sample,
  sampleMoments,
} from "./numerics/distributions.js";

const GRID = 400;

function draw(area, values, colors, width) {
  const name = values.dist;
  const params = Object.fromEntries(DISTRIBUTIONS[name].params.map((k) => [k, values[k]]));
  if (name === "uniform" && params.a >= params.b) params.b = params.a + 0.1;
  const xs = sample(name, params, values.samples, values.seed);
  const [lo, hi] = plotWindow(name, params);
  const bins = Math.max(10, Math.min(80, Math.round(Math.sqrt(xs.length))));
  const { density } = histogram(xs, lo, hi, bins);
  const grid = Array.from({ length: GRID + 1 }, (_, i) => lo + ((hi - lo) * i) / GRID);
  const width_ = (hi - lo) / bins;
  const hist = grid.map((x) => density[Math.min(bins - 1, Math.floor((x - lo) / width_))]);
  const dens = grid.map((x) => pdf(name, x, params));
  const histMax = Math.max(...density);
  const densMax = Math.max(...dens.filter(Number.isFinite));
  const top = 1.1 * Math.max(histMax, Math.min(densMax, 2 * histMax));
  const cleanup = chart(area, {
    width,
    height: Math.round(Math.min(360, width * 0.6)),
    colors,
    x: { label: "x", scale: { range: [lo, hi] } },
    y: { label: "密度", scale: { range: [0, top] } },
    series: [
      {
        label: `样本直方图（${xs.length} 个）`,
        stroke: colors.accent,
        fill: colors.fill,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
      },
      { label: "理论密度", stroke: colors.curve, width: 2, points: { show: false } },
    ],
    data: [grid, hist, dens.map((d) => (Number.isFinite(d) ? d : null))],
  });
  const theory = moments(name, params);
  const seen = sampleMoments(xs);
  table(
    area,
    ["", "均值", "方差"],
    [
      ["理论", fmt(theory.mean), fmt(theory.variance)],
      ["样本", fmt(seen.mean), fmt(seen.variance)],
    ],
  );
  return cleanup;
}

export function mount(el) {
  createFigure(el, "distributions", draw);
}
