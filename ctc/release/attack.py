"""``ctc audit``: attack an output folder using nothing but what it publishes.

The release gate (:func:`ctc.release.protect.gate`) knows the true counts; a data
protection officer checking a release does not. This module redoes the attack from
the published CSV files: for every hidden cell it derives the interval of its flagged
count x, of its not-flagged count y = n − x and of n that is consistent with every
shown number and every line (the same network as :mod:`ctc.release.cells`). One
feasible flow is found by linear programming (scipy's HiGHS); from it, maximum flows
give each cell's exact range (the feasible set of a network flow is an integral
polytope, so these are the integer bounds).

A hidden cell *could be sensitive* when its n may be below ``min_n``, or when it may
be "none" or "all" of a group smaller than ``all_or_none_n``. Such a cell is exposed
when its count is determined, when "none" or "all" of a non-empty group is proven
(unless a shown larger cell of at least ``all_or_none_n`` respondents already shows
0 % or 100 %, which the rules allow), or when its interval is narrower than the
protection amount max(1, ⌈p·n⌉) of its smallest possible n.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import DataError
from .cells import ALL, REMAINDER, Cells, build_cells
from .network import _BIG, Flows
from .protect import containers

KEYS = ["municipality", "grade", "gender"]


@dataclass(frozen=True)
class AuditResult:
    cells: pd.DataFrame  # one row per hidden cell with its intervals and verdict
    checked: int  # hidden cells that could be sensitive
    settings: dict  # min_n, all_or_none_n, protection used

    @property
    def exposed(self) -> pd.DataFrame:
        return self.cells[self.cells["exposed"]]


def _feasible(cells: Cells, known: np.ndarray, value: np.ndarray) -> np.ndarray | None:
    """Values for the unknown cells that balance every line (None if none exist)."""
    net = cells.network
    unknown = np.flatnonzero(~known)
    balance = np.zeros(net.n_nodes)
    k = np.flatnonzero(known)
    np.add.at(balance, net.head[k], value[k])
    np.subtract.at(balance, net.tail[k], value[k])
    if unknown.size == 0:
        return value.astype(np.int64) if not balance.any() else None
    a = np.zeros((net.n_nodes, unknown.size))
    a[net.head[unknown], np.arange(unknown.size)] += 1
    a[net.tail[unknown], np.arange(unknown.size)] -= 1
    res = linprog(np.zeros(unknown.size), A_eq=a, b_eq=-balance, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    out = value.astype(np.int64).copy()
    out[unknown] = np.rint(res.x).astype(np.int64)
    return out


def _ranges(cells: Cells, known: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    point = _feasible(cells, known, value)
    if point is None:
        return None
    cap = np.where(known, point, point + _BIG)  # a hidden count can grow without a known bound
    lo, hi = point.copy(), point.copy()
    flows = Flows(cells.network, point, cap, ~known)
    for c in np.flatnonzero(~known):
        up, down = flows.room(int(c))
        lo[c], hi[c] = point[c] - down, point[c] + up
    return lo, hi


def _family(cells: Cells, shown: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...] | None:
    xr, yr = _ranges(cells, shown, x), _ranges(cells, shown, y)
    if xr is None or yr is None:
        return None
    return (*xr, *yr)


def _verdicts(frame: pd.DataFrame, min_n: int, all_or_none_n: int, protection: float) -> pd.DataFrame:
    n_lo, n_hi = frame["n_lo"], frame["n_hi"]
    could = (n_lo < min_n) | (((frame["x_lo"] == 0) | (frame["y_lo"] == 0)) & (n_lo < all_or_none_n))
    u = np.maximum(1, np.ceil(protection * n_lo - 1e-9))
    # a count that is 0 (or n) because a shown larger cell says 0 % (100 %) is no secret
    public = (frame["zero_public"] & (frame["x_hi"] == 0)) | (frame["full_public"] & (frame["y_hi"] == 0))
    exact = (frame["x_lo"] == frame["x_hi"]) & (n_hi > 0) & ~public
    none = (frame["x_hi"] == 0) & (frame["y_lo"] >= 1) & ~frame["zero_public"]
    every = (frame["y_hi"] == 0) & (frame["x_lo"] >= 1) & ~frame["full_public"]
    narrow = (np.minimum(frame["x_hi"] - frame["x_lo"], frame["y_hi"] - frame["y_lo"]) < u) & (n_hi > 0)
    out = frame.assign(could_be_sensitive=could, exact=could & exact, none_proven=could & none,
                       all_proven=could & every, narrow=could & narrow & ~(frame["zero_public"] | frame["full_public"]))
    out["exposed"] = out[["exact", "none_proven", "all_proven", "narrow"]].any(axis=1)
    room = np.minimum(out["x_hi"] - out["x_lo"], out["y_hi"] - out["y_lo"]) - u
    out["room"] = np.where(public, np.inf, room)  # a publicly 0 % / 100 % count needs no room
    return out


def _public(cells: Cells, shown: np.ndarray, x: np.ndarray, y: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """Hidden cells whose 0 % (100 %) a shown container of >= threshold respondents states."""
    n = x + y
    zero = np.zeros(len(x), dtype=bool)
    full = np.zeros(len(x), dtype=bool)
    for c, cont in enumerate(containers(cells)):
        cont = [k for k in cont if shown[k] and n[k] >= threshold]
        zero[c] = any(x[k] == 0 for k in cont)
        full[c] = any(y[k] == 0 for k in cont)
    return zero, full


def _attack_table(frame: pd.DataFrame, group: list[str], has_gender: bool, n_col: str, x_col: str,
                  min_n: int, all_or_none_n: int, protection: float) -> pd.DataFrame:
    munis = sorted(set(frame["municipality"]) - {ALL})
    grades = sorted(set(frame["grade"]) - {ALL}, key=lambda g: (0, float(g), g) if g.replace(".", "", 1).isdigit() else (1, 0.0, g))
    genders = sorted(set(frame["gender"]) - {ALL}) if has_gender else []
    whole = (frame["municipality"] == ALL).any()
    rows = []
    for key, part in frame.groupby(group, sort=False):
        result = None
        for extra in ([], [REMAINDER]) if has_gender else ([],):
            cells = build_cells(munis, grades, [*genders, *extra], whole=bool(whole))
            index = {k: i for i, k in enumerate(cells.keys.itertuples(index=False, name=None))}
            shown = np.zeros(len(index), dtype=bool)
            x = np.zeros(len(index), dtype=np.int64)
            y = np.zeros(len(index), dtype=np.int64)
            seen = np.zeros(len(index), dtype=bool)
            for r in part.itertuples(index=False):
                c = index.get((r.municipality, r.grade, r.gender if has_gender else ALL))
                if c is None:
                    continue
                seen[c] = True
                n_val, x_val = getattr(r, n_col), getattr(r, x_col)
                if not r.suppressed and pd.notna(n_val) and pd.notna(x_val):
                    shown[c], x[c], y[c] = True, int(x_val), int(n_val) - int(x_val)
            result = _family(cells, shown, x, y)
            if result is not None:
                break
        if result is None:
            raise DataError(f"the published numbers of {key} do not add up along their lines",
                            "this folder was not written by ctc profile, or a file was edited")
        x_lo, x_hi, y_lo, y_hi = result
        zero, full = _public(cells, shown, x, y, max(min_n, all_or_none_n))
        target = seen & ~shown
        keys = cells.keys[target].reset_index(drop=True)
        for g, v in zip(group, key if isinstance(key, tuple) else (key,)):
            keys[g] = v
        rows.append(keys.assign(x_lo=x_lo[target], x_hi=x_hi[target], y_lo=y_lo[target], y_hi=y_hi[target],
                                zero_public=zero[target], full_public=full[target]))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    big = _BIG // 2
    for col in ("x_hi", "y_hi"):
        out[col] = out[col].where(out[col] < big, np.iinfo(np.int64).max // 4)
    out["n_lo"], out["n_hi"] = out["x_lo"] + out["y_lo"], out["x_hi"] + out["y_hi"]
    return _verdicts(out, min_n, all_or_none_n, protection)


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype={"municipality": str, "grade": str, "gender": str}, keep_default_na=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}", "give the output folder of a ctc profile run") from None


def _unquote(series: pd.Series) -> pd.Series:
    """Undo the formula-safety apostrophe so names match across files."""
    return series.astype(str).str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)


def audit_folder(outdir: str | Path, *, min_n: int | None = None, all_or_none_n: int | None = None,
                 protection: float | None = None) -> AuditResult:
    """Attack ``outdir`` (a ``ctc profile`` output folder) from its published files.

    Thresholds default to those recorded in the folder's manifest."""
    import json

    folder = Path(outdir)
    profile_path = folder / "profile.csv"
    if not profile_path.is_file():
        raise DataError(f"{profile_path} not found", "give the output folder of a ctc profile run")
    settings: dict = {}
    try:
        settings = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("suppression", {})
    except (OSError, ValueError):
        settings = {}
    min_n = min_n if min_n is not None else int(settings.get("min_n", 20))
    all_or_none_n = all_or_none_n if all_or_none_n is not None else int(settings.get("all_or_none_n", 50))
    protection = protection if protection is not None else float(settings.get("protection", 0.10))
    profile = _read(profile_path)
    profile["municipality"] = _unquote(profile["municipality"])
    profile["suppressed"] = profile["suppressed"].astype(str).str.lower() == "true"
    if ((profile["grade"] != ALL) & (profile["gender"] != ALL)).any():
        raise DataError(f"{profile_path} publishes grade × gender cells: it was written by an older ctc",
                        "rerun ctc profile with this version (it no longer publishes them) and audit the new folder")
    parts = [_attack_table(profile, ["indicator_type", "indicator_id"], True, "n", "n_flagged", min_n, all_or_none_n,
                           protection).assign(table="profile")]
    screening_path = folder / "screening.csv"
    if screening_path.is_file():
        scr = _read(screening_path)
        if len(scr):
            scr["municipality"] = _unquote(scr["municipality"])
            scr["gender"] = ALL
            scr["suppressed"] = scr["flagged"].isna() | scr["respondents"].isna()
            parts.append(_attack_table(scr, ["rule"], False, "respondents", "flagged", min_n, all_or_none_n,
                                       protection).assign(table="screening"))
    cells = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else pd.DataFrame(
        columns=["table", *KEYS, "exposed", "could_be_sensitive", "room"])
    used = {"min_n": min_n, "all_or_none_n": all_or_none_n, "protection": protection}
    return AuditResult(cells, int(cells["could_be_sensitive"].sum()) if len(cells) else 0, used)
