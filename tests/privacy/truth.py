"""Ground truth and the protection level, for judging what the attacker learns.

The truth is recounted with pandas from the respondent file ``ctc score`` writes
(columns flag.<scale id>, outcome.<outcome id>, excluded, municipality, grade, gender),
independently of ctc's profile code. The protection level is the lead's definition
(issue 10): a published cell is primary-sensitive when 1 <= n < min_n, or when flagged
is 0 or n with 1 <= n < all_or_none_n. A hidden primary-sensitive cell with true
(n, x, y = n - x) and U = max(1, ceil(p * n)) is protected only when the attacker's
interval reaches x + U and y + U upwards and max(0, x - U), max(0, y - U) downwards:
never exact, never "none" or "all" provable, never narrowed below +-p of the group.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
KEYS = ["municipality", "grade", "gender"]
CELL = [*KEYS, "indicator_type", "indicator_id"]


@dataclass(frozen=True)
class Level:
    min_n: int = 20
    all_or_none_n: int = 50
    p: float = 0.10


def _text(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col):
        col = col.astype("Int64")
    return col.astype("string")


def indicator_columns(scored: pd.DataFrame, indicators) -> dict[tuple[str, str], str]:
    """(indicator_type, indicator_id) -> column of the scored file."""
    out = {}
    for itype, iid in indicators:
        col = f"outcome.{iid}" if itype == "outcome" else f"flag.{iid}"
        if col in scored:
            out[(itype, iid)] = col
    return out


def true_counts(scored: pd.DataFrame, indicators) -> pd.DataFrame:
    """n and x (flagged) of every published cell key, pooled rows included, as the
    respondents of the scored file have them (excluded questionnaires left out)."""
    base = scored[~scored["excluded"].astype(bool)]
    keys = pd.DataFrame({k: _text(base[k]) for k in KEYS})
    cols = indicator_columns(base, indicators)
    vals = pd.DataFrame({f"{t}\x1f{i}": base[c].astype("boolean") for (t, i), c in cols.items()})
    n = vals.notna().astype(np.int64)
    x = vals.fillna(False).astype(np.int64)
    parts = []
    for pooled in itertools.product([False, True], repeat=3):
        by = [k for k, p in zip(KEYS, pooled) if not p]
        ok = keys[by].notna().all(axis=1) if by else pd.Series(True, index=keys.index)
        if by:
            gn = n[ok].groupby([keys.loc[ok, k] for k in by]).sum()
            gx = x[ok].groupby([keys.loc[ok, k] for k in by]).sum()
            long = pd.DataFrame({"n": gn.stack(), "x": gx.stack()}).reset_index()
            long.columns = [*by, "indicator", "n", "x"]
        else:
            long = pd.DataFrame({"indicator": n.columns, "n": n.sum().to_numpy(), "x": x.sum().to_numpy()})
        for k, p in zip(KEYS, pooled):
            if p:
                long[k] = ALL
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    out[["indicator_type", "indicator_id"]] = out.pop("indicator").str.split("\x1f", expand=True)
    for k in KEYS:
        out[k] = out[k].astype(str)
    return out[[*CELL, "n", "x"]]


def implied(cells: pd.DataFrame, truth: pd.DataFrame, keys: list[str], level: Level) -> pd.Series:
    """Cells whose 0 % (or 100 %) follows from a larger group that the rules allow to show
    as 0 % (100 %): when grade 9 of 300 pupils reports 0 %, so does every group in it.
    The policy (docs/privacy.md) does not hide those; the attack may "prove" them."""
    big = max(level.min_n, level.all_or_none_n)
    zero = truth[(truth["n"] >= big) & (truth["x"] == 0)]
    full = truth[(truth["n"] >= big) & (truth["x"] == truth["n"])]
    dims = [k for k in keys if k in ("municipality", "grade", "gender")]
    rest = [k for k in keys if k not in dims]
    out = pd.Series(False, index=cells.index)
    for pooled in itertools.product([False, True], repeat=len(dims)):
        if not any(pooled):
            continue
        probe = cells[rest].copy()
        for k, p in zip(dims, pooled):
            probe[k] = ALL if p else cells[k]
        for table, side in ((zero, cells["x"] == 0), (full, cells["x"] == cells["n"])):
            hit = probe.merge(table[keys].drop_duplicates(), on=keys, how="left", indicator=True)["_merge"].eq("both")
            out |= side & hit.to_numpy()
    return out


def judge(intervals: pd.DataFrame, truth: pd.DataFrame, level: Level = Level()) -> pd.DataFrame:
    """Every hidden cell the attack covered, with its truth and verdicts.

    Columns added: n, x, y (truth), sensitive, exact (flagged count recovered),
    none_proven / all_proven (x_hi == 0 / y_hi == 0 in a non-empty cell),
    exposed (sensitive and below the protection level); none of these counts for a cell
    whose 0 % or 100 % a showable larger group implies (:func:`implied`)."""
    cells = intervals.merge(truth, on=CELL, how="left", validate="one_to_one")
    cells[["n", "x"]] = cells[["n", "x"]].fillna(0).astype(np.int64)  # a group nobody is in
    n, x = cells["n"], cells["x"]
    y = n - x
    cells["y"] = y
    cells["sensitive"] = ((n >= 1) & (n < level.min_n)) | (((x == 0) | (x == n)) & (n >= 1) & (n < level.all_or_none_n))
    u = np.maximum(1, np.ceil(level.p * n))
    wide = ((cells["x_hi"] >= x + u) & (cells["y_hi"] >= y + u)
            & (cells["x_lo"] <= np.maximum(0, x - u)) & (cells["y_lo"] <= np.maximum(0, y - u)))
    public = implied(cells, truth, CELL, level)
    cells["public"] = public
    cells["exact"] = (cells["x_lo"] == cells["x_hi"]) & ~public
    cells["none_proven"] = (n >= 1) & (cells["x_hi"] == 0) & ~public
    cells["all_proven"] = (n >= 1) & (cells["y_hi"] == 0) & ~public
    cells["exposed"] = cells["sensitive"] & ~wide & ~public
    # the attacker's interval must contain the truth, or the model is wrong
    inside = ((cells["x_lo"] <= x) & (x <= cells["x_hi"]) & (cells["y_lo"] <= y) & (y <= cells["y_hi"])
              & (cells["n_lo"] <= n) & (n <= cells["n_hi"]))
    if not inside.all():
        bad = cells.loc[~inside].head(3).to_dict("records")
        raise AssertionError(f"attacker's intervals exclude the truth: {bad}")
    return cells


def summary(cells: pd.DataFrame) -> dict[str, int]:
    nonempty = cells["n"] > 0
    return {
        "hidden": len(cells),
        "hidden_nonempty": int(nonempty.sum()),
        "exact_nonempty": int((cells["exact"] & nonempty).sum()),
        "sensitive": int(cells["sensitive"].sum()),
        "exposed": int(cells["exposed"].sum()),
        "none_or_all_proven": int((cells["none_proven"] | cells["all_proven"]).sum()),
    }


def describe(cells: pd.DataFrame, limit: int = 8) -> str:
    """The first exposed cells, readable in an assertion message."""
    bad = cells[cells["exposed"] | ((cells["n"] > 0) & cells["exact"]) | cells["none_proven"] | cells["all_proven"]]
    cols = [*CELL, "n", "x", "x_lo", "x_hi", "y_lo", "y_hi"]
    return f"{summary(cells)}\n{bad[cols].head(limit).to_string(index=False)}"


def true_screening(scored: pd.DataFrame) -> pd.DataFrame:
    """Questionnaires (n) and those failing each rule (x) per municipality x grade, with
    grade and municipality "all" rows, keyed like screening.csv; rule "excluded" is
    the union of the rules. Questionnaires without a grade count in grade "all" only."""
    rules = {c.removeprefix("screen."): scored[c].fillna(False).astype(bool) for c in scored if c.startswith("screen.")}
    rules["excluded"] = scored["excluded"].astype(bool)
    flags = pd.DataFrame(rules).astype(np.int64)
    m, g = _text(scored["municipality"]), _text(scored["grade"])
    parts = []
    for by in (["municipality", "grade"], ["municipality"], ["grade"], []):
        keys = {"municipality": m, "grade": g}
        ok = pd.concat([keys[k].notna() for k in by], axis=1).all(axis=1) if by else pd.Series(True, index=flags.index)
        if by:
            grouped = flags[ok].groupby([keys[k][ok] for k in by])
            x, n = grouped.sum(), grouped.size()
            long = x.stack().rename("x").reset_index()
            long.columns = [*by, "rule", "x"]
            long = long.merge(n.rename("n").reset_index().set_axis([*by, "n"], axis=1), on=by)
        else:
            long = pd.DataFrame({"rule": flags.columns, "x": flags.sum().to_numpy(), "n": len(flags)})
        for k in ("municipality", "grade"):
            if k not in by:
                long[k] = ALL
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    for k in ("municipality", "grade"):
        out[k] = out[k].astype(str)
    return out[["municipality", "grade", "rule", "n", "x"]]
