"""The mark that travels with simulated survey data.

``ctc simulate`` writes a column ``ctc_synthetic`` (1 on every row) into every file it
makes — CSV, Excel, SPSS and Parquet alike — so the mark survives copying, renaming,
re-saving in Excel and cutting rows: a column stays with the rows, where a file-level
property or a sidecar file is lost on the way. ``ctc profile`` recognises a file with
the column as synthetic (manifest ``input.synthetic``), and every output made from the
run carries the synthetic-data mark.
"""

from __future__ import annotations

from collections.abc import Iterable

SYNTHETIC_COLUMN = "ctc_synthetic"
SYNTHETIC_LABEL = "Synthetic data made by ctc simulate (1 = simulated respondent)"


def has_synthetic_mark(columns: Iterable[str]) -> bool:
    """True when the columns of a survey file include the simulator's mark."""
    return any(str(c).strip().lower() == SYNTHETIC_COLUMN for c in columns)
