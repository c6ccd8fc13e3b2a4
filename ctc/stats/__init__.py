"""Statistics core: prevalence estimates, intervals and tests for CTC profiles.

* :mod:`ctc.stats.proportions` — unweighted Wilson / Clopper–Pearson intervals, score and
  pooled z tests, Newcombe interval for a difference, Cohen's h;
* :mod:`ctc.stats.multiple` — Benjamini–Hochberg q-values that ignore suppressed (NaN) cells;
* :mod:`ctc.stats.design`, :mod:`ctc.stats.domains`, :mod:`ctc.stats.weighted` — design-based
  weighted prevalences with Taylor-linearised SEs and logit intervals, equal to R ``survey``.

See ``docs/statistics.md`` for the methods and the R oracle that checks them.
"""

from .design import DesignError, LonelyPsu, SchoolRole, SurveyDesign, school_design
from .domains import Domains
from .multiple import bh_adjust, bh_adjust_grouped
from .proportions import (
    clopper_pearson_interval,
    cohens_h,
    newcombe_interval,
    normal_quantile,
    score_test_fixed,
    two_proportion_test,
    wilson_interval,
)
from .weighted import (
    CiStatus,
    DomainEstimates,
    design_t_test_fixed,
    domain_proportions,
    logit_interval,
)

__all__ = [
    "CiStatus",
    "DesignError",
    "DomainEstimates",
    "Domains",
    "LonelyPsu",
    "SchoolRole",
    "SurveyDesign",
    "bh_adjust",
    "bh_adjust_grouped",
    "clopper_pearson_interval",
    "cohens_h",
    "design_t_test_fixed",
    "domain_proportions",
    "logit_interval",
    "newcombe_interval",
    "normal_quantile",
    "school_design",
    "score_test_fixed",
    "two_proportion_test",
    "wilson_interval",
]
