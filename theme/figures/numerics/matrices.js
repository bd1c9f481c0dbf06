// Random-matrix numerics of the matrices figure: Gaussian matrices, their singular values
// (Householder tridiagonalisation + implicit QL on the Gram matrix), the Marchenko-Pastur
// law. Plain ES module, no DOM: the browser figure and the Node tests import the same code.

import { randomStreams } from "./random.js";

/** An n×m matrix of independent N(0, 1) entries, row-major. */
export function gaussianMatrix(n, m, seed) {
  const { normal } = randomStreams(seed);
  const w = new Float64Array(n * m);
  for (let i = 0; i < w.length; i++) w[i] = normal();
  return w;
}

/** The Gram matrix of the smaller side: WᵀW (m×m) if m ≤ n, else WWᵀ (n×n). */
export function smallGram(w, n, m) {
  const k = Math.min(n, m);
  const g = new Float64Array(k * k);
  const at = m <= n ? (r, c) => w[r * m + c] : (r, c) => w[c * m + r];
  const len = Math.max(n, m);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let r = 0; r < len; r++) s += at(r, i) * at(r, j);
      g[i * k + j] = s;
      g[j * k + i] = s;
    }
  }
  return g;
}

/** Eigenvalues (ascending) of a symmetric k×k matrix given row-major; `a` is not changed. */
export function symmetricEigenvalues(input, k) {
  const a = Float64Array.from(input);
  const d = new Float64Array(k);
  const e = new Float64Array(k);
  const w = new Float64Array(k);
  const p = new Float64Array(k);
  // Householder: reduce to tridiagonal form, column by column.
  for (let col = 0; col < k - 2; col++) {
    let norm = 0;
    for (let i = col + 1; i < k; i++) norm += a[i * k + col] ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[(col + 1) * k + col];
    if (norm === 0) continue;
    const alpha = x0 > 0 ? -norm : norm;
    let vnorm = 0;
    for (let i = col + 1; i < k; i++) {
      w[i] = a[i * k + col] - (i === col + 1 ? alpha : 0);
      vnorm += w[i] * w[i];
    }
    vnorm = Math.sqrt(vnorm);
    if (vnorm === 0) continue;
    for (let i = col + 1; i < k; i++) w[i] /= vnorm;
    // Trailing block B ← B − w qᵀ − q wᵀ with p = 2Bw, q = p − (wᵀp) w.
    let wp = 0;
    for (let i = col + 1; i < k; i++) {
      let s = 0;
      for (let j = col + 1; j < k; j++) s += a[i * k + j] * w[j];
      p[i] = 2 * s;
      wp += w[i] * p[i];
    }
    for (let i = col + 1; i < k; i++) p[i] -= wp * w[i];
    for (let i = col + 1; i < k; i++) {
      for (let j = col + 1; j < k; j++) a[i * k + j] -= w[i] * p[j] + p[i] * w[j];
    }
    a[(col + 1) * k + col] = alpha;
    a[col * k + col + 1] = alpha;
    for (let i = col + 2; i < k; i++) a[i * k + col] = a[col * k + i] = 0;
  }
  for (let i = 0; i < k; i++) {
    d[i] = a[i * k + i];
    e[i] = i + 1 < k ? a[(i + 1) * k + i] : 0;
  }
  tridiagonalQL(d, e);
  return Array.from(d).sort((x, y) => x - y);
}

/** Implicit QL with Wilkinson shifts on a tridiagonal (d diagonal, e[i] = T[i+1][i]). */
function tridiagonalQL(d, e) {
  const n = d.length;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 100) throw new Error("eigenvalues did not converge");
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
        let s = 1;
        let c = 1;
        let p = 0;
        let i;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

/** Singular values of the n×m matrix w, descending (min(n, m) of them). */
export function singularValues(w, n, m) {
  const k = Math.min(n, m);
  const eig = symmetricEigenvalues(smallGram(w, n, m), k);
  return eig.map((x) => Math.sqrt(Math.max(x, 0))).reverse();
}

/** The eigenvalues of WᵀW/n (m of them, ascending): σᵢ²/n and m − n zeros when m > n. */
export function gramEigenvalues(singular, n, m) {
  const zeros = Array(Math.max(0, m - n)).fill(0);
  return zeros.concat(singular.map((s) => (s * s) / n).reverse());
}

/** √n + √m: the largest singular value of an n×m standard Gaussian matrix, to first order. */
export function edge(n, m) {
  return Math.sqrt(n) + Math.sqrt(m);
}

/** Support [(1 − √y)², (1 + √y)²] of the Marchenko-Pastur law with ratio y = m/n. */
export function mpSupport(ratio) {
  return [(1 - Math.sqrt(ratio)) ** 2, (1 + Math.sqrt(ratio)) ** 2];
}

/**
 * Marchenko-Pastur density (variance 1) of the eigenvalues of WᵀW/n, ratio y = m/n.
 * For y > 1 this is the continuous part (mass 1/y); the rest is an atom at 0.
 */
export function mpDensity(x, ratio) {
  const [a, b] = mpSupport(ratio);
  if (x <= a || x >= b || x <= 0) return 0;
  return Math.sqrt((b - x) * (x - a)) / (2 * Math.PI * ratio * x);
}
