// Seeded random numbers: a uniform generator and the samplers built on it.
// Plain ES module, no DOM: imported by the figures in the browser and by the tests in Node.

/** mulberry32: a small 32-bit generator; returns a function giving floats in [0, 1). */
export function uniformRng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sampler (Marsaglia's polar method) drawing from `u`. */
export function normalSampler(u) {
  let spare = null;
  return function normal() {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let x, y, r;
    do {
      x = 2 * u() - 1;
      y = 2 * u() - 1;
      r = x * x + y * y;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = y * f;
    return x * f;
  };
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 by the U^(1/shape) boost. */
export function gammaVariate(shape, u, normal) {
  if (shape < 1) {
    return gammaVariate(shape + 1, u, normal) * Math.pow(1 - u(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = 1 - u();
    if (w < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Uniform, normal and gamma samplers sharing one seeded stream. */
export function randomStreams(seed) {
  const u = uniformRng(seed);
  const normal = normalSampler(u);
  return { u, normal, gamma: (shape) => gammaVariate(shape, u, normal) };
}
