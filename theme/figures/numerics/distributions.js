// Densities, moments and samplers of the distributions figure.
// Plain ES module, no DOM: the browser figure and the Node tests import the same code.

import { randomStreams } from "./random.js";

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBeta(a, b) {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

function gammaLogPdf(x, k, theta) {
  return (k - 1) * Math.log(x) - x / theta - logGamma(k) - k * Math.log(theta);
}

/**
 * Each distribution: its parameter names (as in spec.json), density, mean, variance,
 * a sampler (given the seeded streams) and a plotting window [lo, hi].
 * Means and variances follow SciPy: NaN where undefined, Infinity where infinite.
 */
export const DISTRIBUTIONS = {
  normal: {
    params: ["mu", "sigma"],
    pdf: (x, { mu, sigma }) =>
      Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI)),
    mean: ({ mu }) => mu,
    variance: ({ sigma }) => sigma * sigma,
    sample: (r, { mu, sigma }) => mu + sigma * r.normal(),
    window: ({ mu, sigma }) => [mu - 4 * sigma, mu + 4 * sigma],
  },
  t: {
    params: ["nu"],
    pdf: (x, { nu }) =>
      Math.exp(
        logGamma((nu + 1) / 2) -
          logGamma(nu / 2) -
          0.5 * Math.log(nu * Math.PI) -
          ((nu + 1) / 2) * Math.log1p((x * x) / nu),
      ),
    mean: ({ nu }) => (nu > 1 ? 0 : NaN),
    variance: ({ nu }) => (nu > 2 ? nu / (nu - 2) : nu > 1 ? Infinity : NaN),
    sample: (r, { nu }) => r.normal() / Math.sqrt((2 * r.gamma(nu / 2)) / nu),
    window: ({ nu }) => {
      const w = nu > 2 ? 4 * Math.sqrt(nu / (nu - 2)) : 8;
      return [-w, w];
    },
  },
  chi2: {
    params: ["k"],
    pdf: (x, { k }) => (x <= 0 ? 0 : Math.exp(gammaLogPdf(x, k / 2, 2))),
    mean: ({ k }) => k,
    variance: ({ k }) => 2 * k,
    sample: (r, { k }) => 2 * r.gamma(k / 2),
    window: ({ k }) => [0, k + 5 * Math.sqrt(2 * k)],
  },
  exponential: {
    params: ["rate"],
    pdf: (x, { rate }) => (x < 0 ? 0 : rate * Math.exp(-rate * x)),
    mean: ({ rate }) => 1 / rate,
    variance: ({ rate }) => 1 / (rate * rate),
    sample: (r, { rate }) => -Math.log(1 - r.u()) / rate,
    window: ({ rate }) => [0, 7 / rate],
  },
  uniform: {
    params: ["a", "b"],
    pdf: (x, { a, b }) => (x < a || x > b ? 0 : 1 / (b - a)),
    mean: ({ a, b }) => (a + b) / 2,
    variance: ({ a, b }) => (b - a) ** 2 / 12,
    sample: (r, { a, b }) => a + (b - a) * r.u(),
    window: ({ a, b }) => [a - 0.1 * (b - a), b + 0.1 * (b - a)],
  },
  beta: {
    params: ["alpha", "beta"],
    pdf: (x, { alpha, beta }) =>
      x <= 0 || x >= 1
        ? 0
        : Math.exp((alpha - 1) * Math.log(x) + (beta - 1) * Math.log1p(-x) - logBeta(alpha, beta)),
    mean: ({ alpha, beta }) => alpha / (alpha + beta),
    variance: ({ alpha, beta }) => (alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)),
    sample: (r, { alpha, beta }) => {
      const x = r.gamma(alpha);
      return x / (x + r.gamma(beta));
    },
    window: () => [0, 1],
  },
  gamma: {
    params: ["shape", "scale"],
    pdf: (x, { shape, scale }) => (x <= 0 ? 0 : Math.exp(gammaLogPdf(x, shape, scale))),
    mean: ({ shape, scale }) => shape * scale,
    variance: ({ shape, scale }) => shape * scale * scale,
    sample: (r, { shape, scale }) => scale * r.gamma(shape),
    window: ({ shape, scale }) => [0, scale * (shape + 6 * Math.sqrt(shape) + 2)],
  },
};

function lookup(name) {
  const d = DISTRIBUTIONS[name];
  if (!d) throw new Error(`unknown distribution ${name}`);
  return d;
}

export function pdf(name, x, params) {
  return lookup(name).pdf(x, params);
}

export function moments(name, params) {
  const d = lookup(name);
  return { mean: d.mean(params), variance: d.variance(params) };
}

export function sample(name, params, count, seed) {
  const d = lookup(name);
  const r = randomStreams(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = d.sample(r, params);
  return out;
}

export function plotWindow(name, params) {
  return lookup(name).window(params);
}

/** Sample mean and unbiased (ddof = 1) variance. */
export function sampleMoments(xs) {
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, variance: n > 1 ? ss / (n - 1) : NaN };
}

/**
 * Histogram on `bins` equal bins over [lo, hi], as a density over all samples
 * (count / (N * width)); samples outside the window are counted in N only.
 * Returns { edges, density }.
 */
export function histogram(xs, lo, hi, bins) {
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  for (const x of xs) {
    if (x < lo || x > hi) continue;
    const i = Math.min(bins - 1, Math.floor((x - lo) / width));
    counts[i] += 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const density = Array.from(counts, (c) => c / (xs.length * width));
  return { edges, density };
}
