"""Read one side of a step: TeX as these notes mean it, rewritten for SymPy's parser.

SymPy's ``parse_latex`` (ANTLR backend, ``strict=True``) reads a small TeX: letters,
``\\frac``, ``\\sqrt``, ``\\sum``, ``\\int``, named functions.  It reads everything else
silently wrong (``\\mathbf{x}`` is the product of a symbol "mathbf" and x).  This module
rewrites a side token by token into that small TeX, so that what reaches the parser means
what the note means:

* every symbol (a letter or Greek letter with its subscript, primes, accents, ``^*``,
  ``^{(t)}``, bold) becomes one opaque name ``\\Ks<code>`` with a :class:`Sym` saying
  what it is: subscripts make distinct symbols, bold/arrowed/``\\boldsymbol``/``\\mathbf``
  ones are vectors (lower case) or matrices (upper case), as are symbols declared
  ``\\in \\mathbb{R}^{n\\times d}`` in the note or transposed anywhere in it;
* ``e``, ``\\pi`` and ``i`` are constants or symbols by context (``i`` is an index when
  it is a subscript or a sum index; a note's ``Conventions:`` header decides otherwise);
* functions become ``\\Kf<code>(…)``: transpose, norms, inner products, trace, sigmoid,
  and the note's own functions (f, g, p, φ, …);
* what cannot be modelled (an expectation, an operator, an ellipsis, a set…) raises
  :class:`UnreadableError` with the reason, which the report counts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

__all__ = ["Conventions", "Reading", "Sym", "UnreadableError", "read_side"]


class UnreadableError(ValueError):
    """A side the checker does not model; ``str()`` is the reason, as the funnel counts it."""


GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma "
    "Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell hbar".split()
)
#: Commands that are only spacing or sizing: dropped.
_DROP = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle quad qquad "
    "displaystyle textstyle scriptstyle limits nolimits , ; ! : > space enspace thinspace "
    "medspace thickspace negthinspace mathstrut strut".split()
)
_BOLD = frozenset("mathbf boldsymbol bm vec overrightarrow mathbfit pmb".split())
_ACCENT = frozenset(
    "hat tilde bar overline dot ddot check breve widehat widetilde underline mathcal mathscr "
    "mathfrak mathsf mathit mathrm mathtt mathring".split()
)
#: Commands the parser reads as they are.
_KEEP = frozenset(
    "frac sqrt sum prod int exp log ln lg sin cos tan sec csc cot arcsin arccos arctan sinh "
    "cosh tanh binom infty cdot times div lfloor rfloor lceil rceil".split()
)
_FRACS = frozenset("dfrac tfrac cfrac".split())
#: Trigonometric functions written without parentheses take one item (\\cos\\theta\\cos\\phi);
#: \\log and \\exp keep the parser's reading (\\log\\frac{1}{n}\\sum_i … is one argument).
_FUNCTIONS_NO_PAREN = frozenset("sin cos tan sec csc cot sinh cosh tanh".split())
#: Command -> the reason a side holding it is not modelled.
_UNMODELLED = {
    **dict.fromkeys("cdots ldots dots vdots ddots dotsb dotsc dotsm".split(), "ellipsis"),
    **dict.fromkeys("nabla partial".split(), "differential operator"),
    **dict.fromkeys("lim limsup liminf".split(), "limit"),
    **dict.fromkeys("max min argmax argmin sup inf arg".split(), "optimisation operator"),
    **dict.fromkeys("odot otimes oplus circ star ast bullet wedge vee".split(), "operator"),
    **dict.fromkeys(
        "in notin subset subseteq cup cap setminus emptyset forall exists".split(),
        "set or condition",
    ),
    **dict.fromkeys("pm mp".split(), "plus-minus"),
    **dict.fromkeys("mid vert".split(), "conditional or bar"),
    **dict.fromkeys("det".split(), "operator"),
    "cancel": "cancelled term",
    "%": "percent",
    "{": "set",
    "}": "set",
    "#": "count",
    "dagger": "pseudo-inverse",
}
_ENV_REASON = {
    "cases": "cases",
    "array": "matrix literal",
    "matrix": "matrix literal",
    "pmatrix": "matrix literal",
    "bmatrix": "matrix literal",
    "vmatrix": "matrix literal",
    "Bmatrix": "matrix literal",
    "smallmatrix": "matrix literal",
}
_EXPECT_RE = re.compile(
    r"\\(?:mathbb|mathrm|operatorname|text|mathcal)\s*\{\s*(?:E|P|Pr|Var|Cov|KL|D|H|I)\s*\}"
    r"|\\(?:Pr|E)\b"
)
#: Named operators (\operatorname{…}, \mathrm{…}, \text{…}) read as functions.
_NAMED = {
    "tr": "trace",
    "Tr": "trace",
    "trace": "trace",
    "softplus": "softplus",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "ReLU": "relu",
    "sgn": "sign",
    "sign": "sign",
    "erf": "erf",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "Re": "real",
    "Im": "imag",
}
_STATISTICS = frozenset("E P Pr Var Cov KL D H I MI Corr Std std var cov".split())
#: Letters read as functions when a parenthesis follows (f(x)); others multiply (a(b+c)).
FUNCTION_LETTERS = frozenset("f g h p q F G H P Q L ell phi varphi psi Phi Psi".split())
_TRANSPOSE = frozenset({"\\top", "T", "\\intercal", "\\mathrm{T}", "\\mathsf{T}"})
_CONDITION_WORDS = ("where", "if", "for", "when", "s.t.", "其中", "若", "当", "如果", "对于")

_TOKEN_RE = re.compile(r"\\[A-Za-z]+\*?|\\.|\d+(?:\.\d+)?|\.\d+|\s+|.", re.S)


@dataclass(frozen=True)
class Conventions:
    """How a note reads its ambiguous symbols (its ``Conventions:`` header)."""

    log: str = "ln"  # ln | log2 | log10
    i: str = "auto"  # auto (index or a symbol) | index | imag
    e: str = "euler"  # euler | symbol
    pi: str = "const"  # const | symbol
    sigma: str = "sigmoid"  # sigmoid | function

    KEYS = {
        "log": ("ln", "log2", "log10"),
        "i": ("auto", "index", "imag"),
        "e": ("euler", "symbol"),
        "pi": ("const", "symbol"),
        "sigma": ("sigmoid", "function"),
    }

    @classmethod
    def parse(cls, value: str) -> tuple[Conventions, list[str]]:
        """``log=log2; i=index`` -> (Conventions, errors) (an unknown key or value is an
        error, worded for the note's header line)."""
        given: dict[str, str] = {}
        errors = []
        for part in re.split(r"[;,]", value):
            if not part.strip():
                continue
            key, _, val = part.partition("=")
            key, val = key.strip(), val.strip()
            if key not in cls.KEYS or val not in cls.KEYS[key]:
                choices = "; ".join(f"{k}={'|'.join(v)}" for k, v in cls.KEYS.items())
                errors.append(f"Conventions: {part.strip()!r} is not one of {choices}")
                continue
            given[key] = val
        return cls(**given), errors

    def describe(self) -> str:
        default = Conventions()
        return "; ".join(
            f"{k}={getattr(self, k)}" for k in self.KEYS if getattr(self, k) != getattr(default, k)
        )


@dataclass(frozen=True)
class Sym:
    """A symbol of a side: ``key`` names it (base, accents, subscript) for sampling."""

    key: str
    base: str  # the letter or Greek command, e.g. "x", "\\alpha"
    sub: tuple[str, ...]  # the subscript's tokens (an index inside a sum is substituted)
    kind: str  # scalar | vector | matrix | const
    shape: tuple[str, str] | None = None  # declared dimensions (names or numbers)

    @property
    def shown(self) -> str:
        return self.key


@dataclass
class Reading:
    """A side rewritten for the parser, with what its opaque names stand for."""

    tex: str
    symbols: dict[str, Sym] = field(default_factory=dict)  # "Ks…" -> Sym
    functions: dict[str, str] = field(default_factory=dict)  # "Kf…" -> meaning
    integers: set[str] = field(default_factory=set)  # names sampled as small integers
    decimals: int = 0  # the fewest significant digits of a decimal literal (0: none)
    rounded: int = 0  # the fewest significant digits of a decimal of 3 or more (rounded?)
    juxtaposed: bool = False  # a symbol before "(" read as a product (or was it a call?)


@dataclass
class NoteContext:
    """What a note says about its symbols: declared shapes, transposed names."""

    conventions: Conventions = field(default_factory=Conventions)
    shapes: dict[str, tuple[str, str]] = field(default_factory=dict)  # base key -> (rows, cols)
    transposed: set[str] = field(default_factory=set)  # base keys seen with ^T
    complex_numbers: bool = False  # the note speaks of complex numbers (i may be imaginary)
    orthogonal: bool = False  # the note speaks of orthogonal or normalised vectors
    constants: bool = False  # the note speaks of (arbitrary) constants
    modular: bool = False  # the note computes modulo (\\pmod, \\equiv)


def _code(n: int) -> str:
    letters = ""
    while True:
        letters = chr(ord("a") + n % 26) + letters
        n //= 26
        if not n:
            return letters


class _Reader:
    """One pass over a side's tokens (a small recursive-descent rewriter)."""

    def __init__(self, tex: str, ctx: NoteContext, bound: frozenset[str]):
        self.toks = [t for t in _TOKEN_RE.findall(tex)]
        self.pos = 0
        self.ctx = ctx
        self.bound = bound  # sum/product indices of the whole side
        self.out = Reading("")
        self._names: dict[str, str] = {}
        self._between_letters = False
        self.imaginary_hint = bool(_E_I_RE.search(tex))
        self.differentials = "\\int" in tex or bool(re.search(r"\\frac\s*\{\s*d\s*\}", tex))
        self.imaginary_j = bool(_E_J_RE.search(tex)) and "j" not in bound
        self.matrices = (
            bool(_MATRIX_HINT_RE.search(tex))
            or any(k for k in ctx.shapes if k.startswith("bold:") or ctx.shapes[k][1] != "1")
            and bool(re.search(r"\\(?:boldsymbol|mathbf|bm)|\\top", tex))
        )

    # --- tokens -------------------------------------------------------------------
    def peek(self, skip_space: bool = True) -> str:
        p = self.pos
        while skip_space and p < len(self.toks) and self.toks[p].isspace():
            p += 1
        return self.toks[p] if p < len(self.toks) else ""

    def take(self) -> str:
        while self.pos < len(self.toks) and self.toks[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(self.toks):
            raise UnreadableError("parse error: unexpected end")
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def group_tokens(self) -> list[str]:
        """The tokens of the next argument: a brace group's inside, or one token."""
        t = self.take()
        if t != "{":
            return [t]
        depth, start = 1, self.pos
        while self.pos < len(self.toks):
            t = self.toks[self.pos]
            self.pos += 1
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    return self.toks[start : self.pos - 1]
        raise UnreadableError("parse error: unbalanced braces")

    def group_text(self) -> str:
        return "".join(self.group_tokens()).strip()

    # --- names --------------------------------------------------------------------
    def symbol(self, sym: Sym) -> str:
        name = self._names.get(sym.key)
        if name is None:
            name = "Ks" + _code(len(self._names))
            self._names[sym.key] = name
            self.out.symbols[name] = sym
        return f"\\{name} "

    def function(self, meaning: str) -> str:
        digest = hashlib.md5(meaning.encode("utf-8")).hexdigest()[:10]
        name = "Kf" + "".join(chr(ord("a") + int(c, 16)) for c in digest)
        self.out.functions[name] = meaning
        return f"\\{name}"

    # --- the rewrite --------------------------------------------------------------
    def rewrite(self, stop: str | None = None) -> str:
        parts: list[str] = []
        while self.pos < len(self.toks):
            t = self.peek()
            if t == "":
                break
            if stop is not None and t == stop:
                return "".join(parts)
            self.item(parts)
        if stop is not None:
            raise UnreadableError("parse error: unbalanced delimiters")
        return "".join(parts)

    def item(self, parts: list[str]) -> None:
        """Rewrite the next token (and what it governs) onto ``parts``."""
        t = self.take()
        if t.startswith("\\") and len(t) > 1 and t[1:].rstrip("*") in _DROP:
            self._dropped(t, parts)
        elif t in _PUNCTUATION:
            getattr(self, _PUNCTUATION[t])(t, parts)
        elif t.startswith("\\"):
            self.command(t, parts)
        elif t == "d" and self.differentials and (self.peek() == "}" or self._variable_follows()):
            parts.append("d" if self.peek() == "}" else self._differential())
        elif t.isalpha() and len(t) == 1:
            parts.append(self.atom(t, bold=False))
        elif re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", t):
            self._number(t, parts)
        elif t in "+-*/=<>!|,":
            parts.append(t)
        elif not t.isspace():
            raise UnreadableError("text" if ord(t[0]) > 127 else f"parse error: {t!r}")

    def _dropped(self, t: str, parts: list[str]) -> None:
        """Spacing and sizing; ``\\left\\|`` opens a norm, ``\\left.`` nothing."""
        if t in ("\\left", "\\right") and self.peek() == "\\|":
            self.take()
            parts.append(self.norm())
        elif t in ("\\left", "\\right", "\\middle") and self.peek() == ".":
            self.take()

    def _differential(self) -> str:
        return "d" + self.atom(self.take(), bold=False).strip() + " "

    def _number(self, t: str, parts: list[str]) -> None:
        if "." in t:
            digits = len(t.replace(".", "").lstrip("0")) or 1
            self.out.decimals = min(self.out.decimals or digits, digits)
            if digits >= 3:
                self.out.rounded = min(self.out.rounded or digits, digits)
        after_paren = parts and parts[-1].rstrip().endswith(")")
        parts.append(f"\\cdot {t}" if after_paren else t)

    def _t_norm(self, t: str, parts: list[str]) -> None:
        parts.append(self.norm())

    def _t_inner(self, t: str, parts: list[str]) -> None:
        parts.append(self.inner())

    def _t_power(self, t: str, parts: list[str]) -> None:
        self.superscript(parts)

    def _t_open(self, t: str, parts: list[str]) -> None:
        inner = self.rewrite(stop={"(": ")", "[": "]", "{": "}"}[t])
        self.take()
        parts.append("{" + inner + "}" if t == "{" else f"({inner})")

    def _t_bad(self, t: str, parts: list[str]) -> None:
        raise UnreadableError(_BAD_TOKENS[t])

    def _t_begin(self, t: str, parts: list[str]) -> None:
        env = self.group_text().rstrip("*")
        raise UnreadableError(_ENV_REASON.get(env, f"environment {env}"))

    def command(self, t: str, parts: list[str]) -> None:
        name = t[1:]
        if _EXPECT_RE.match("".join(self.toks[self.pos - 1 : self.pos + 4])):
            raise UnreadableError("expectation or probability")
        if name in _UNMODELLED:
            raise UnreadableError(_UNMODELLED[name])
        method = _COMMANDS.get(name) or next(
            (m for names, m in _COMMAND_SETS if name in names), None
        )
        if method is None:
            raise UnreadableError(f"command \\{name}")
        parts.append(getattr(self, method)(t, name))

    def _c_label(self, t: str, name: str) -> str:
        if name in ("tag", "label"):
            self.group_tokens()
        return ""

    def _c_greek(self, t: str, name: str) -> str:
        return self.atom(t, bold=False)

    def _c_bold(self, t: str, name: str) -> str:
        inner = [x for x in self.group_tokens() if not x.isspace()]
        deco: tuple[str, ...] = ()
        if len(inner) >= 2 and inner[0][1:] in _ACCENT:
            deco = (inner[0][1:],)
            inner = [x for x in inner[1:] if x not in ("{", "}")]
        if len(inner) == 1 and (_is_letter(inner[0]) or inner[0][1:] in GREEK):
            return self.atom(inner[0], bold=True, deco=deco)
        if inner in (["1"], ["0"]):
            raise UnreadableError("vector of ones or zeros")
        raise UnreadableError("bold expression")

    def _c_accent(self, t: str, name: str) -> str:
        return self.accented(name)

    def _c_named(self, t: str, name: str) -> str:
        return self.named(self.group_text())

    def _c_frac(self, t: str, name: str) -> str:
        return "\\frac"

    def _c_brace(self, t: str, name: str) -> str:
        """\\underbrace{X}_{note}, \\overbrace{X}^{note}, \\boxed{X}: X."""
        out = "{" + self.sub_rewrite(self.group_tokens()) + "}"
        if name != "boxed" and self.peek() in ("_", "^"):
            self.take()
            self.group_tokens()
        return out

    def _c_color(self, t: str, name: str) -> str:
        self.group_tokens()
        if name == "textcolor":
            return "{" + self.sub_rewrite(self.group_tokens()) + "}"
        return ""

    def _c_blackboard(self, t: str, name: str) -> str:
        raise UnreadableError("set or blackboard symbol")

    def _c_map(self, t: str, name: str) -> str:
        raise UnreadableError("limit or map")

    def _c_log(self, t: str, name: str) -> str:
        """\\log is natural unless the note's conventions say; \\log_b keeps its base."""
        if self.peek() == "_":
            self.take()
            return f"\\log_{{{self.sub_rewrite(self.group_tokens())}}} "
        head = t
        if name == "log":
            head = "\\log" + {"ln": "", "log2": "_{2}", "log10": "_{10}"}[self.ctx.conventions.log]
        return head + self._log_argument()

    def _log_argument(self) -> str:
        """\\log\\frac{1}{n}\\sum_i … is the log of the whole product, up to the next + or -
        (the parser would take log(1/n)·Σ)."""
        if self.peek() in ("(", "\\left", "^", ""):
            return " "
        arg: list[str] = []
        while self.peek() not in _TERM_END and not self.peek().startswith("\\right"):
            self.item(arg)
        return "(" + "".join(arg) + ") "

    def _c_big(self, t: str, name: str) -> str:
        return self.big_operator(t)

    def _c_int(self, t: str, name: str) -> str:
        bounds = ""
        for mark in ("_", "^"):
            if self.peek() == mark:
                self.take()
                bounds += mark + "{" + self.sub_rewrite(self.group_tokens()) + "}"
        return "\\int" + bounds + " "

    def _c_keep(self, t: str, name: str) -> str:
        if name not in _FUNCTIONS_NO_PAREN:
            return t + " "
        power = ""
        if self.peek() == "^":
            self.take()
            power = "^{" + self.sub_rewrite(self.group_tokens()) + "}"
        if self.peek() in ("(", "\\left", "{", ""):
            return t + power + " "
        # \cos\theta \cdot \cos\theta is cos θ · cos θ: the argument is one item (the
        # parser would take cos(θ·cos θ)).
        arg: list[str] = []
        self.item(arg)
        return f"{t}{power}({''.join(arg)}) "

    def sub_rewrite(self, toks: list[str]) -> str:
        saved = self.toks, self.pos
        self.toks, self.pos = toks, 0
        try:
            return self.rewrite()
        finally:
            self.toks, self.pos = saved

    def big_operator(self, t: str) -> str:
        """\\sum_{i=1}^{n}: symbols of the bounds are sampled as small integers.  A sum over
        an index alone (\\sum_i) runs over 1..N, N a hidden small integer shared by every
        such sum of the step."""
        if self.peek() != "_":
            raise UnreadableError("sum without an index")
        self.take()
        text = "".join(self.group_tokens())
        upper = None
        if self.peek() == "^":
            self.take()
            upper = self.group_tokens()
        m = re.fullmatch(r"\s*(\\?[A-Za-z]+)\s*(?:=(.*))?", text, re.S)
        if not m or (m.group(2) is None) != (upper is None):
            raise UnreadableError("sum over a set")
        index = m.group(1).lstrip("\\")
        index_sym = Sym(index, index, (), "index")
        before = set(self.out.symbols)
        if upper is None:
            low = "1"
            up = self.symbol(Sym("N#", "N#", (), "scalar"))
        else:
            low = self.sub_rewrite(_TOKEN_RE.findall(m.group(2)))
            up = self.sub_rewrite(upper)
        for name in set(self.out.symbols) - before:
            self.out.integers.add(name)
        return f"{t}_{{{self.symbol(index_sym)}={low}}}^{{{up}}} "

    def named(self, word: str) -> str:
        word = word.strip()
        if word == "d":
            return "d"
        if word in ("e", "i"):
            return self.atom(word, bold=False)
        if word in _NAMED and self.peek() in ("(", "\\left"):
            return self.function(_NAMED[word])
        if word.lower() in ("inf", "nan"):
            raise UnreadableError("special value (Inf, NaN)")
        if word in _STATISTICS:
            raise UnreadableError("expectation or probability")
        low = word.lower()
        if any(low.startswith(w) for w in _CONDITION_WORDS):
            raise UnreadableError("condition")
        if len(word) == 1 and word.isalpha():
            return self.atom(word, bold=False, deco=("rm",))
        if not re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)?", word):
            raise UnreadableError("text")
        if self.peek() in ("[", "\\{"):
            raise UnreadableError("named operator with brackets")
        # A word names one quantity (\text{SNR}) or, before a parenthesis, a function
        # of the note's own (\text{RMS}(x)): read like a letter.
        return self.atom(word.replace("-", ""), bold=False)

    def accented(self, name: str) -> str:
        inner = [x for x in self.group_tokens() if not x.isspace()]
        bold = False
        while inner and inner[0][1:] in _BOLD | _ACCENT and len(inner) >= 2:
            bold = bold or inner[0][1:] in _BOLD
            inner = [x for x in inner[1:] if x not in ("{", "}")]
        if name == "mathrm" and inner == ["d"]:
            if self.differentials and self._variable_follows():
                return "d" + self.atom(self.take(), bold=False).strip() + " "
            return "d"
        if name in ("mathrm", "mathit", "mathsf") and len(inner) > 1:
            return self.named("".join(inner))
        if len(inner) == 1 and (
            (inner[0].isalpha() and len(inner[0]) == 1) or inner[0][1:] in GREEK
        ):
            deco = () if name in ("mathrm", "mathit") else (name,)
            if name == "mathrm" and inner[0] in ("e", "i"):
                deco = ()
            return self.atom(inner[0], bold=bold, deco=deco)
        raise UnreadableError("accent on an expression")

    def atom(self, base: str, bold: bool, deco: tuple[str, ...] = ()) -> str:
        """A symbol with what follows it: primes, subscript, ^* / ^{(t)} decorations; a
        function when a parenthesis follows and the letter names one."""
        primes = 0
        sub: tuple[str, ...] = ()
        self._between_letters = self._letters_around()
        marks = list(deco)
        while True:
            nxt = self.peek(skip_space=False)
            if nxt == "'":
                self.take()
                primes += 1
            elif nxt == "_" and not sub:
                self.take()
                sub = tuple(x for x in self.group_tokens() if not x.isspace())
                if "(" in sub and any(t.lstrip("\\") in self.bound for t in sub):
                    raise UnreadableError("computed index")
            elif nxt == "^" and self._decoration_follows():
                self.take()
                marks.append("".join(self.group_tokens()).strip())
            else:
                break
        letter = base.lstrip("\\")
        if self.peek() == "(" and (
            letter in FUNCTION_LETTERS
            or letter == "sigma"
            or len(letter) > 1
            and not base.startswith("\\")
        ):
            return self.applied(base, letter, sub, primes, marks, bold)
        if primes:
            marks.append("'" * primes)
        return self.plain_symbol(base, letter, sub, marks, bold)

    def _letters_around(self) -> bool:
        """The token just read sits in a product of letters (``2de``): then ``e`` is a
        variable, not Euler's number (``e^x``, a lone ``e``)."""
        before = self.toks[self.pos - 2] if self.pos >= 2 else ""
        after = self.toks[self.pos] if self.pos < len(self.toks) else ""
        if after == "^":
            return False
        return _is_letter(before) or _is_letter(after)

    def _variable_follows(self) -> bool:
        """``dx`` / ``d\\theta`` in an integral or a derivative: a differential."""
        nxt = self.peek(skip_space=False)
        return (len(nxt) == 1 and nxt.isalpha()) or nxt[1:] in GREEK

    def _decoration_follows(self) -> bool:
        """After a symbol, ^* ^{*} ^{(t)} ^{[l]} ^{\\prime} ^{\\text{…}} name a new symbol."""
        p = self.pos
        toks = self.toks
        while p < len(toks) and toks[p].isspace():
            p += 1
        rest = "".join(toks[p + 1 : p + 12])
        return bool(
            re.match(
                r"\s*(\*|\{\s*\*\s*\}|\{\s*[(\[]|\\prime|\{\s*\\prime|\{\s*\\(text|mathrm)\{[A-Za-z]{2,})",
                rest,
            )
        )

    def applied(self, base, letter, sub, primes, marks, bold) -> str:
        if bold:
            raise UnreadableError("vector-valued function")
        if letter in ("sigma", "lambda") and (sub or marks):
            raise UnreadableError("named function (singular or eigen value)")
        if letter == "sigma" and not sub and not marks:
            if self.ctx.conventions.sigma == "sigmoid":
                return self.function("sigmoid" + "'" * primes)
        key = letter + ("_{" + "".join(sub) + "}" if sub else "") + "".join(marks)
        return self.function("fn:" + key + "'" * primes)

    def plain_symbol(self, base, letter, sub, marks, bold) -> str:
        constant = self._constant(letter, sub, marks, bold)
        if constant is not None:
            return self.symbol(constant)
        key = letter + "".join(f"^{m}" for m in marks)
        if sub:
            key += "_{" + "".join(sub) + "}"
        kind, shape = self._kind(letter, marks, bold)
        text = self.symbol(Sym(("bold:" if bold else "") + key, letter, sub, kind, shape))
        if letter in self.bound and not sub and kind == "scalar":
            self.out.integers.add(text.strip().lstrip("\\"))
        if self.peek() in ("(",) or self.peek().startswith("\\left"):
            text += "\\cdot "
            self.out.juxtaposed = True
        return text

    def _constant(self, letter, sub, marks, bold) -> Sym | None:
        """e, π, i (or j), I read as constants, by the note's conventions and context."""
        if letter == "I" and (bold or self.matrices) and not marks:
            if not sub or re.fullmatch(r"[A-Za-z0-9]", "".join(sub)):
                return Sym("I", "I", (), "const")  # the identity matrix
        if sub or marks or bold:
            return None
        conv = self.ctx.conventions
        if letter == "e" and conv.e == "euler" and not self._between_letters:
            return Sym("e", "e", (), "const")
        if letter == "pi" and conv.pi == "const":
            return Sym("pi", "pi", (), "const")
        if (letter == "i" and self._imaginary()) or (letter == "j" and self.imaginary_j):
            return Sym("i", "i", (), "const")
        return None

    def _kind(self, letter, marks, bold) -> tuple[str, tuple[str, str] | None]:
        """scalar, vector or matrix: bold, declared in R^{n×d}, or transposed in the note."""
        base_key = ("bold:" if bold else "") + letter + "".join(f"^{m}" for m in marks)
        shape = self.ctx.shapes.get(base_key) or self.ctx.shapes.get(letter)
        if shape:
            return ("vector" if shape[1] == "1" else "matrix"), shape
        if bold or letter in self.ctx.transposed:
            return ("vector" if letter[:1].islower() else "matrix"), None
        return "scalar", None

    def _imaginary(self) -> bool:
        mode = self.ctx.conventions.i
        if mode == "imag":
            return True
        if mode == "index" or "i" in self.bound:
            return False
        return self.imaginary_hint or self.ctx.complex_numbers

    def superscript(self, parts: list[str]) -> None:
        """^{\\top} wraps what precedes in a transpose; other exponents stay powers."""
        toks = [x for x in self.group_tokens() if not x.isspace()]
        text = "".join(toks)
        if not parts:
            raise UnreadableError("parse error: exponent without base")
        if text in _TRANSPOSE or text in ("-\\top", "-T"):
            last = parts.pop()
            wrapped = self.function("transpose") + "(" + last + ")"
            parts.append(wrapped + ("^{-1}" if text.startswith("-") else ""))
            return
        if "\\top" in text or text == "H" or text == "\\dagger":
            raise UnreadableError("transpose inside an exponent")
        parts.append("^{" + self.sub_rewrite(toks) + "}")

    def norm(self) -> str:
        """\\|x\\|_p: a norm (p = 2 by default, F for Frobenius)."""
        depth = 0
        start = self.pos
        while self.pos < len(self.toks):
            t = self.toks[self.pos]
            if t in ("{", "(", "["):
                depth += 1
            elif t in ("}", ")", "]"):
                depth -= 1
            elif depth == 0 and t in ("\\|", "\\Vert", "\\rVert"):
                inner = self.toks[start : self.pos]
                if inner and inner[-1] == "\\right":
                    inner = inner[:-1]
                self.pos += 1
                kind = "2"
                if self.peek(skip_space=False) == "_":
                    self.take()
                    kind = "".join(self.group_tokens()).strip().replace("\\infty", "inf")
                    if kind not in ("2", "F", "1", "inf"):
                        raise UnreadableError("norm of an unmodelled kind")
                return self.function(
                    "norm" + {"2": "two", "F": "fro", "1": "one"}.get(kind, "inf")
                ) + ("(" + self.sub_rewrite(inner) + ")")
            self.pos += 1
        raise UnreadableError("parse error: unclosed norm")

    def inner(self) -> str:
        start = self.pos
        depth = 0
        comma = None
        while self.pos < len(self.toks):
            t = self.toks[self.pos]
            if t in ("{", "(", "["):
                depth += 1
            elif t in ("}", ")", "]"):
                depth -= 1
            elif depth == 0 and t == "," and comma is None:
                comma = self.pos
            elif depth == 0 and t == "\\rangle":
                if comma is None:
                    raise UnreadableError("bra-ket")
                a = [x for x in self.toks[start:comma] if x not in ("\\left", "\\right")]
                b = [x for x in self.toks[comma + 1 : self.pos] if x not in ("\\left", "\\right")]
                self.pos += 1
                return self.function("inner") + f"({self.sub_rewrite(a)}, {self.sub_rewrite(b)})"
            self.pos += 1
        raise UnreadableError("parse error: unclosed angle bracket")


_TERM_END = frozenset({"+", "-", "", ")", "]", "}", "=", ",", "<", ">"})


def _is_letter(t: str) -> bool:
    return len(t) == 1 and t.isalpha()


_PUNCTUATION = {
    "\\|": "_t_norm",
    "\\Vert": "_t_norm",
    "\\lVert": "_t_norm",
    "\\rVert": "_t_norm",
    "\\langle": "_t_inner",
    "^": "_t_power",
    "(": "_t_open",
    "[": "_t_open",
    "{": "_t_open",
    "_": "_t_bad",
    "'": "_t_bad",
    ")": "_t_bad",
    "]": "_t_bad",
    "}": "_t_bad",
    "\\begin": "_t_begin",
}
_BAD_TOKENS = {
    "_": "subscript on an expression",
    "'": "prime on an expression",
    ")": "parse error: unbalanced delimiters",
    "]": "parse error: unbalanced delimiters",
    "}": "parse error: unbalanced delimiters",
}
_COMMANDS = {
    **dict.fromkeys(("tag", "label", "nonumber", "notag"), "_c_label"),
    "operatorname": "_c_named",
    **dict.fromkeys(("underbrace", "overbrace", "boxed"), "_c_brace"),
    **dict.fromkeys(("color", "textcolor"), "_c_color"),
    **dict.fromkeys(("log", "lg", "ln"), "_c_log"),
    **dict.fromkeys(("sum", "prod"), "_c_big"),
    **dict.fromkeys(("to", "rightarrow", "mapsto"), "_c_map"),
    "mathbb": "_c_blackboard",
    "int": "_c_int",
}
_COMMAND_SETS = [
    (GREEK, "_c_greek"),
    (_BOLD, "_c_bold"),
    (_ACCENT, "_c_accent"),
    (frozenset({"text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox"}), "_c_named"),
    (_FRACS, "_c_frac"),
    (_KEEP, "_c_keep"),
]


_E_I_RE = re.compile(r"e\s*\^\s*\{[^{}]*(?<![A-Za-z\\])i(?![A-Za-z])")
_E_J_RE = re.compile(r"e\s*\^\s*\{[^{}]*(?<![A-Za-z\\])j(?![A-Za-z])")
_MATRIX_HINT_RE = re.compile(
    r"\\(?:boldsymbol|mathbf|bm)\s*\{\s*[A-Z]|\^\s*\{?\s*\\top|\\(?:boldsymbol|mathbf|bm)\s*\{\s*I"
)
_DERIV_RE = re.compile(r"\\frac\s*\{\s*(?:\\mathrm\s*\{\s*d\s*\}|d)\s*(?:[^}\s])")
_FUNCTION_POWER_RE = re.compile(
    r"\\(?:text|operatorname|mathrm)\s*\{[A-Za-z]{2,}\}\s*\^\s*(?:\{[^{}]*\}|\S)\s*\("
)
_BOUND_RE = re.compile(r"\\(?:sum|prod)\s*_\s*\{?\s*(\\?[A-Za-z]+)\s*[=}]?")
_SUB_INDEX_RE = re.compile(r"_\s*\{?\s*i\b")


def read_side(tex: str, ctx: NoteContext) -> Reading:
    """Rewrite one side of a step for ``parse_latex``; :class:`UnreadableError` says why not."""
    if re.search(r"[\u3000-\u9fff\uff00-\uffef]", tex):
        raise UnreadableError("text")
    if _FUNCTION_POWER_RE.search(tex):
        raise UnreadableError("power of a named function")
    if _DERIV_RE.search(tex):
        raise UnreadableError("derivative of an implicit function")
    bound = frozenset(m.group(1) for m in _BOUND_RE.finditer(tex))
    if _SUB_INDEX_RE.search(tex):
        bound |= {"i"}
    reader = _Reader(tex, ctx, bound)
    reader.out.tex = reader.rewrite().strip()
    keys = {s.key for s in reader.out.symbols.values()}
    if any(
        m.startswith("fn:") and m[3:].rstrip("'") in keys for m in reader.out.functions.values()
    ):
        reader.out.juxtaposed = True
    if not reader.out.tex:
        raise UnreadableError("empty side")
    return reader.out
