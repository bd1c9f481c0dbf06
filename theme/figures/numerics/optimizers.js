// Test functions and optimizer updates of the optimizers figure.
// Plain ES module, no DOM: the browser figure and the Node tests import the same code.

/**
 * Two-variable test functions: value, gradient, a plotting domain [[x0, x1], [y0, y1]],
 * a start point and the minimum.
 */
export const FUNCTIONS = {
  bowl: {
    f: (x, y) => 0.1 * x * x + 2 * y * y,
    grad: (x, y) => [0.2 * x, 4 * y],
    domain: [
      [-5, 5],
      [-3, 3],
    ],
    start: [-4.5, 2],
    minimum: [0, 0],
  },
  rosenbrock: {
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    domain: [
      [-2, 2],
      [-1, 3],
    ],
    start: [-1.2, 1],
    minimum: [1, 1],
  },
  beale: {
    f: (x, y) =>
      (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const a = 1.5 - x + x * y;
      const b = 2.25 - x + x * y * y;
      const c = 2.625 - x + x * y ** 3;
      return [
        2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
        2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
      ];
    },
    domain: [
      [-4.5, 4.5],
      [-4.5, 4.5],
    ],
    start: [1, 1.5],
    minimum: [3, 0.5],
  },
  rastrigin: {
    f: (x, y) =>
      20 + x * x - 10 * Math.cos(2 * Math.PI * x) + y * y - 10 * Math.cos(2 * Math.PI * y),
    grad: (x, y) => [
      2 * x + 20 * Math.PI * Math.sin(2 * Math.PI * x),
      2 * y + 20 * Math.PI * Math.sin(2 * Math.PI * y),
    ],
    domain: [
      [-5.12, 5.12],
      [-5.12, 5.12],
    ],
    start: [-4.2, 3.8],
    minimum: [0, 0],
  },
};

/** Hyperparameters other than the learning rate (fixed, the usual defaults). */
export const HYPER = { momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, lion: [0.9, 0.99] };

const zeros = () => [0, 0];
const sign = (v) => (v > 0 ? 1 : v < 0 ? -1 : 0);

/**
 * Each optimizer: init() -> state; step(x, state, grad, lr, t) -> new x (t counts from 1).
 * grad(x) -> gradient at the point x (an array of two numbers).
 */
export const OPTIMIZERS = {
  gd: {
    init: () => ({}),
    step: (x, s, grad, lr) => {
      const g = grad(x);
      return x.map((xi, i) => xi - lr * g[i]);
    },
  },
  momentum: {
    init: () => ({ v: zeros() }),
    step: (x, s, grad, lr) => {
      const g = grad(x);
      s.v = s.v.map((vi, i) => HYPER.momentum * vi - lr * g[i]);
      return x.map((xi, i) => xi + s.v[i]);
    },
  },
  nesterov: {
    init: () => ({ v: zeros() }),
    step: (x, s, grad, lr) => {
      const g = grad(x.map((xi, i) => xi + HYPER.momentum * s.v[i]));
      s.v = s.v.map((vi, i) => HYPER.momentum * vi - lr * g[i]);
      return x.map((xi, i) => xi + s.v[i]);
    },
  },
  adagrad: {
    init: () => ({ G: zeros() }),
    step: (x, s, grad, lr) => {
      const g = grad(x);
      s.G = s.G.map((Gi, i) => Gi + g[i] * g[i]);
      return x.map((xi, i) => xi - (lr * g[i]) / (Math.sqrt(s.G[i]) + HYPER.eps));
    },
  },
  rmsprop: {
    init: () => ({ v: zeros() }),
    step: (x, s, grad, lr) => {
      const g = grad(x);
      s.v = s.v.map((vi, i) => HYPER.rho * vi + (1 - HYPER.rho) * g[i] * g[i]);
      return x.map((xi, i) => xi - (lr * g[i]) / (Math.sqrt(s.v[i]) + HYPER.eps));
    },
  },
  adam: {
    init: () => ({ m: zeros(), v: zeros() }),
    step: (x, s, grad, lr, t) => {
      const { beta1, beta2, eps } = HYPER;
      const g = grad(x);
      s.m = s.m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
      s.v = s.v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] * g[i]);
      return x.map((xi, i) => {
        const mh = s.m[i] / (1 - beta1 ** t);
        const vh = s.v[i] / (1 - beta2 ** t);
        return xi - (lr * mh) / (Math.sqrt(vh) + eps);
      });
    },
  },
  lion: {
    init: () => ({ m: zeros() }),
    step: (x, s, grad, lr) => {
      const [b1, b2] = HYPER.lion;
      const g = grad(x);
      const next = x.map((xi, i) => xi - lr * sign(b1 * s.m[i] + (1 - b1) * g[i]));
      s.m = s.m.map((mi, i) => b2 * mi + (1 - b2) * g[i]);
      return next;
    },
  },
};

/**
 * Run `optimizer` on `fn` for `steps` steps from the function's start (or `start`).
 * Returns { path: [[x, y], …], loss: [f, …], diverged }; a run stops early when the
 * point leaves ±1e6 or stops being finite.
 */
export function run(fn, optimizer, lr, steps, start) {
  const F = FUNCTIONS[fn];
  const O = OPTIMIZERS[optimizer];
  if (!F || !O) throw new Error(`unknown function ${fn} or optimizer ${optimizer}`);
  const grad = (p) => F.grad(p[0], p[1]);
  const state = O.init();
  let x = (start || F.start).slice();
  const path = [x];
  const loss = [F.f(x[0], x[1])];
  let diverged = false;
  for (let t = 1; t <= steps; t++) {
    x = O.step(x, state, grad, lr, t);
    const f = F.f(x[0], x[1]);
    if (!Number.isFinite(f) || Math.abs(x[0]) > 1e6 || Math.abs(x[1]) > 1e6) {
      diverged = true;
      break;
    }
    path.push(x);
    loss.push(f);
  }
  return { path, loss, diverged };
}

/** f on an nx×ny grid over the function's domain, row-major from the bottom-left corner. */
export function grid(fn, nx, ny) {
  const F = FUNCTIONS[fn];
  const [[x0, x1], [y0, y1]] = F.domain;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const y = y0 + ((y1 - y0) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) values[j * nx + i] = F.f(x0 + ((x1 - x0) * i) / (nx - 1), y);
  }
  return values;
}

/** f(x, y) of a test function. */
export function value(fn, x, y) {
  return FUNCTIONS[fn].f(x, y);
}

/** ∇f(x, y) of a test function. */
export function gradient(fn, x, y) {
  return FUNCTIONS[fn].grad(x, y);
}
