"""The profile computation on a scored frame: estimate → protect → compare → BH → priorities.

Pure: no files. ``ctc.profile.run`` adds reading, scoring and the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..instrument.model import Instrument
from ..release.protect import Protected, protect_profile
from ..release.publish import profile_rules
from ..stats import bh_adjust_grouped
from .baseline import Baseline, compare
from .cells import prepare
from .estimate import check_design, estimate_cells
from .indicators import Indicator, indicators
from .memory import trim
from .options import ProfileOptions
from .priorities import prioritise

PROFILE_COLUMNS = [
    "municipality", "grade", "gender", "indicator_type", "indicator_id", "label", "n", "n_flagged", "pct",
    "ci_low", "ci_high", "suppressed", "suppression_reason", "baseline_pct", "diff_pp", "p_value", "q_value",
    # beyond the required columns: how each number was obtained
    "baseline_n", "diff_ci_low", "diff_ci_high", "test", "se", "df", "deff", "n_eff", "ci_method", "weighted",
    # under clusters: the design's own (logit) interval beside the shown one, and what the shown one used
    "design_ci_low", "design_ci_high", "n_eff_gvf", "df_gvf",
]


@dataclass(frozen=True)
class ProfileTables:
    table: pd.DataFrame  # PROFILE_COLUMNS, suppressed cells blank
    priorities: pd.DataFrame
    indicators: tuple[Indicator, ...]
    protection: Protected | None = None  # the suppression pattern and what the audit needs


def profile_tables(scored: pd.DataFrame, inst: Instrument, baseline: Baseline | None, options: ProfileOptions,
                   engine: Any = None) -> ProfileTables:
    """``engine``: where the per-municipality estimates and bootstraps run (a
    :class:`ctc.engine.dask_engine.DaskSession`); None: in this process."""
    estimate, prio = (estimate_cells, prioritise) if engine is None else (engine.estimate_cells, engine.prioritise)
    inds = indicators(inst)
    remote = getattr(engine, "rows", None)  # the respondent rows held on the Dask workers
    if remote is not None:
        found = remote.summary()
        genders = (list(inst.genders or {}) or sorted(found.genders)) if "gender" in scored else []
        check_design(scored, options, has_school=found.school_any)
        cells = engine.prepare(inds, options)  # each municipality's arrays, built and kept on the workers
    else:
        genders = (list(inst.genders or {}) or sorted(set(scored["gender"].dropna().astype(str).unique()))
                   if "gender" in scored else [])
        check_design(scored, options)
        cells = prepare(scored, inds, options)  # the respondent table split once, for the estimate and the bootstrap
    estimates = estimate(cells, options)
    trim()  # the kernel's temporaries (one float64 block per indicator chunk)
    # the indicators' tables in the render processes' number of processes (not beside a Dask client's threads)
    table, protection = protect_profile(estimates, genders, profile_rules(options.suppression),
                                        workers=options.workers if engine is None else 1)
    table = compare(table, baseline, options.level)
    # one family of comparisons per municipality (the whole file is a family of its own)
    table["q_value"] = bh_adjust_grouped(table["p_value"].to_numpy(dtype=float), table["municipality"].astype(str).to_numpy())
    labels = {(i.type, i.id): i.name(options.lang) for i in inds}
    table["label"] = [labels[k] for k in zip(table["indicator_type"], table["indicator_id"])]
    table = table[PROFILE_COLUMNS]
    priorities = prio(table, scored, inds, options, baseline is not None, cells=cells)
    return ProfileTables(table, priorities, inds, protection)
