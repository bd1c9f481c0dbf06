"""The figures' numerics (plain ES modules run in Node) against NumPy/SciPy references."""

from __future__ import annotations

import os

# One BLAS thread: on a busy 2-core machine (CI) a threaded eigvalsh is 30x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from tests import nodejs


def js(module: str, *calls):
    return nodejs.js(f"theme/figures/numerics/{module}.js", *calls)


# name, JS parameters, the same distribution in SciPy
CASES = [
    ("normal", {"mu": 1.5, "sigma": 2.0}, stats.norm(loc=1.5, scale=2.0)),
    ("t", {"nu": 3.5}, stats.t(df=3.5)),
    ("t", {"nu": 1.5}, stats.t(df=1.5)),
    ("chi2", {"k": 3}, stats.chi2(df=3)),
    ("exponential", {"rate": 2.5}, stats.expon(scale=1 / 2.5)),
    ("uniform", {"a": -1.0, "b": 2.0}, stats.uniform(loc=-1.0, scale=3.0)),
    ("beta", {"alpha": 2.0, "beta": 5.0}, stats.beta(2.0, 5.0)),
    ("beta", {"alpha": 0.5, "beta": 0.7}, stats.beta(0.5, 0.7)),
    ("gamma", {"shape": 2.5, "scale": 1.5}, stats.gamma(2.5, scale=1.5)),
    ("gamma", {"shape": 0.4, "scale": 2.0}, stats.gamma(0.4, scale=2.0)),
]
IDS = [f"{name}-{'-'.join(map(str, p.values()))}" for name, p, _ in CASES]


@pytest.mark.parametrize(("name", "params", "ref"), CASES, ids=IDS)
def test_density_and_moments_match_scipy(name, params, ref):
    lo, hi = js("distributions", ("plotWindow", name, params))[0]
    xs = np.linspace(lo, hi, 57)[1:-1]
    *dens, moments = js(
        "distributions", *[("pdf", name, float(x), params) for x in xs], ("moments", name, params)
    )
    np.testing.assert_allclose(dens, ref.pdf(xs), rtol=1e-10, atol=1e-14)
    mean, var = ref.stats(moments="mv")
    if name == "t" and params["nu"] <= 1:
        mean = np.nan
    np.testing.assert_allclose(
        [moments["mean"], moments["variance"]], [mean, var], rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize(("name", "params", "ref"), CASES, ids=IDS)
def test_sampler_follows_the_distribution(name, params, ref):
    """A Kolmogorov-Smirnov test of 20,000 seeded samples against SciPy's CDF."""
    samples = np.array(js("distributions", ("sample", name, params, 20000, 7))[0])
    assert stats.kstest(samples, ref.cdf).pvalue > 1e-3
    sample_moments = js("distributions", ("sampleMoments", samples.tolist()))[0]
    assert sample_moments["mean"] == pytest.approx(samples.mean(), rel=1e-12)
    assert sample_moments["variance"] == pytest.approx(samples.var(ddof=1), rel=1e-10)


def test_samplers_are_seeded():
    a, b, c = js(
        "distributions",
        ("sample", "gamma", {"shape": 2, "scale": 1}, 50, 3),
        ("sample", "gamma", {"shape": 2, "scale": 1}, 50, 3),
        ("sample", "gamma", {"shape": 2, "scale": 1}, 50, 4),
    )
    assert a == b
    assert a != c


def test_histogram_matches_numpy():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=3000)
    result = js("distributions", ("histogram", xs.tolist(), -2.0, 2.5, 30))[0]
    counts, edges = np.histogram(xs, bins=30, range=(-2.0, 2.5))
    np.testing.assert_allclose(result["edges"], edges, rtol=1e-12)
    np.testing.assert_allclose(result["density"], counts / (len(xs) * np.diff(edges)), rtol=1e-12)


@pytest.mark.parametrize(("n", "m"), [(7, 4), (4, 7), (60, 60), (200, 150), (90, 200)])
def test_singular_values_match_numpy(n, m):
    w = js("matrices", ("gaussianMatrix", n, m, 11))[0]
    sv = js("matrices", ("singularValues", w, n, m))[0]
    w = np.array(w).reshape(n, m)
    np.testing.assert_allclose(sv, np.linalg.svd(w, compute_uv=False), rtol=1e-9, atol=1e-9)
    eig = js("matrices", ("gramEigenvalues", sv, n, m))[0]
    np.testing.assert_allclose(eig, np.sort(np.linalg.eigvalsh(w.T @ w / n)), atol=1e-9)


def test_gaussian_matrix_entries_are_standard_normal():
    w = np.array(js("matrices", ("gaussianMatrix", 200, 200, 5))[0])
    assert stats.kstest(w, stats.norm.cdf).pvalue > 1e-3


def test_largest_singular_value_is_near_sqrt_n_plus_sqrt_m():
    n, m = 200, 120
    edge, w = js("matrices", ("edge", n, m), ("gaussianMatrix", n, m, 2))
    assert edge == pytest.approx(np.sqrt(n) + np.sqrt(m), rel=1e-15)
    top = np.linalg.svd(np.array(w).reshape(n, m), compute_uv=False)[0]
    assert abs(top - edge) / edge < 0.05


@pytest.mark.parametrize("ratio", [0.25, 0.5, 1.0, 2.0])
def test_marchenko_pastur_density(ratio):
    """Mass min(1, 1/y), mean 1 and second moment 1 + y (variance-1 MP law)."""
    (a, b), *_ = js("matrices", ("mpSupport", ratio))
    assert (a, b) == pytest.approx(((1 - np.sqrt(ratio)) ** 2, (1 + np.sqrt(ratio)) ** 2))
    # x = a + (b - a)(1 - cos θ)/2 smooths the square-root edges (and 1/√x at 0 when y = 1).
    theta = np.linspace(0, np.pi, 801)
    xs = a + (b - a) * (1 - np.cos(theta)) / 2
    dens = np.array(js("matrices", *[("mpDensity", float(x), ratio) for x in xs]))
    weight = dens * (b - a) * np.sin(theta) / 2
    assert integrate.trapezoid(weight, theta) == pytest.approx(min(1.0, 1.0 / ratio), rel=2e-3)
    assert integrate.trapezoid(xs * weight, theta) == pytest.approx(1.0, rel=2e-3)
    assert integrate.trapezoid(xs**2 * weight, theta) == pytest.approx(1.0 + ratio, rel=2e-3)


def test_marchenko_pastur_matches_numpy_eigenvalues():
    """The CDF of the MP density against eigenvalues of a large NumPy WᵀW/n."""
    n, m = 1200, 600
    rng = np.random.default_rng(1)
    w = rng.standard_normal((n, m))
    eig = np.linalg.eigvalsh(w.T @ w / n)
    a, b = (1 - np.sqrt(m / n)) ** 2, (1 + np.sqrt(m / n)) ** 2
    xs = np.linspace(a, b, 401)
    dens = np.array(js("matrices", *[("mpDensity", float(x), m / n) for x in xs]))
    cdf = integrate.cumulative_trapezoid(dens, xs, initial=0)
    empirical = np.searchsorted(np.sort(eig), xs) / m
    assert np.max(np.abs(cdf - empirical)) < 0.01


def numpy_reference(fn, grad, name, lr, steps, start):
    """The optimizers written out in NumPy, as the papers state them."""
    x = np.array(start, dtype=float)
    v = np.zeros(2)
    s = np.zeros(2)
    path = [x.copy()]
    for t in range(1, steps + 1):
        if name == "gd":
            x = x - lr * grad(x)
        elif name == "momentum":
            v = 0.9 * v - lr * grad(x)
            x = x + v
        elif name == "nesterov":
            v = 0.9 * v - lr * grad(x + 0.9 * v)
            x = x + v
        elif name == "adagrad":
            g = grad(x)
            s = s + g * g
            x = x - lr * g / (np.sqrt(s) + 1e-8)
        elif name == "rmsprop":
            g = grad(x)
            s = 0.9 * s + 0.1 * g * g
            x = x - lr * g / (np.sqrt(s) + 1e-8)
        elif name == "adam":
            g = grad(x)
            v = 0.9 * v + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            x = x - lr * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        elif name == "lion":
            g = grad(x)
            x = x - lr * np.sign(0.9 * v + 0.1 * g)
            v = 0.99 * v + 0.01 * g
        path.append(x.copy())
    return np.array(path), np.array([fn(p) for p in path])


def beale(p):
    x, y = p
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def rastrigin(p):
    return 20 + np.sum(p**2 - 10 * np.cos(2 * np.pi * p))


REFERENCE_FUNCTIONS = {
    "bowl": (lambda p: 0.1 * p[0] ** 2 + 2 * p[1] ** 2, lambda p: np.array([0.2, 4.0]) * p),
    "rosenbrock": (optimize.rosen, optimize.rosen_der),
    "beale": (beale, lambda p: optimize.approx_fprime(p, beale, 1e-7)),
    "rastrigin": (rastrigin, lambda p: 2 * p + 20 * np.pi * np.sin(2 * np.pi * p)),
}
OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lion"]


@pytest.mark.parametrize("fn", sorted(REFERENCE_FUNCTIONS))
def test_function_values_and_gradients(fn):
    f, grad = REFERENCE_FUNCTIONS[fn]
    rng = np.random.default_rng(3)
    points = rng.uniform(-2, 2, size=(12, 2))
    got = js("optimizers", *[("value", fn, *p) for p in points.tolist()])
    grads = js("optimizers", *[("gradient", fn, *p) for p in points.tolist()])
    np.testing.assert_allclose(got, [f(p) for p in points], rtol=1e-12)
    tol = 1e-4 if fn == "beale" else 1e-10
    np.testing.assert_allclose(grads, [grad(p) for p in points], rtol=tol, atol=tol)


@pytest.mark.parametrize("fn", ["bowl", "rosenbrock", "rastrigin"])
def test_optimizer_trajectories_match_numpy(fn):
    f, grad = REFERENCE_FUNCTIONS[fn]
    start, lr = [-1.2, 1.0], {"bowl": 0.1, "rosenbrock": 5e-4, "rastrigin": 2e-3}[fn]
    runs = js("optimizers", *[("run", fn, name, lr, 60, start) for name in OPTIMIZERS])
    for name, got in zip(OPTIMIZERS, runs, strict=True):
        path, loss = numpy_reference(f, grad, name, lr, 60, start)
        assert not got["diverged"], name
        np.testing.assert_allclose(got["path"], path, rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(got["loss"], loss, rtol=1e-9, atol=1e-12, err_msg=name)


def test_divergent_run_stops_and_says_so():
    got = js("optimizers", ("run", "bowl", "gd", 2.0, 500, None))[0]
    assert got["diverged"]
    assert len(got["path"]) < 500
    assert all(np.isfinite(got["loss"]))
