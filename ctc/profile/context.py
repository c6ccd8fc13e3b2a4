"""What a per-municipality report or workbook is rendered from (one object, no file I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..instrument.model import Instrument
from .baseline import Baseline
from .indicators import Indicator
from .options import ProfileOptions


@dataclass(frozen=True)
class MunicipalityContext:
    """Everything a board-facing output of one municipality shows — aggregates only.

    table:       the municipality's rows of profile.csv (PROFILE_COLUMNS, suppressed cells
                 blank, labels in ``lang``), all grades × genders × indicators incl. pooled rows.
    whole:       the whole file's rows (``municipality == "all"``), for context.
    priorities:  the municipality's rows of priorities.csv.
    screening:   the municipality's rows of the screening audit (incl. grade "all").
    checks:      data-problem counts: code, severity, count, description (whole run).
    manifest:    the run manifest (toolkit/instrument/input provenance, options).
    """

    municipality: str
    instrument: Instrument
    indicators: tuple[Indicator, ...]
    table: pd.DataFrame
    whole: pd.DataFrame
    priorities: pd.DataFrame
    screening: pd.DataFrame
    checks: pd.DataFrame
    baseline: Baseline | None
    options: ProfileOptions
    manifest: dict[str, Any] = field(default_factory=dict)
    #: results derived from the fields above, asked for by both the report and the workbook
    #: (programme matches, planning priorities); not an init field, so ``replace`` starts afresh
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # text columns as Python strings: the report and the workbook walk these rows one by one
        # (itertuples, dict look-ups), and pandas' Arrow-backed strings are boxed one element at a
        # time there — a tenth of a workbook's build time; the values are the same
        for name in ("table", "whole", "priorities", "screening", "checks"):
            object.__setattr__(self, name, python_text(getattr(self, name)))

    @property
    def lang(self) -> str:
        return self.options.lang


def python_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow-backed text columns as Python strings (a copy), or ``frame``
    itself when it has none (see MunicipalityContext.__post_init__)."""
    text = [c for c, d in frame.dtypes.items() if isinstance(d, pd.StringDtype)]
    labels = [c for c, d in frame.dtypes.items()
              if isinstance(d, pd.CategoricalDtype) and isinstance(d.categories.dtype, pd.StringDtype)]
    if not text and not labels:
        return frame
    frame = frame.copy()
    for c in text:
        frame[c] = frame[c].astype(object)
    for c in labels:  # the same codes and order, the categories as Python strings
        cat = frame[c].cat
        frame[c] = pd.Categorical.from_codes(cat.codes, categories=pd.Index(cat.categories.tolist(), dtype=object),
                                             ordered=cat.ordered)
    return frame
