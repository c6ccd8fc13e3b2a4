"""An integer-programming attacker on the published outputs of ``ctc profile``.

Written for the tests only and independently of ctc's protection code: it imports nothing
from ``ctc`` and reads nothing but the files of an output folder.

What the attacker knows (docs/privacy.md, shared/domain/disclosure.md):

* every number published in ``profile.csv``: for each indicator (indicator_type,
  indicator_id) and published cell (municipality, grade, gender) the ``n`` and
  ``n_flagged`` that are shown. ``all`` in a key column means pooled over that dimension;
  municipality ``all`` is the whole file;
* that counts add up exactly along every dimension: every published cell, pooled or not,
  is the sum of the interior cells (one municipality x grade x gender) it covers;
* ``0 <= flagged <= n`` and that all counts are integers;
* the thresholds (``min_n``, ``all_or_none_n``; read from ``manifest.json`` when it is
  there) and what a published suppression reason means (``Knowledge.use_reasons``):
  ``empty`` n = 0; ``small-n`` 1 <= n <= min_n - 1; ``all-or-none`` min_n <= n <
  all_or_none_n and flagged in {0, n}; ``secondary`` passed the primary rules, so
  n >= min_n and, when n < all_or_none_n, 0 < flagged < n. Any other reason (a single
  public "not shown" reason) leaks nothing;
* optionally (``Knowledge.gender_remainder``) that some respondents may have no gender:
  a free nonnegative "gender not stated" remainder per municipality x grade, counted in
  the gender ``all`` cells only. Off by default: the attacker assumes every respondent
  has one of the published genders, which is the stronger attack when it is true;
* optionally (``Knowledge.screening``) ``screening.csv``: questionnaires of a
  municipality x grade minus the excluded ones bound the n of every indicator there.

Model, per indicator: integer unknowns x (flagged) >= 0 and y (not flagged) >= 0 for
every municipality x grade x gender of the categories present (whether or not that cross
cell is published). Shown cells fix their sums of x and y, hidden cells are free apart
from the bounds their reason leaks. For every hidden published cell the attacker
minimises and maximises its x, its y and its n = x + y with ``scipy.optimize.milp``
(HiGHS). To be fast it subtracts shown cells nested inside a published cell from its
equation, fixes unknowns that shown cells determine, splits the rest into independent
connected components, caches optimisations that reduce to the same objective on a
component, solves the LP relaxation first (its optimum is the integer optimum when it is
integral; the MILP runs only otherwise) and answers a minimisation with 0 when an integer
solution already found reaches it.

``pct`` of profile.csv is not used (weighted, and blank for hidden cells). Not modelled:
links between indicators (each has its own n) and, for screening.csv, between rules
(the union "excluded" against its rules, ``only_this_rule``/``with_other_rules`` across
rules); a stronger attacker could add them.

``attack_screening`` runs the same model on screening.csv (see ``read_screening``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import csr_array

ALL = "all"
KEYS = ("municipality", "grade", "gender")
LEAKY_REASONS = ("empty", "small-n", "all-or-none", "secondary")


@dataclass(frozen=True)
class Knowledge:
    min_n: int = 20
    all_or_none_n: int = 50
    use_reasons: bool = True
    gender_remainder: bool = False
    screening: bool = False


class InconsistentModel(Exception):
    """The published numbers contradict the attacker's assumptions (e.g. no remainder)."""


def knowledge_from(outdir: Path, **overrides) -> Knowledge:
    """Thresholds from the run's manifest.json (published with the run), else defaults."""
    settings: dict = {}
    manifest = Path(outdir) / "manifest.json"
    if manifest.is_file():
        sup = json.loads(manifest.read_text(encoding="utf-8")).get("suppression", {})
        settings = {k: int(sup[k]) for k in ("min_n", "all_or_none_n") if k in sup}
    return Knowledge(**{**settings, **overrides})


def read_profile(outdir: Path) -> pd.DataFrame:
    frame = pd.read_csv(Path(outdir) / "profile.csv", dtype=str, keep_default_na=False)
    for col in ("n", "n_flagged"):
        frame[col] = pd.to_numeric(frame[col].replace("", np.nan))
    if "suppressed" in frame:
        frame["hidden"] = frame["suppressed"].str.lower().isin(("true", "1", "yes"))
    else:  # a file that marks hidden cells only by blanking them
        frame["hidden"] = frame["n_flagged"].isna()
    if "suppression_reason" not in frame:
        frame["suppression_reason"] = ""
    return frame


def read_screening_bounds(outdir: Path) -> dict[tuple[str, str], int]:
    """(municipality, grade) -> questionnaires minus excluded ones, where both are shown."""
    path = Path(outdir) / "screening.csv"
    if not path.is_file():
        return {}
    scr = pd.read_csv(path, dtype=str, keep_default_na=False)
    exc = scr[scr["rule"].str.strip("()") == "excluded"]
    out = {}
    for row in exc.itertuples(index=False):
        try:
            out[(row.municipality, row.grade)] = int(float(row.respondents)) - int(float(row.flagged))
        except ValueError:  # a hidden count
            continue
    return out


# ---------------------------------------------------------------------------- model


@dataclass
class _Row:
    """A linear constraint lb <= sum(coef * var) <= ub."""

    idx: np.ndarray
    coef: np.ndarray
    lb: float
    ub: float


class IndicatorModel:
    """Unknowns and constraints of one indicator's published table."""

    def __init__(self, table: pd.DataFrame, cats: dict[str, list[str]], know: Knowledge,
                 screening: dict[tuple[str, str], int] | None = None) -> None:
        self.know = know
        m, g, s = (np.array(cats[k], dtype=object) for k in KEYS)
        mm, gg, ss = np.meshgrid(m, g, s, indexing="ij")
        im, ig, is_ = mm.ravel(), gg.ravel(), ss.ravel()
        if know.gender_remainder:
            rm, rg = np.meshgrid(m, g, indexing="ij")
            im = np.concatenate([im, rm.ravel()])
            ig = np.concatenate([ig, rg.ravel()])
            is_ = np.concatenate([is_, np.full(rm.size, None, dtype=object)])
        self.interior = (im, ig, is_)
        self.J = len(im)
        self.nvar = 2 * self.J
        self.rows: list[_Row] = []
        # hidden cells: key, the unknowns their sum covers, the known flagged/not-flagged rest
        self.cells: list[tuple[tuple[str, str, str], np.ndarray, float, float]] = []
        recs = list(table.itertuples(index=False))
        masks = np.zeros((len(recs), self.J), dtype=bool)
        for i, rec in enumerate(recs):
            masks[i, self._cover(rec.municipality, rec.grade, rec.gender)] = True
        known = np.array([not (math.isnan(r.n) or math.isnan(r.n_flagged)) for r in recs], dtype=bool)
        kx = np.array([r.n_flagged for r in recs])[known]
        ky = np.array([r.n - r.n_flagged for r in recs])[known]
        shown = masks[known]
        for rec, mask in zip(recs, masks):
            cover, ox, oy = self._reduce(mask, shown, kx, ky)
            self._publish(rec, cover, ox, oy)
        if screening:
            self._screening(screening)

    def _cover(self, muni: str, grade: str, gender: str) -> np.ndarray:
        im, ig, is_ = self.interior
        mask = np.ones(self.J, dtype=bool)
        if muni != ALL:
            mask &= im == muni
        if grade != ALL:
            mask &= ig == grade
        if gender != ALL:
            mask &= is_ == gender  # the remainder (None) is in the gender "all" cells only
        return np.flatnonzero(mask)

    @staticmethod
    def _reduce(mask: np.ndarray, shown: np.ndarray, kx: np.ndarray, ky: np.ndarray):
        """Subtract shown cells nested inside this one (largest first): the same
        equations on fewer unknowns, so shown margins do not tie independent blocks."""
        size = mask.sum()
        sizes = shown.sum(axis=1)
        inside = ~(shown & ~mask).any(axis=1) & (sizes < size) & (sizes > 0)
        rem, ox, oy = mask.copy(), 0.0, 0.0
        for i in np.flatnonzero(inside)[np.argsort(-sizes[inside], kind="stable")]:
            if not (shown[i] & ~rem).any():
                rem &= ~shown[i]
                ox += kx[i]
                oy += ky[i]
        return np.flatnonzero(rem), ox, oy

    def _add(self, idx, coef, lb, ub, shift: float = 0.0) -> None:
        self.rows.append(_Row(np.asarray(idx, dtype=np.int64), np.asarray(coef, dtype=float), lb - shift, ub - shift))

    def _binary(self) -> int:
        self.nvar += 1
        return self.nvar - 1

    def _publish(self, rec, cover: np.ndarray, ox: float, oy: float) -> None:
        """The cell's sums are (unknowns over ``cover``) + (ox flagged, oy not flagged)."""
        xs, ys = cover, cover + self.J
        both = np.concatenate([xs, ys])
        ones, twos = np.ones(len(cover)), np.ones(2 * len(cover))
        on = ox + oy
        n, k = rec.n, rec.n_flagged
        pct = getattr(rec, "pct_bound", math.nan)
        if math.isnan(k) and not math.isnan(n) and not math.isnan(pct):
            # an unweighted percentage rounded to 2 decimals, shown beside a hidden count
            self._add(xs, ones, math.ceil((pct - 0.005) * n / 100 - 1e-9), math.floor((pct + 0.005) * n / 100 + 1e-9), ox)
        if not math.isnan(k):
            self._add(xs, ones, k, k, ox)
        if not math.isnan(n):
            if not math.isnan(k):
                self._add(ys, ones, n - k, n - k, oy)
            else:
                self._add(both, twos, n, n, on)
        if not rec.hidden:
            return
        self.cells.append(((rec.municipality, rec.grade, rec.gender), cover, ox, oy))
        reason = rec.suppression_reason if self.know.use_reasons else ""
        lo, aon = self.know.min_n, self.know.all_or_none_n
        if reason == "empty":
            self._add(both, twos, 0, 0, on)
        elif reason == "small-n":
            self._add(both, twos, 1, lo - 1, on)
        elif reason == "all-or-none":
            # min_n <= n < aon, and x = 0 (b = 0) or y = 0 (b = 1)
            big = aon - 1
            b = self._binary()
            self._add(both, twos, lo, big, on)
            self._add(np.append(xs, b), np.append(ones, -big), -np.inf, 0, ox)
            self._add(np.append(ys, b), np.append(ones, big), -np.inf, big, oy)
        elif reason == "secondary":
            if aon > lo:
                # n >= aon (b = 1), or n >= min_n with 1 <= x and 1 <= y (b = 0)
                b = self._binary()
                self._add(np.append(both, b), np.append(twos, -(aon - lo)), lo, np.inf, on)
                self._add(np.append(xs, b), np.append(ones, 1), 1, np.inf, ox)
                self._add(np.append(ys, b), np.append(ones, 1), 1, np.inf, oy)
            else:
                self._add(both, twos, lo, np.inf, on)

    def _screening(self, bounds: dict[tuple[str, str], int]) -> None:
        for (muni, grade), cap in bounds.items():
            cover = self._cover(muni, grade, ALL)
            if len(cover):
                both = np.concatenate([cover, cover + self.J])
                self._add(both, np.ones(len(both)), 0, cap)

    def is_binary(self, var: int) -> bool:
        return var >= 2 * self.J


# ----------------------------------------------------------------------- presolve


def _fix(model: IndicatorModel) -> tuple[np.ndarray, list[_Row]]:
    """Values of unknowns that shown cells determine (NaN where free), and the rows left."""
    fixed = np.full(model.nvar, np.nan)
    rows = list(model.rows)
    changed = True
    while changed:
        changed = False
        left = []
        for r in rows:
            free = np.isnan(fixed[r.idx])
            const = float(np.dot(r.coef[~free], fixed[r.idx[~free]]))
            if not free.any():
                if const < r.lb - 1e-9 or const > r.ub + 1e-9:
                    raise InconsistentModel(f"published numbers contradict the model ({const} not in [{r.lb}, {r.ub}])")
                continue
            idx, coef = r.idx[free], r.coef[free]
            lb, ub = r.lb - const, r.ub - const
            unit = np.all(coef == 1) and not any(model.is_binary(v) for v in idx)
            if unit and lb == ub and (lb == 0 or len(idx) == 1):
                fixed[idx] = 0 if lb == 0 else lb  # nonnegative parts of 0 are 0; one part is the rest
                if lb < 0:
                    raise InconsistentModel("a shown total is smaller than its shown parts")
                changed = True
                continue
            left.append(_Row(idx, coef, lb, ub))
        rows = left
    return fixed, rows


def _components(nvar: int, rows: list[_Row]) -> np.ndarray:
    parent = np.arange(nvar)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in rows:
        root = find(int(r.idx[0]))
        for v in r.idx[1:]:
            other = find(int(v))
            if other != root:
                parent[other] = root
    return np.array([find(v) for v in range(nvar)])


class _Component:
    """One independent block of unknowns with its constraints, solved on demand."""

    def __init__(self, model: IndicatorModel, vars_: np.ndarray, rows: list[_Row]) -> None:
        self.vars = vars_
        pos = {int(v): i for i, v in enumerate(vars_)}
        data, ri, ci = [], [], []
        for k, r in enumerate(rows):
            for v, c in zip(r.idx, r.coef):
                ri.append(k)
                ci.append(pos[int(v)])
                data.append(c)
        self.A = csr_array((data, (ri, ci)), shape=(len(rows), len(vars_)))
        self.lb = np.array([r.lb for r in rows])
        self.ub = np.array([r.ub for r in rows])
        self.binary = np.array([model.is_binary(int(v)) for v in vars_])
        self.pos = pos
        self.cache: dict[tuple, float] = {}
        self.solves = 0
        self.pool: list[np.ndarray] = []  # integer solutions found so far

    def optimum(self, vars_: tuple[int, ...], sense: int) -> float:
        """min (sense=1) or max (sense=-1) of the sum of ``vars_`` over the integer solutions."""
        key = (vars_, sense)
        if key not in self.cache:
            cols = [self.pos[v] for v in vars_]
            if sense == 1 and self.pool and (np.array(self.pool)[:, cols].sum(axis=1) == 0).any():
                self.cache[key] = 0.0  # a known solution reaches the bound 0 of nonnegative counts
                return 0.0
            c = np.zeros(len(self.vars))
            c[cols] = sense
            self.cache[key] = self._solve(c, sense)
        return self.cache[key]

    def _solve(self, c: np.ndarray, sense: int) -> float:
        # the LP relaxation first: when its optimum is integral it is the integer optimum
        upper = np.where(self.binary, 1.0, np.inf)
        cons = LinearConstraint(self.A, self.lb, self.ub)
        for integrality in (None, np.ones(len(self.vars))):
            res = milp(c, constraints=cons, integrality=integrality, bounds=(0, upper))
            self.solves += 1
            if res.status == 3 or (res.status == 4 and "nbounded" in res.message):
                return -sense * np.inf  # unbounded: max is +inf
            if res.status == 2:
                raise InconsistentModel("no integer table fits the published numbers under this knowledge")
            if res.status != 0:
                raise RuntimeError(f"HiGHS: {res.message}")
            if integrality is None and np.abs(res.x - np.round(res.x)).max() > 1e-6:
                continue
            if len(self.pool) < 2000:
                self.pool.append(np.round(res.x))
            return float(round(sense * res.fun))
        raise AssertionError("unreachable")
        return self.cache[key]


class Solver:
    def __init__(self, model: IndicatorModel) -> None:
        self.model = model
        self.fixed, rows = _fix(model)
        free = np.flatnonzero(np.isnan(self.fixed))
        roots = _components(model.nvar, rows)
        self.comp_of = {}
        self.components: list[_Component] = []
        by_root: dict[int, list[_Row]] = {}
        for r in rows:
            by_root.setdefault(int(roots[r.idx[0]]), []).append(r)
        members: dict[int, list[int]] = {}
        for v in free:
            members.setdefault(int(roots[v]), []).append(int(v))
        for root, vs in members.items():
            comp = _Component(model, np.array(vs), by_root.get(root, []))
            for v in vs:
                self.comp_of[v] = comp
        self.components = list({id(c): c for c in self.comp_of.values()}.values())

    def bounds(self, vars_: np.ndarray) -> tuple[float, float]:
        vals = self.fixed[vars_]
        lo = hi = float(np.nansum(vals))
        groups: dict[int, tuple[_Component, list[int]]] = {}
        for v in vars_[np.isnan(vals)]:
            comp = self.comp_of[int(v)]
            groups.setdefault(id(comp), (comp, []))[1].append(int(v))
        for comp, vs in groups.values():
            key = tuple(sorted(vs))
            if comp.A.shape[0] == 0:  # unconstrained nonnegative unknowns
                hi = np.inf
                continue
            lo += comp.optimum(key, 1)
            hi += comp.optimum(key, -1)
        return lo, hi

    @property
    def solves(self) -> int:
        return sum(c.solves for c in self.components)


# --------------------------------------------------------------------------- attack


def categories(frame: pd.DataFrame) -> dict[str, list[str]]:
    # a dimension published only pooled gets one placeholder category that "all" covers
    return {k: sorted(set(frame[k]) - {ALL}) or [ALL] for k in KEYS}


def attack(outdir: Path, know: Knowledge | None = None, indicators=None, only=None, with_n: bool = True) -> pd.DataFrame:
    """Intervals of every hidden published cell of ``profile.csv`` in ``outdir``.

    Columns: municipality, grade, gender, indicator_type, indicator_id, x_lo, x_hi,
    y_lo, y_hi, n_lo, n_hi (x flagged, y not flagged; +inf where unbounded), and
    ``attrs["solves"]`` the number of LPs and MILPs run. ``indicators``: a collection of
    (indicator_type, indicator_id) to attack (default all); ``only``: a collection of
    (municipality, grade, gender, indicator_type, indicator_id) to compute intervals for
    (default every hidden cell) - the model always uses every published cell.
    ``with_n=False`` skips the n interval (n_lo = 0, n_hi = inf), a third fewer solves.
    """
    outdir = Path(outdir)
    know = know or knowledge_from(outdir)
    frame = read_profile(outdir)
    return attack_frame(frame, know, indicators, read_screening_bounds(outdir) if know.screening else None, only, with_n)


def attack_frame(frame: pd.DataFrame, know: Knowledge, indicators=None, screening=None, only=None,
                 with_n: bool = True) -> pd.DataFrame:
    cats = categories(frame)
    out = []
    solves = 0
    for (itype, iid), table in frame.groupby(["indicator_type", "indicator_id"], sort=True):
        if indicators is not None and (itype, iid) not in indicators:
            continue
        model = IndicatorModel(table, cats, know, screening)
        solver = Solver(model)
        J = model.J
        for (muni, grade, gender), cover, ox, oy in model.cells:
            if only is not None and (muni, grade, gender, itype, iid) not in only:
                continue
            x = np.add(solver.bounds(cover), ox)
            y = np.add(solver.bounds(cover + J), oy)
            n = np.add(solver.bounds(np.concatenate([cover, cover + J])), ox + oy) if with_n else (0.0, np.inf)
            out.append((muni, grade, gender, itype, iid, *x, *y, *n))
        solves += solver.solves
    cols = ["municipality", "grade", "gender", "indicator_type", "indicator_id", "x_lo", "x_hi", "y_lo", "y_hi", "n_lo", "n_hi"]
    result = pd.DataFrame(out, columns=cols)
    result.attrs["solves"] = solves
    return result


# ------------------------------------------------------------------------ screening


def read_screening(outdir: Path) -> pd.DataFrame:
    """screening.csv as a table the model reads: one indicator per validity rule
    ("excluded" is the union of the rules), n = questionnaires, flagged = failing it.
    The grade goes into the third key (the model's optional remainder then stands for
    questionnaires without a valid grade, which count in grade "all" only); flagged
    blank but only_this_rule + with_other_rules shown gives it back; a pct shown beside a
    hidden count bounds it (screening percentages are unweighted)."""
    scr = pd.read_csv(Path(outdir) / "screening.csv", dtype=str, keep_default_na=False)
    num = {c: pd.to_numeric(scr[c].replace("", np.nan)) if c in scr else pd.Series(np.nan, index=scr.index)
           for c in ("respondents", "flagged", "only_this_rule", "with_other_rules", "pct")}
    flagged = num["flagged"].fillna(num["only_this_rule"] + num["with_other_rules"])
    hidden = flagged.isna()
    if "suppressed" in scr:
        hidden |= scr["suppressed"].str.lower().isin(("true", "1", "yes"))
    return pd.DataFrame({
        "municipality": scr["municipality"], "grade": ALL, "gender": scr["grade"],
        "indicator_type": "screening", "indicator_id": scr["rule"].str.strip("()"),
        "n": num["respondents"], "n_flagged": flagged, "pct_bound": num["pct"], "hidden": hidden,
        "suppression_reason": scr.get("suppression_reason", pd.Series("", index=scr.index)),
    })


def attack_screening(outdir: Path, rules=None) -> pd.DataFrame:
    """Intervals of every hidden count of screening.csv, keyed (municipality, grade,
    rule) like the file. Without a remainder first (every questionnaire has a grade);
    when the published numbers contradict that, with one."""
    frame = read_screening(outdir)
    indicators = None if rules is None else [("screening", r) for r in rules]
    try:
        result = attack_frame(frame, Knowledge(use_reasons=False), indicators)
    except InconsistentModel:
        result = attack_frame(frame, Knowledge(use_reasons=False, gender_remainder=True), indicators)
    return result.drop(columns="grade").rename(columns={"gender": "grade", "indicator_id": "rule"})
