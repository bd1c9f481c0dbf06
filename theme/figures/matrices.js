// Figure "matrices": the singular values of an n×m Gaussian matrix W, the largest against
// √n+√m, and the eigenvalue histogram of WᵀW/n under the Marchenko-Pastur density.

import { chart, createFigure, fmt, histogramChart, table } from "./common.js";
import {
  edge,
  gaussianMatrix,
  gramEigenvalues,
  mpDensity,
  mpSupport,
  singularValues,
} from "./numerics/matrices.js";

function draw(area, values, colors, width) {
  const { n, m, seed } = values;
  const w = gaussianMatrix(n, m, seed);
  const sv = singularValues(w, n, m);
  const height = Math.round(Math.min(300, width * 0.5));
  const bound = edge(n, m);
  const index = sv.map((_, i) => i + 1);
  const cleanups = [
    chart(area, {
      title: "奇异值（从大到小）",
      width,
      height,
      colors,
      x: { label: "序号 i", scale: {} },
      y: { label: "σᵢ", scale: { range: [0, 1.1 * Math.max(bound, sv[0])] } },
      series: [
        { label: "σᵢ(W)", stroke: colors.accent, width: 2, points: { show: sv.length <= 60 } },
        { label: "√n+√m", stroke: colors.curve, dash: [6, 4], points: { show: false } },
      ],
      data: [index, sv, index.map(() => bound)],
    }),
  ];
  const ratio = m / n;
  const eig = gramEigenvalues(sv, n, m);
  const [, b] = mpSupport(ratio);
  const hi = 1.1 * Math.max(b, eig[eig.length - 1]);
  cleanups.push(
    histogramChart(area, {
      xs: eig,
      lo: 0,
      hi,
      bins: Math.max(10, Math.min(60, Math.round(2 * Math.sqrt(m)))),
      // The atom at 0 (m > n) or the 1/√λ edge (m = n) is not what sets the y axis.
      skip: m >= n ? 1 : 0,
      curve: (x) => mpDensity(x, ratio),
      labels: [`特征值直方图（${m} 个）`, "Marchenko-Pastur"],
      title: "WᵀW/n 的特征值",
      width,
      height,
      colors,
      x: { label: "λ", scale: { range: [0, hi] } },
    }),
  );
  table(
    area,
    ["最大奇异值 σ₁", "√n+√m", "σ₁ / (√n+√m)", "m/n"],
    [[fmt(sv[0]), fmt(bound), fmt(sv[0] / bound), fmt(ratio)]],
  );
  return () => cleanups.forEach((c) => c());
}

export function mount(el) {
  createFigure(el, "matrices", draw);
}
