"""One release step for everything a run publishes: protect → audit → write.

``ctc profile`` (and later ``ctc compare`` and ``ctc materials``) hand their tables to
:func:`release`; renderers get their numbers only from the returned :class:`Release`,
whose tables have passed the audit gate; :meth:`Release.write_tables` writes the CSV
files, formula-safe, at full precision, into the run's staging folder (which
``ctc.io.atomic.atomic_dir`` moves into place only when everything is written).
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..profile.memory import resident
from .csvsafe import write_csv
from .protect import Protected, Rules, gate, protect_screening

#: priorities columns that describe a factor's published cell (blank when it is hidden)
_CELL_VALUES = ("pct", "ci_low", "ci_high", "diff_pp", "q_value", "top_share")


@dataclass(frozen=True)
class Release:
    """The published tables of one run (every number in them passed the audit)."""

    profile: pd.DataFrame
    priorities: pd.DataFrame
    screening: pd.DataFrame
    checks: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def write_tables(self, folder: Path) -> list[str]:
        names = {"profile.csv": self.profile, "priorities.csv": self.priorities,
                 "screening.csv": self.screening, "checks.csv": self.checks}
        for name, frame in names.items():
            write_csv(frame, folder / name, encoding="utf-8")
        return list(names)


def profile_rules(suppression: Any) -> Rules:
    return Rules(suppression.min_n, suppression.all_or_none_n, suppression.protection)


def screening_rules(suppression: Any) -> Rules:
    return Rules(suppression.min_n, suppression.all_or_none_n, suppression.protection,
                 min_count=suppression.min_count, zero_sensitive=False)


def _priorities(priorities: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """A factor whose pooled cell is hidden shows no number (its bootstrap share included)."""
    if priorities is None or priorities.empty:
        return priorities
    pooled = profile[(profile["grade"].astype(str) == "all") & (profile["gender"].astype(str) == "all")]
    hidden = {(m, i) for m, i, s in zip(pooled["municipality"].astype(str), pooled["indicator_id"].astype(str),
                                         pooled["suppressed"]) if s}
    out = priorities.copy()
    mask = np.array([(m, i) in hidden for m, i in zip(out["municipality"].astype(str), out["indicator_id"].astype(str))],
                    dtype=bool)
    for col in _CELL_VALUES:
        if col in out:
            out.loc[mask, col] = np.nan
    return out


def _checks(checks: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Data-problem counts: small counts are not shown (the code says a problem exists)."""
    if checks is None or checks.empty or "count" not in checks:
        return checks
    out = checks.copy()
    counts = out["count"].astype("Int64")
    small = (counts >= 1) & (counts < min_count)
    out["count"] = counts.mask(small)
    out["suppressed"] = small.fillna(False).astype(bool)
    return out


class ScreeningAhead:
    """The screening table's protection, started before the profile is estimated.

    The screening table does not depend on the profile, so with ``workers`` > 1 it is
    protected in a forked process while this one estimates and protects the profile (whose
    stages leave the second core idle for most of a second); otherwise it is protected when
    asked for. Call it for the protected table (pass it to :func:`release` as
    ``screening``); :meth:`close` ends the process if the run stops first.

    Not in a process of more than :data:`AHEAD_UP_TO` resident: a forked child keeps the
    old copy of every page the parent then writes, which with a million respondents' table
    in memory cost 0.5 GiB and 0.7 s for a table protected in 0.3 s. The child ends as
    soon as its table is done (a thread takes the result and closes the pool)."""

    def __init__(self, screening: pd.DataFrame, suppression: Any, workers: int) -> None:
        self.screening, self.rules, self.workers = screening, screening_rules(suppression), workers
        self.pool: ProcessPoolExecutor | None = None
        rss = resident()
        if (workers <= 1 or screening is None or screening.empty or multiprocessing.current_process().daemon
                or "fork" not in multiprocessing.get_all_start_methods() or rss is None or rss > AHEAD_UP_TO):
            return
        gc.freeze()  # the child does not copy the parent's heap by collecting it (ctc.threads.frozen_heap)
        try:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            self.future = self.pool.submit(_protect_screening, screening, self.rules)  # forks here
        finally:
            gc.unfreeze()
        pool = self.pool
        self.done = threading.Thread(target=lambda: (wait([self.future]), pool.shutdown()), daemon=True)
        self.done.start()

    def __call__(self) -> pd.DataFrame:
        if self.pool is None:
            return protect_screening(self.screening, self.rules, self.workers)[0]
        try:
            return self.future.result()
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:  # the thread closes the pool once the table is done (a fraction of a second)
            self.done.join()
            self.pool = None


#: the largest resident size (bytes) of a process that protects the screening table ahead
AHEAD_UP_TO = 1 * 2**30


def _protect_screening(screening: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    return protect_screening(screening, rules, 1)[0]


def release(profile: pd.DataFrame, protection: Protected, priorities: pd.DataFrame,
            screening: pd.DataFrame | ScreeningAhead, checks: pd.DataFrame, suppression: Any,
            workers: int = 1) -> Release:
    """Protect what is not protected yet, re-audit everything, and return the publication.

    ``profile`` was protected by :func:`ctc.release.protect.protect_profile` (the
    comparisons and priorities are computed on it); its audit is repeated here from
    scratch, so a table changed after protection cannot slip through (a pattern whose very
    arrays passed the same audit is not attacked twice: :func:`ctc.release.protect.gate`).
    ``screening``: the screening audit, or a :class:`ScreeningAhead` giving it protected.
    ``workers``: processes for the screening table's protection and the audits."""
    t0 = time.perf_counter()
    rules = profile_rules(suppression)
    if gate(protection, rules, workers):
        raise RuntimeError("disclosure audit failed: the profile table is not protected")
    if isinstance(screening, ScreeningAhead):
        shown_screening = screening()
    else:
        shown_screening = protect_screening(screening, screening_rules(suppression), workers)[0]
    published = _priorities(priorities, profile)
    summary = {
        "model": "network secondary suppression with audit (docs/privacy.md)",
        "protection_level": rules.protection,
        "profile_cells": int(len(profile)),
        "profile_hidden": int(profile["suppressed"].sum()),
        "profile_sensitive": int((protection.sensitive & protection.cells.published[:, None]).sum()),
        "screening_cells": int(len(shown_screening)) if shown_screening is not None else 0,
        "screening_hidden": int(shown_screening["suppressed"].sum()) if shown_screening is not None and len(shown_screening) else 0,
        "audit": "passed",
    }
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return Release(profile, published, shown_screening, _checks(checks, suppression.min_count), summary)
