"""The board's planning workbook (``planning.xlsx``) and programme suggestions.

* :func:`write_planning_workbook` — a new workbook for one municipality;
* :func:`update_planning_workbook` — refresh an existing one from new data and keep
  everything the board typed (matched by stable keys; nothing is dropped);
* :func:`suggest_programmes` — ranked catalogue programmes for the municipality's
  priorities and surveyed ages, with the programme × factor matrix;
* :func:`context_from_outputs` — rebuild a municipality's context from the CSV files
  and manifest of a finished ``ctc profile`` run.
"""

from .match import (
    planning_priorities,
    suggest_programmes,
    surveyed_ages,
    surveyed_grades,
)
from .outputs import context_from_outputs, municipalities_in
from .read import read_workbook
from .relabel import relabel_context
from .workbook import (
    PlanningResult,
    UpdateResult,
    update_planning_workbook,
    write_planning_workbook,
)

__all__ = [
    "PlanningResult",
    "UpdateResult",
    "context_from_outputs",
    "municipalities_in",
    "planning_priorities",
    "read_workbook",
    "relabel_context",
    "suggest_programmes",
    "surveyed_ages",
    "surveyed_grades",
    "update_planning_workbook",
    "write_planning_workbook",
]
