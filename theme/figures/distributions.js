// Figure "distributions": a histogram of seeded samples over the density, and the
// theoretical against the sample mean and variance.

import { createFigure, fmt, histogramChart, table } from "./common.js";
import { DISTRIBUTIONS, moments, pdf, plotWindow, sample, sampleMoments } from "./numerics/distributions.js";

function draw(area, values, colors, width) {
  const name = values.dist;
  const params = Object.fromEntries(DISTRIBUTIONS[name].params.map((k) => [k, values[k]]));
  if (name === "uniform" && params.a >= params.b) params.b = params.a + 0.1;
  const xs = sample(name, params, values.samples, values.seed);
  const [lo, hi] = plotWindow(name, params);
  const cleanup = histogramChart(area, {
    xs,
    lo,
    hi,
    bins: Math.max(10, Math.min(80, Math.round(Math.sqrt(xs.length)))),
    curve: (x) => pdf(name, x, params),
    labels: [`样本直方图（${xs.length} 个）`, "理论密度"],
    width,
    height: Math.round(Math.min(360, width * 0.6)),
    colors,
    x: { label: "x", scale: { range: [lo, hi] } },
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
