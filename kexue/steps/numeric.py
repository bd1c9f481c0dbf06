"""Parse both sides of a step and compare them numerically at random points.

A side is rewritten by :mod:`kexue.steps.read`, parsed by SymPy's ``parse_latex`` (ANTLR
backend, ``strict=True``), and evaluated here by walking the parsed tree in order (so a
product of matrices keeps its order): scalars as complex numbers, vectors and matrices as
NumPy arrays of the shapes the note declares (3 by default, one size for all, so that
products conform), the note's own functions (f, g, φ…) as fixed random smooth functions,
derivatives by central differences, definite integrals by Gauss–Legendre, sums and
products with integer bounds term by term.

Scalars are sampled in (0.3, 1.7) unless a condition of the step says otherwise (a range
like ``0<x<1`` or ``x<0``), which keeps square roots and logs on their real branch.
"""

from __future__ import annotations

import cmath
import functools
import math
import random
import re
from dataclasses import dataclass, field

import antlr4
import numpy as np
import sympy
from antlr4.atn.PredictionMode import PredictionMode
from sympy.core.function import AppliedUndef
from sympy.parsing.latex import _parse_latex_antlr as sympy_antlr
from sympy.parsing.latex.errors import LaTeXParsingError

from kexue.steps.read import NoteContext, Reading, UnreadableError, read_side

__all__ = ["Outcome", "check_step"]

POINTS = 5  # points tried per step
NEEDED = 3  # finite points needed for a verdict
DEFAULT_RANGE = (0.3, 1.7)
DEFAULT_DIM = 3
_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)


class NotModelledError(Exception):
    """Raised while evaluating: a reason the step is not checked (shapes, an operator…)."""


class BadPointError(Exception):
    """The point is outside a side's domain (a pole, overflow): try another."""


@dataclass
class Outcome:
    verdict: str  # verified | failed | unchecked
    reason: str = ""
    counterexample: dict = field(default_factory=dict)
    parsed: bool = False
    lhs_parsed: str = ""
    rhs_parsed: str = ""
    defines: list = field(default_factory=list)  # [symbol key, its definition's TeX]


@functools.lru_cache(maxsize=50_000)
def _parse(tex: str):
    """SymPy's ANTLR LaTeX parser, strict (the whole input must be read).  The parser is
    driven here rather than through ``parse_latex`` to try ANTLR's fast SLL prediction
    first (about 20x faster on these formulas) and fall back to full LL only when SLL
    fails, the standard two-stage use of ANTLR; the grammar and the conversion to SymPy
    are SymPy's own."""
    try:
        return _antlr(tex, sll=True)
    except Exception:  # SLL may fail where LL succeeds
        pass
    try:
        return _antlr(tex, sll=False)
    except Exception as e:  # it raises many kinds
        raise UnreadableError("parse error") from e


def _antlr(tex: str, sll: bool):
    listener = sympy_antlr.MathErrorListener(tex)
    lexer = sympy_antlr.LaTeXLexer(antlr4.InputStream(tex))
    lexer.removeErrorListeners()
    lexer.addErrorListener(listener)
    parser = sympy_antlr.LaTeXParser(antlr4.CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    if sll:
        parser._interp.predictionMode = PredictionMode.SLL  # noqa: SLF001 (ANTLR's own way)
    relation = parser.math().relation()
    if relation.start.start != 0 or relation.stop.stop != len(tex) - 1:
        raise LaTeXParsingError("input not read to its end")
    return sympy_antlr.convert_relation(relation)


def parse_side(tex: str, ctx: NoteContext):
    """(Reading, SymPy expression) of one side; UnreadableError when it cannot be read."""
    reading = read_side(tex, ctx)
    expr = _parse(reading.tex.strip())
    _check_names(expr, reading)
    return reading, expr


def _check_names(expr, reading: Reading) -> None:
    """Every symbol and function of the parse must be one the rewrite named: anything else
    is the parser reading TeX it does not know (a silent misreading)."""
    for s in expr.free_symbols:
        if s.name not in reading.symbols:
            raise UnreadableError("parse error: misread")
    for f in expr.atoms(AppliedUndef):
        if f.func.__name__ not in reading.functions:
            raise UnreadableError("parse error: misread")
    if expr.has(_sym("E")) or _bad_atoms(expr):
        raise UnreadableError("parse error: misread")


def _sym(name):
    return sympy.Symbol(name)


def _bad_atoms(expr) -> bool:
    return any(isinstance(a, (sympy.Limit, sympy.Order)) for a in sympy.preorder_traversal(expr))


# --- values ---------------------------------------------------------------------------


class Point:
    """One random point: symbol values drawn from a seed by key, so both sides agree."""

    def __init__(self, seed: str, ranges: dict[str, tuple[float, float]], definitions=None):
        self.seed = seed
        self.ranges = ranges
        self.definitions = definitions or {}  # key -> (Reading, expr): the note's y = …
        self.resolving: set[str] = set()
        self.cache: dict[str, object] = {}
        self.shown: dict[str, str] = {}

    def _rng(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}|{key}")

    def dim(self, name: str) -> int:
        if name.isdigit():
            n = int(name)
            if n > 16:
                raise NotModelledError("dimension too large")
            return n
        key = "dim:" + name
        if key not in self.cache:
            self.cache[key] = self._rng(key).randint(2, 4)
        return self.cache[key]

    def value(self, key: str, kind: str, shape, integer: bool):
        if key in self.cache:
            return self.cache[key]
        if key in self.definitions and key not in self.resolving and len(self.resolving) < 4:
            self.resolving.add(key)
            try:
                reading, expr = self.definitions[key]
                v = _norm1(Evaluator(reading, self).ev(expr))
            finally:
                self.resolving.discard(key)
            self.cache[key] = v
            return v
        rng = self._rng(key)
        if kind == "scalar" or kind == "index":
            if integer:
                v = complex(rng.randint(1, 4))
            else:
                lo, hi = self.ranges.get(key, DEFAULT_RANGE)
                v = complex(rng.uniform(lo, hi))
            self.shown[key] = _fmt(v)
        else:
            if shape:
                rows, cols = self.dim(shape[0]), self.dim(shape[1])
            elif kind == "vector":
                rows, cols = DEFAULT_DIM, 1
            else:
                rows, cols = DEFAULT_DIM, DEFAULT_DIM
            gen = np.random.default_rng(rng.getrandbits(32))
            v = gen.normal(size=(rows, cols))
            self.shown[key] = f"random {rows}×{cols}"
        self.cache[key] = v
        return v


def _fmt(v) -> str:
    if isinstance(v, np.ndarray):
        return f"{v.shape[0]}×{v.shape[1]} array"
    v = complex(v)
    if abs(v.imag) < 1e-12:
        return f"{v.real:.6g}"
    return f"{v.real:.6g}{v.imag:+.6g}i"


# --- evaluation -----------------------------------------------------------------------


def _scalar(v):
    if isinstance(v, np.ndarray):
        if v.shape == (1, 1):
            return complex(v[0, 0])
        raise NotModelledError("vector or matrix where a number is needed")
    return v


def _norm1(v):
    """1×1 arrays are numbers."""
    if isinstance(v, np.ndarray) and v.shape == (1, 1):
        return complex(v[0, 0])
    return v


def _add(a, b):
    a, b = _norm1(a), _norm1(b)
    if isinstance(a, np.ndarray) != isinstance(b, np.ndarray):
        m, c = (a, b) if isinstance(a, np.ndarray) else (b, a)
        if m.shape[0] == m.shape[1]:  # A + λ (the identity, I, written as a number)
            return m + c * np.eye(m.shape[0])
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            raise NotModelledError("vector or matrix shapes")
    return a + b


def _mul(a, b):
    a, b = _norm1(a), _norm1(b)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.shape[1] == b.shape[0]:
            return _norm1(a @ b)
        if a.shape == b.shape and a.shape[1] == 1:
            return complex((a * b).sum())  # x·y of two column vectors
        raise NotModelledError("vector or matrix shapes")
    return a * b


def _pow(base, exp):
    exp = _scalar(exp)
    if isinstance(base, np.ndarray):
        if base.shape[0] != base.shape[1] or base.shape[0] == 1:
            raise NotModelledError("power of a vector")
        if abs(exp.imag) > 0 or exp.real != int(exp.real):
            raise NotModelledError("matrix power")
        return np.linalg.matrix_power(base, int(exp.real))
    try:
        if base == 0 and exp.real < 0:
            raise BadPointError
        if exp.imag == 0 and exp.real == int(exp.real) and abs(exp.real) < 64:
            return base ** int(exp.real)
        return base**exp
    except (OverflowError, ZeroDivisionError) as e:
        raise BadPointError from e


def _smooth(meaning: str, x: complex, order: int) -> complex:
    """The note's own function ``meaning`` (f, g, φ…): a fixed smooth random function."""
    r = random.Random(meaning)
    a, b, c, d = (r.uniform(0.5, 1.5) for _ in range(4))

    def f(t):
        return a * cmath.sin(b * t + c) + d * t

    return _diff(f, x, order)


def _diff(f, x: complex, order: int, h: float = 1e-4):
    if order == 0:
        return f(x)
    return (_diff(f, x + h, order - 1, h) - _diff(f, x - h, order - 1, h)) / (2 * h)


def _sigmoid(t):
    return 1 / (1 + cmath.exp(-t))


_SCALAR_FUNCS = {
    "exp": cmath.exp,
    "sin": cmath.sin,
    "cos": cmath.cos,
    "tan": cmath.tan,
    "sinh": cmath.sinh,
    "cosh": cmath.cosh,
    "tanh": cmath.tanh,
    "asin": cmath.asin,
    "acos": cmath.acos,
    "atan": cmath.atan,
    "sec": lambda t: 1 / cmath.cos(t),
    "csc": lambda t: 1 / cmath.sin(t),
    "cot": lambda t: 1 / cmath.tan(t),
    "sigmoid": _sigmoid,
    "real": lambda t: complex(t.real),
    "imag": lambda t: complex(t.imag),
    "softplus": lambda t: cmath.log(1 + cmath.exp(t)),
    "erf": lambda t: complex(math.erf(t.real)) if t.imag == 0 else _raise_bad(),
}


def _raise_bad():
    raise NotModelledError("complex argument")


class Evaluator:
    def __init__(self, reading: Reading, point: Point):
        self.reading = reading
        self.point = point
        self.env: dict[str, object] = {}  # bound variables (sum index, integration variable)

    def symbol(self, name: str):
        if name in self.env:
            return self.env[name]
        sym = self.reading.symbols[name]
        if sym.kind == "const":
            return {"e": complex(math.e), "pi": complex(math.pi), "i": 1j, "I": 1 + 0j}[sym.key]
        key = sym.key
        if sym.sub:
            key = self._subscript_key(sym)
        return self.point.value(key, sym.kind, sym.shape, name in self.reading.integers)

    def _subscript_key(self, sym) -> str:
        """x_{i} inside a sum over i = 1..n is x_{1}, x_{2}, …"""
        bound = {
            self.reading.symbols[n].base: v
            for n, v in self.env.items()
            if n in self.reading.symbols and self.reading.symbols[n].kind == "index"
        }
        if not bound:
            return sym.key
        sub = "".join(
            str(int(bound[t.lstrip("\\")].real)) if t.lstrip("\\") in bound else t for t in sym.sub
        )
        return sym.key.split("_{")[0] + "_{" + sub + "}"

    def ev(self, e):
        """The value of a parsed node: a complex number or a NumPy array."""
        if e.is_Number:
            return complex(e)
        constant = _CONSTANTS.get(e)
        if constant is not None:
            return constant
        if e.is_Symbol:
            return self.symbol(e.name)
        for kind, method in _NODES:
            if isinstance(e, kind):
                return method(self, e)
        return self._function(e)

    def _fold(self, e, op):
        out = self.ev(e.args[0])
        for a in e.args[1:]:
            out = op(out, self.ev(a))
        return out

    def _power(self, e):
        base = self.ev(e.args[0])
        if isinstance(base, np.ndarray) and e.args[1] == -1:
            return self._inverse(base)
        return _pow(base, self.ev(e.args[1]))

    def _inverse(self, m):
        if m.shape[0] != m.shape[1]:
            raise NotModelledError("inverse of a non-square matrix")
        if m.shape == (1, 1):
            return 1 / complex(m[0, 0])
        return np.linalg.inv(m)

    def _function(self, e):
        name = type(e).__name__
        if name.startswith("Kf"):
            meaning = self.reading.functions[name]
            return self._named(meaning, [self.ev(a) for a in e.args])
        args = [_scalar(self.ev(a)) for a in e.args]
        for kind, fn in _SYMPY_FUNCS:
            if isinstance(e, kind):
                return fn(*args)
        fn = _SCALAR_FUNCS.get(name)
        if fn is not None and len(args) == 1:
            return fn(args[0])
        raise NotModelledError(f"function {name}")

    def _named(self, meaning: str, args):
        """A function the rewrite named: the note's own (fn:…), the sigmoid, or one of
        _VECTOR_FUNCS / _SCALAR_FUNCS."""
        order = len(meaning) - len(meaning.rstrip("'"))
        if meaning.startswith("fn:"):
            return _note_function(meaning[3:].rstrip("'"), order, args)
        if meaning.startswith("sigmoid"):
            return _diff(_sigmoid, _scalar(args[0]), order)
        if meaning.startswith("norm"):
            return self._norm(meaning[4:], args[0])
        fn = _VECTOR_FUNCS.get(meaning)
        if fn is not None:
            return fn(*args)
        fn = _SCALAR_FUNCS.get(meaning)
        if fn is not None:
            return fn(_scalar(args[0]))
        raise NotModelledError(f"function {meaning}")

    def _norm(self, kind: str, a):
        if not isinstance(a, np.ndarray):
            return complex(abs(a))
        if a.shape[1] == 1 or a.shape[0] == 1:
            ord_ = {"two": 2, "one": 1, "inf": np.inf, "fro": 2}[kind]
            return complex(np.linalg.norm(a.ravel(), ord_))
        if kind == "fro":
            return complex(np.linalg.norm(a, "fro"))
        raise NotModelledError("matrix norm of an unstated kind")

    def _bound(self, e) -> int:
        v = _scalar(self.ev(e))
        if v.imag != 0 or abs(v.real - round(v.real)) > 1e-9:
            raise NotModelledError("sum with non-integer bounds")
        return int(round(v.real))

    def _big(self, e, is_sum: bool):
        """A sum or product term by term; its first limit is the innermost."""
        return self._over(e.args[0], list(e.args[1:]), is_sum)

    def _over(self, body, limits: list, is_sum: bool):
        if not limits:
            return self.ev(body)
        var, lo, hi = limits[-1]
        if lo.has(_sym("oo")) or hi.is_infinite or lo.is_infinite:
            raise NotModelledError("infinite sum")
        a, b = self._bound(lo), self._bound(hi)
        if b - a > 60:
            raise NotModelledError("sum too long")
        out = None
        saved = self.env.get(var.name)
        try:
            for k in range(a, b + 1):
                self.env[var.name] = complex(k)
                term = self._over(body, limits[:-1], is_sum)
                if out is None:
                    out = term
                else:
                    out = _add(out, term) if is_sum else _mul(out, term)
        finally:
            self._restore(var.name, saved)
        if out is None:
            return 0j if is_sum else 1 + 0j
        return out

    def _restore(self, name, saved) -> None:
        if saved is None:
            self.env.pop(name, None)
        else:
            self.env[name] = saved

    def _derivative(self, e):
        body = e.args[0]
        x = e.args[1:]
        if len(x) != 1:
            raise NotModelledError("mixed derivative")
        var, order = x[0]
        if var.name not in self.reading.symbols or not body.has(var):
            raise NotModelledError("derivative of an implicit function")
        sym = self.reading.symbols[var.name]
        if sym.kind != "scalar":
            raise NotModelledError("derivative by a vector")
        x0 = _scalar(self.symbol(var.name))
        saved = self.env.get(var.name)

        def f(t):
            self.env[var.name] = t
            return _scalar(self.ev(body))

        try:
            return _diff(f, x0, int(order), 1e-3 if int(order) > 1 else 1e-4)
        finally:
            self._restore(var.name, saved)

    def _integral(self, e):
        body = e.args[0]
        limits = e.args[1:]
        if len(limits) != 1 or len(limits[0]) != 3:
            raise NotModelledError("indefinite or multiple integral")
        var, lo, hi = limits[0]
        if lo.is_infinite or hi.is_infinite or lo.has(_sym("oo")):
            raise NotModelledError("improper integral")
        a, b = _scalar(self.ev(lo)), _scalar(self.ev(hi))
        saved = self.env.get(var.name)
        mid, half = (a + b) / 2, (b - a) / 2
        total = 0j
        try:
            for x, w in zip(_GL_X, _GL_W, strict=True):
                self.env[var.name] = mid + half * x
                total += w * _scalar(self.ev(body))
        finally:
            self._restore(var.name, saved)
        return half * total


def _log(x, base=None):
    if x == 0:
        raise BadPointError
    out = cmath.log(x)
    return out / cmath.log(base) if base is not None else out


def _real_only(fn):
    def call(*xs):
        if any(x.imag != 0 for x in xs):
            raise NotModelledError("complex argument")
        return complex(fn(*(x.real for x in xs)))

    return call


_SYMPY_FUNCS = [
    (sympy.log, _log),
    (sympy.Abs, lambda x: complex(abs(x))),
    (sympy.factorial, _real_only(lambda x: math.gamma(x + 1))),
    (
        sympy.binomial,
        _real_only(lambda n, k: math.gamma(n + 1) / (math.gamma(k + 1) * math.gamma(n - k + 1))),
    ),
    (sympy.floor, _real_only(math.floor)),
    (sympy.ceiling, _real_only(math.ceil)),
]


def _note_function(base: str, order: int, args):
    if len(args) == 1:
        return _smooth(base, _scalar(args[0]), order)
    if order:
        raise NotModelledError("derivative of a function of several variables")
    return sum(_smooth(f"{base}#{k}", _scalar(x), 0) for k, x in enumerate(args))


def _transpose(a):
    return a.T if isinstance(a, np.ndarray) else a


def _trace(a):
    if not isinstance(a, np.ndarray) or a.shape[0] != a.shape[1]:
        raise NotModelledError("trace of a non-square matrix")
    return complex(np.trace(a))


def _inner(a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape:
        return complex((a * b).sum())
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return a * b
    raise NotModelledError("vector or matrix shapes")


_VECTOR_FUNCS = {
    "transpose": _transpose,
    "trace": _trace,
    "inner": _inner,
    "relu": lambda a: _real_only(lambda x: max(x, 0.0))(_scalar(a)),
    "sign": lambda a: _real_only(lambda x: float(np.sign(x)))(_scalar(a)),
}
_CONSTANTS = {sympy.pi: complex(math.pi), sympy.E: complex(math.e), sympy.I: 1j}
_NODES = [
    (sympy.Add, lambda self, e: self._fold(e, _add)),
    (sympy.Mul, lambda self, e: self._fold(e, _mul)),
    (sympy.Pow, lambda self, e: self._power(e)),
    (sympy.Sum, lambda self, e: self._big(e, True)),
    (sympy.Product, lambda self, e: self._big(e, False)),
    (sympy.Derivative, lambda self, e: self._derivative(e)),
    (sympy.Integral, lambda self, e: self._integral(e)),
]


# --- a step ---------------------------------------------------------------------------


def _values(reading: Reading, expr, point: Point):
    with np.errstate(all="raise"):
        try:
            v = Evaluator(reading, point).ev(expr)
        except (FloatingPointError, ZeroDivisionError, OverflowError, ValueError) as e:
            raise BadPointError from e
        except np.linalg.LinAlgError as e:
            raise BadPointError from e
    v = _norm1(v)
    if isinstance(v, np.ndarray):
        if not np.all(np.isfinite(v)):
            raise BadPointError
    elif not cmath.isfinite(v):
        raise BadPointError
    return v


def _close(a, b, tol: float) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            raise NotModelledError("vector or matrix shapes")
        scale = max(1.0, float(np.abs(a).max()), float(np.abs(b).max()))
        return float(np.abs(a - b).max()) <= tol * scale
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def _tolerance(lhs: Reading, rhs: Reading, exprs) -> float:
    tol = 1e-7
    if any(e.has(sympy.Derivative) for e in exprs):
        tol = 1e-4
    numeric = not exprs[0].free_symbols and not exprs[1].free_symbols
    for reading, expr in ((lhs, exprs[0]), (rhs, exprs[1])):
        digits = reading.rounded  # 0.693 for log 2
        if expr.is_Float and reading.decimals >= 2:  # a bare 0.0078 for 0.5^7
            digits = reading.decimals
        if digits and not expr.free_symbols:
            tol = max(tol, 0.6 * 10.0 ** (1 - digits))
    for expr, other in ((exprs[0], rhs), (exprs[1], lhs)):
        if numeric and expr.is_Integer and other.decimals and expr != 0:  # 512 × 0.8 = 410
            tol = max(tol, 0.5 / abs(int(expr)))
    return tol


def _one_sided(lhs: Reading, rhs: Reading) -> bool:
    """A symbol on one side only (not a constant, not a bound index): the step may rest
    on a definition or an earlier equation of the note."""

    def keys(r: Reading):
        bound = {s.base for s in r.symbols.values() if s.kind == "index"}
        return {
            s.key.split("_{")[0] if s.sub and set(s.sub) & bound else s.key
            for s in r.symbols.values()
            if s.kind not in ("const", "index")
        }

    def functions(r: Reading):
        return {m for m in r.functions.values() if m.startswith("fn:")}

    return keys(lhs) != keys(rhs) or functions(lhs) != functions(rhs)


def _lone(reading: Reading, expr, other: Reading) -> bool:
    """A side that is one symbol or one call of the note's function, absent from the other
    side: a definition (y = …, f(x) = …), not a step."""
    if expr.is_Symbol:
        if (
            reading.symbols[expr.name].kind == "const"
            and expr.name
            and (reading.symbols[expr.name].key != "i")
        ):
            return False  # e = 2.718 is a step; i = 1 sets an index
        key = reading.symbols[expr.name].key
        return all(s.key != key for s in other.symbols.values())
    if isinstance(expr, AppliedUndef):
        meaning = reading.functions.get(type(expr).__name__, "")
        return meaning.startswith("fn:") and meaning not in other.functions.values()
    return False


def check_step(
    lhs_tex: str,
    rhs_tex: str,
    ctx: NoteContext,
    ranges: dict[str, tuple[float, float]],
    definitions: dict[str, str] | None = None,
) -> Outcome:
    """The verdict on ``lhs = rhs`` under the note's reading.  ``definitions`` (symbol key
    -> TeX) are the note's earlier ``y = …``: a step with a symbol on one side only is
    verified when it agrees once those are substituted (never failed by them)."""
    try:
        lhs, le = parse_side(lhs_tex, ctx)
        rhs, re_ = parse_side(rhs_tex, ctx)
    except UnreadableError as e:
        return Outcome("unchecked", str(e))
    out = Outcome("unchecked", parsed=True, lhs_parsed=str(le), rhs_parsed=str(re_))
    if _definition(out, (lhs, le, lhs_tex), (rhs, re_, rhs_tex)):
        return out
    ranges = _ranges_by_key(ranges, lhs, rhs)
    tol = _tolerance(lhs, rhs, (le, re_))
    seed = lhs_tex + "=" + rhs_tex
    try:
        agree, disagree = _compare(lhs, le, rhs, re_, seed, ranges, tol, {})
        out = _decide(out, agree, disagree, lhs, rhs)
        if out.reason.startswith("a symbol on one side") and definitions:
            defs = _parsed_definitions(definitions, ctx)
            agree, disagree = _compare(lhs, le, rhs, re_, seed, ranges, tol, defs)
            if len(agree) >= NEEDED and not disagree:
                out.verdict, out.reason = "verified", "with the note's definitions"
    except (NotModelledError, UnreadableError) as e:
        out.reason = str(e)
    except (TypeError, AttributeError, KeyError, IndexError, RecursionError) as e:
        out.reason = f"not modelled ({type(e).__name__})"
    if out.verdict == "failed":
        doubt = _doubt(lhs, le, rhs, re_, ctx)
        if doubt:
            out.verdict, out.reason, out.counterexample = "unchecked", doubt, {}
    return out


def _doubt(lhs: Reading, le, rhs: Reading, re_, ctx: NoteContext) -> str:
    """Why a disagreement may be the checker's misreading rather than the note's error:
    then the step is left unchecked (precision first)."""
    if lhs.juxtaposed or rhs.juxtaposed:
        return "a symbol before a parenthesis (product or call?)"
    if ctx.modular and all(_integer_arithmetic(e) for e in (le, re_)):
        return "modular arithmetic in the note (= may mean ≡)"
    return _doubt_in_form(lhs, le, rhs, re_) or _doubt_in_context(lhs, rhs, ctx)


def _integer_arithmetic(expr) -> bool:
    """Integers with + × ^ only (what 3^{16} = 43 (mod 97) looks like)."""
    return not expr.free_symbols and all(
        isinstance(n, (sympy.Integer, sympy.Add, sympy.Mul, sympy.Pow))
        for n in sympy.preorder_traversal(expr)
    )


def _doubt_in_form(lhs: Reading, le, rhs: Reading, re_) -> str:
    arities: dict[str, set[int]] = {}
    for expr in (le, re_):
        for f in expr.atoms(AppliedUndef):
            arities.setdefault(type(f).__name__, set()).add(len(f.args))
    if any(len(n) > 1 for n in arities.values()):
        return "a function used with different numbers of arguments"
    calls: dict[str, set] = {}
    for expr in (le, re_):
        for f in expr.atoms(AppliedUndef):
            if reading_function(lhs, rhs, type(f).__name__).startswith("fn:"):
                calls.setdefault(type(f).__name__, set()).add(f.args)
    if any(len(args) > 1 for args in calls.values()):
        return "the note's function at different arguments (a property such as Φ(-x) = 1-Φ(x)?)"
    if bool(lhs.decimals) != bool(rhs.decimals) and le.free_symbols and re_.free_symbols:
        return "numbers on one side only (values substituted from the context?)"
    if _open_sums(lhs, le) != _open_sums(rhs, re_):
        return "a sum over indexed quantities (a constraint such as Σp_i = 1?)"
    return ""


def reading_function(lhs: Reading, rhs: Reading, name: str) -> str:
    return lhs.functions.get(name) or rhs.functions.get(name) or ""


def _open_sums(reading: Reading, expr) -> set[str]:
    """The sums and products with a symbolic bound, written with symbol keys (a side's
    opaque names differ from the other's): when both sides hold the same ones, a
    constraint on them (Σp_i = 1) cannot explain a disagreement as easily."""
    names = {sympy.Symbol(n): sympy.Symbol(s.key) for n, s in reading.symbols.items()}
    return {
        str(node.xreplace(names))
        for node in sympy.preorder_traversal(expr)
        if isinstance(node, (sympy.Sum, sympy.Product))
        and any(not lim[2].is_number for lim in node.args[1:])
    }


def _doubt_in_context(lhs: Reading, rhs: Reading, ctx: NoteContext) -> str:
    keys = {s.key for r in (lhs, rhs) for s in r.symbols.values()}
    if ctx.constants and keys & {"C", "C^'", "c", "C_{1}", "C_{2}", "K"}:
        return "an arbitrary constant (C may be renamed between steps)"
    kinds = {s.kind for r in (lhs, rhs) for s in r.symbols.values()}
    if kinds & {"vector", "matrix"} and ctx.orthogonal:
        return "vectors or matrices the note may take orthonormal"
    return ""


def _definition(out: Outcome, left, right) -> bool:
    """A side that is a lone symbol absent from the other: a definition (recorded, for the
    steps after it, when the symbol is a number)."""
    for (a, ae, _), (b, _, btex) in ((left, right), (right, left)):
        if _lone(a, ae, b):
            out.reason = "definition"
            if ae.is_Symbol and a.symbols[ae.name].kind == "scalar":
                out.defines = [a.symbols[ae.name].key, btex]
            return True
    return False


def _parsed_definitions(definitions: dict[str, str], ctx: NoteContext) -> dict:
    out = {}
    for key, tex in definitions.items():
        try:
            out[key] = parse_side(tex, ctx)
        except UnreadableError:
            continue
    return out


def _compare(lhs, le, rhs, re_, seed, ranges, tol, defs):
    agree, disagree = [], []
    for k in range(POINTS + 3):
        if len(agree) + len(disagree) >= POINTS:
            break
        point = Point(f"{seed}#{k}", ranges, defs)
        try:
            a = _values(lhs, le, point)
            b = _values(rhs, re_, point)
        except BadPointError:
            continue
        (agree if _close(a, b, tol) else disagree).append((point, a, b))
    return agree, disagree


def _decide(out: Outcome, agree, disagree, lhs: Reading, rhs: Reading) -> Outcome:
    if len(agree) + len(disagree) < NEEDED:
        out.reason = "not finite at the sampled points"
    elif not disagree:
        out.verdict = "verified"
    elif agree:
        out.reason = "agrees at some points only (a condition?)"
    elif _one_sided(lhs, rhs):
        out.reason = "a symbol on one side only (defined elsewhere?)"
    else:
        point, a, b = disagree[0]
        out.verdict = "failed"
        out.counterexample = {**point.shown, "lhs": _fmt_value(a), "rhs": _fmt_value(b)}
    return out


def _fmt_value(v) -> str:
    if isinstance(v, np.ndarray):
        return np.array2string(np.real_if_close(v), precision=4, separator=", ")
    return _fmt(v)


def _ranges_by_key(ranges, lhs: Reading, rhs: Reading):
    """Conditions name symbols as written (``x``, ``\\alpha``); points draw by key."""
    if not ranges:
        return {}
    out = {}
    for reading in (lhs, rhs):
        for s in reading.symbols.values():
            name = re.sub(r"^bold:", "", s.key)
            if name in ranges:
                out[s.key] = ranges[name]
    return out
