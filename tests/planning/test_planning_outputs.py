"""Rebuilding a municipality's context from a finished run's output files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from planning_data import write_outputs

from ctc.errors import OutputError, UsageError
from ctc.planning import context_from_outputs, municipalities_in, suggest_programmes


def test_context_round_trips_through_the_csv_files(ctx, tmp_path: Path) -> None:
    write_outputs(ctx, tmp_path)
    back = context_from_outputs(tmp_path, "Testhausen")
    assert municipalities_in(tmp_path) == ["Testhausen"]
    assert back.lang == "en" and back.instrument.id == ctx.instrument.id
    assert len(back.table) == len(ctx.table) and len(back.whole) == len(ctx.whole)
    np.testing.assert_allclose(back.table["pct"].to_numpy(float), ctx.table["pct"].to_numpy(float), equal_nan=True)
    assert back.table["suppressed"].tolist() == ctx.table["suppressed"].tolist()
    assert back.priorities["shortlisted"].tolist() == ctx.priorities["shortlisted"].tolist()
    assert back.priorities["reason"].tolist() == ctx.priorities["reason"].tolist()
    assert back.baseline is not None and back.baseline.sources == ["Synthetic reference survey"] and back.baseline.years == [2024]
    assert back.options.bootstrap == ctx.options.bootstrap
    assert back.checks[["code", "count"]].values.tolist() == [["invalid-code", 3]]
    assert [m.programme.id for m in suggest_programmes(back)[0]] == [m.programme.id for m in suggest_programmes(ctx)[0]]


def test_labels_and_reasons_in_another_language(ctx, ctx_de, tmp_path: Path) -> None:
    write_outputs(ctx, tmp_path)
    de = context_from_outputs(tmp_path, "Testhausen", lang="de")
    assert de.lang == "de"
    assert de.priorities["label"].tolist() == ctx_de.priorities["label"].tolist()
    assert de.priorities["reason"].tolist() == ctx_de.priorities["reason"].tolist()
    assert set(de.table["label"]) == set(ctx_de.table["label"])


def test_problem_rows_are_counted(ctx, tmp_path: Path) -> None:
    write_outputs(ctx, tmp_path, detail_checks=True)
    back = context_from_outputs(tmp_path, "Testhausen")
    assert back.checks[["code", "severity", "count"]].values.tolist() == [["invalid-code", "warning", 3]]


def test_unknown_municipality_and_missing_files(ctx, tmp_path: Path) -> None:
    write_outputs(ctx, tmp_path)
    with pytest.raises(UsageError, match="'Nowhere' is not in") as info:
        context_from_outputs(tmp_path, "Nowhere")
    assert info.value.hint == "choose one of: Testhausen"
    (tmp_path / "priorities.csv").unlink()
    with pytest.raises(OutputError, match="priorities.csv"):
        context_from_outputs(tmp_path, "Testhausen")
    with pytest.raises(OutputError, match="not found"):
        context_from_outputs(tmp_path / "missing", "Testhausen")
