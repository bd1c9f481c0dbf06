// Figure "optimizers": trajectories of GD, Momentum, Nesterov, AdaGrad, RMSProp, Adam and
// Lion over the contours of a test function (d3-contour), and their loss curves.

import { contours } from "d3-contour";
import SPEC from "./spec.json" with { type: "json" };
import { chart, createFigure, fmt, table } from "./common.js";
import { FUNCTIONS, grid, run } from "./numerics/optimizers.js";

const NAMES = SPEC.optimizers.params.show.choices;
const LEVELS = 18;

function mix(a, b, t) {
  const pa = a.match(/\w\w/g).map((h) => parseInt(h, 16));
  const pb = b.match(/\w\w/g).map((h) => parseInt(h, 16));
  return `rgb(${pa.map((v, i) => Math.round(v + (pb[i] - v) * t)).join(",")})`;
}

function rampColor(ramp, t) {
  const s = Math.min(0.9999, Math.max(0, t)) * (ramp.length - 1);
  const i = Math.floor(s);
  return mix(ramp[i], ramp[i + 1], s - i);
}

function contourPlot(area, fn, runs, colors, width) {
  const F = FUNCTIONS[fn];
  const [[x0, x1], [y0, y1]] = F.domain;
  const height = Math.round(Math.min(420, width * 0.75));
  const canvas = document.createElement("canvas");
  canvas.className = "kx-figure-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${fn} 函数的等高线与各优化器的轨迹`);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  area.append(canvas);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, height);
  const nx = 150;
  const ny = Math.round((nx * height) / width);
  const values = Array.from(grid(fn, nx, ny), (v) => Math.log1p(v));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const thresholds = Array.from({ length: LEVELS }, (_, i) => lo + ((hi - lo) * i) / LEVELS);
  const sx = (gx) => (gx / nx) * width;
  const sy = (gy) => height - (gy / ny) * height;
  for (const level of contours().size([nx, ny]).thresholds(thresholds)(values)) {
    const t = (level.value - lo) / (hi - lo);
    ctx.beginPath();
    for (const polygon of level.coordinates) {
      for (const ring of polygon) {
        ring.forEach(([gx, gy], i) => (i ? ctx.lineTo(sx(gx), sy(gy)) : ctx.moveTo(sx(gx), sy(gy))));
        ctx.closePath();
      }
    }
    ctx.fillStyle = rampColor(colors.ramp, t);
    ctx.fill("evenodd");
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 0.5;
    ctx.stroke();
  }
  const px = (x) => ((x - x0) / (x1 - x0)) * width;
  const py = (y) => height - ((y - y0) / (y1 - y0)) * height;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, width, height);
  ctx.clip();
  for (const { color, path } of runs) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    path.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
    ctx.stroke();
    const [ex, ey] = path[path.length - 1];
    ctx.beginPath();
    ctx.arc(px(ex), py(ey), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  const [sx0, sy0] = F.start;
  ctx.fillStyle = colors.fg;
  ctx.beginPath();
  ctx.arc(px(sx0), py(sy0), 4, 0, 2 * Math.PI);
  ctx.fill();
  const [mx, my] = F.minimum;
  ctx.strokeStyle = colors.fg;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(px(mx) - 6, py(my) - 6);
  ctx.lineTo(px(mx) + 6, py(my) + 6);
  ctx.moveTo(px(mx) + 6, py(my) - 6);
  ctx.lineTo(px(mx) - 6, py(my) + 6);
  ctx.stroke();
  ctx.restore();
  ctx.fillStyle = colors.fg;
  ctx.font = "12px sans-serif";
  ctx.fillText(`x ∈ [${x0}, ${x1}]，y ∈ [${y0}, ${y1}]；● 起点  ✕ 最小值`, 8, 16);
}

function draw(area, values, colors, width) {
  const fn = values.function;
  const steps = Math.round(values.steps);
  const keys = Object.keys(NAMES);
  const runs = values.show.map((name) => ({
    name,
    color: colors.series[keys.indexOf(name)],
    ...run(fn, name, values.lr, steps),
  }));
  contourPlot(area, fn, runs, colors, width);
  const x = Array.from({ length: steps + 1 }, (_, i) => i);
  const cleanup = chart(area, {
    title: "损失曲线（对数纵轴）",
    width,
    height: Math.round(Math.min(280, width * 0.45)),
    colors,
    x: { label: "步数", scale: { range: [0, steps] } },
    y: { label: "f(x, y)", scale: { distr: 3 } },
    series: runs.map((r) => ({
      label: NAMES[r.name],
      stroke: r.color,
      width: 2,
      points: { show: false },
    })),
    data: [x, ...runs.map((r) => x.map((i) => (i < r.loss.length ? Math.max(r.loss[i], 1e-12) : null)))],
  });
  table(
    area,
    ["优化器", "最终损失", "终点 (x, y)"],
    runs.map((r) => [
      `<span style="color:${r.color}">■</span> ${NAMES[r.name]}`,
      r.diverged ? `发散（第 ${r.loss.length} 步）` : fmt(r.loss[r.loss.length - 1]),
      r.path[r.path.length - 1].map(fmt).join(", "),
    ]),
  );
  return cleanup;
}

export function mount(el) {
  createFigure(el, "optimizers", draw);
}
