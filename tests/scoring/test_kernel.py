"""The fast kernel against a plain one-respondent-at-a-time scorer, on dirty data, and
the same answers whatever the column types, chunk sizes, row blocks and threads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reference_scoring import assert_matches_reference, reference_scores
from ruamel.yaml import YAML

from ctc.instrument import load_instrument
from ctc.pipeline import run
from ctc.scoring import kernel, score_frame
from ctc.scoring.plan import compile_plan
from ctc.simulate import SimulationOptions, simulate_frame

DIRT = [0, 7, 99, -1, 127, 1.5]  # mostly not answer codes (some response sets have 0 or 7)


def dirty(frame: pd.DataFrame, inst, seed: int = 5, share: float = 0.01) -> pd.DataFrame:
    """Simulated answers with invalid codes and extra empty cells sprinkled in."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for item in inst.items:
        col = item.source_column
        values = out[col].astype("float64").to_numpy(copy=True)
        bad = rng.random(len(out)) < share
        values[bad] = rng.choice(DIRT, size=int(bad.sum()))
        values[rng.random(len(out)) < share] = np.nan
        out[col] = values
    return out


@pytest.fixture(scope="module")
def shipped_dirty():
    inst = load_instrument()
    frame = simulate_frame(inst, SimulationOptions(municipalities=2, respondents=600, seed=11))
    return inst, dirty(frame, inst)


def test_kernel_equals_the_plain_scorer_on_dirty_data(shipped_dirty) -> None:
    inst, frame = shipped_dirty
    assert_matches_reference(score_frame(frame, inst), reference_scores(frame, inst))


ARROW_TYPES = {
    "int8": pa.int8(), "uint8": pa.uint8(), "int16": pa.int16(), "int32": pa.int32(),
    "int64": pa.int64(), "float32": pa.float32(), "float64": pa.float64(), "text": pa.string(),
}


def _as_parquet(frame: pd.DataFrame, inst, kind: str, path: Path) -> Path:
    """Items stored as one Arrow type (nulls kept as nulls); dictionary-encoded text for 'text'."""
    items = {i.source_column for i in inst.items}
    arrays = {}
    for name in frame.columns:
        col = frame[name]
        if name not in items:
            arrays[name] = pa.array(col, from_pandas=True)
            continue
        values = col.astype("float64")
        if kind == "text":
            text = values.map(lambda v: None if pd.isna(v) else (str(int(v)) if v == int(v) else str(v)))
            arrays[name] = pa.array(text, type=pa.string()).dictionary_encode()
        elif kind.startswith(("int", "uint")):
            arrays[name] = pa.array(values.where(values == values.round()).round(), from_pandas=True).cast(ARROW_TYPES[kind], safe=False)
        else:
            arrays[name] = pa.array(values, from_pandas=True).cast(ARROW_TYPES[kind])
    pq.write_table(pa.table(arrays), path, row_group_size=500)
    return path


@pytest.mark.parametrize("kind", list(ARROW_TYPES))
def test_every_arrow_column_type_scores_and_reports_alike(shipped_dirty, tmp_path: Path, kind: str) -> None:
    """Parquet item columns reach the kernel as Arrow arrays; 1-byte integers take the
    direct path into the scale sums. Scores, flags and every invalid-code report must
    equal the pandas path's."""
    inst, frame = shipped_dirty
    if kind in ("int8", "uint8", "int16", "int32", "int64"):
        frame = frame.copy()  # integer columns cannot hold 1.5; uint8 cannot hold -1
        for item in inst.items:
            col = frame[item.source_column]
            frame[item.source_column] = col.where(col != 1.5, 7).where(col != -1, 0) if kind == "uint8" else col.where(col != 1.5, 7)
    expected_scores = score_frame(frame, inst)
    path = _as_parquet(frame, inst, kind, tmp_path / f"{kind}.parquet")
    kept: list[pd.DataFrame] = []
    result = run(path, inst, keep=lambda s: kept.append(s.to_pandas()) or s.to_pandas())
    got = pd.concat(kept).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns=["respondent", "municipality", "school", "gender", "wave"], errors="ignore"),
                                  expected_scores.drop(columns=["respondent", "municipality", "school", "gender", "wave"], errors="ignore"),
                                  check_dtype=False)
    csv = tmp_path / "same.csv"
    frame.to_csv(csv, index=False, float_format="%g")  # codes as typed: 7, not 7.0
    reference = run(csv, inst).checks.frame()
    checks = result.checks.frame()
    for code in ("invalid-code", "non-numeric-code"):
        want = reference[reference["code"] == code][["row", "column", "value"]].reset_index(drop=True)
        got_rows = checks[checks["code"] == code][["row", "column", "value"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got_rows, want, check_dtype=False)
    assert result.checks.count("invalid-code") > 100


def test_invalid_code_in_a_byte_column_is_located_and_treated_as_missing(tmp_path: Path) -> None:
    inst = load_instrument()
    frame = simulate_frame(inst, SimulationOptions(municipalities=1, respondents=50, seed=2, invalid_share=0, missing_share=0))
    scale = next(s for s in inst.scales if s.method == "mean" and len(s.items) >= 3 and not s.reverse)
    column = inst.item_by_id[scale.items[0]].source_column
    frame[column] = frame[column].astype("float64")
    frame.loc[7, column] = 0  # invalid
    path = tmp_path / "one.parquet"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(table.schema.get_field_index(column), column, pa.array(frame[column], from_pandas=True).cast(pa.int8()))
    pq.write_table(table, path)
    kept: list[pd.DataFrame] = []
    result = run(path, inst, keep=lambda s: kept.append(s.to_pandas()) or s.to_pandas())
    detail = result.checks.frame()
    hit = detail[detail["code"] == "invalid-code"]
    assert hit[["row", "column", "value"]].astype(str).values.tolist() == [["8", column, "0"]]
    others = [inst.item_by_id[i].source_column for i in scale.items[1:]]
    rs = [inst.response_set_of(i) for i in scale.items[1:]]
    expected = np.mean([r.value_of(int(frame.loc[7, c])) for r, c in zip(rs, others, strict=True)])
    assert kept[0].loc[7, f"score.{scale.id}"] == pytest.approx(expected)


def test_chunks_blocks_and_threads_do_not_change_anything(shipped_dirty, tmp_path: Path, monkeypatch) -> None:
    inst, frame = shipped_dirty
    path = _as_parquet(frame, inst, "int8", tmp_path / "s.parquet")

    def scored(**kw) -> tuple[pd.DataFrame, pd.DataFrame]:
        kept: list[pd.DataFrame] = []
        result = run(path, inst, keep=lambda s: kept.append(s.to_pandas()) or s.to_pandas(), **kw)
        return pd.concat(kept), result.checks.frame()

    base, base_checks = scored(threads=1)
    monkeypatch.setattr(kernel, "BLOCK_ROWS", 97)  # many row blocks per chunk
    monkeypatch.setattr(kernel, "MIN_SPLIT_ROWS", 50)
    from ctc.io.read import ReadOptions

    for kw in ({"threads": 2}, {"threads": 3, "read": ReadOptions(chunk_rows=333)}):
        got, checks = scored(**kw)
        pd.testing.assert_frame_equal(got, base)
        pd.testing.assert_frame_equal(checks, base_checks)
    # the kernel's own row blocks (pandas columns, 2 threads) against one block
    columns, grades, plan = [frame[i.source_column] for i in inst.items], np.full(len(frame), 8.0), compile_plan(inst)
    blocks = kernel.score_columns(columns, grades, plan, threads=2)
    monkeypatch.setattr(kernel, "BLOCK_ROWS", 10**9)
    whole = kernel.score_columns(columns, grades, plan, threads=1)
    for name in ("scores", "flags", "outcomes", "screens"):
        for a, b in zip(getattr(blocks, name), getattr(whole, name), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(blocks.invalid_rows, whole.invalid_rows)
    np.testing.assert_array_equal(blocks.invalid_items, whole.invalid_items)
    assert blocks.invalid_rows.size > 0


@pytest.mark.parametrize("items", [1, 2, 7, 195, 300])
def test_missing_share_threshold_equals_the_float_rule(items: int) -> None:
    answered = np.arange(items + 1)
    for share in (0.0, 0.1, 0.25, 1 / 3, 0.5, 0.7, 0.999, 1.0):
        expected = (items - answered) / items > share
        assert (kernel._missing_share_above(answered, items, share) == expected).all(), (items, share)


def _custom_instrument(tmp_path: Path) -> Path:
    """Scales that leave the fast 8/16-bit path: many items, negative and fractional
    values, max with min_valid 2, per-grade cut-points, codes with a far missing code."""
    yaml = YAML(typ="safe", pure=True)
    doc = yaml.load((Path(__file__).parent.parent / "data" / "mini.yaml").read_text(encoding="utf-8"))
    doc["id"] = "wide"
    doc["response_sets"]["wide"] = {"codes": {c: str(c) for c in range(0, 41)}, "missing": [9999]}
    doc["response_sets"]["signed"] = {"codes": {1: "a", 2: "b", 3: "c"}, "values": {1: -2, 2: 0, 3: 5}, "missing": [-9]}
    doc["response_sets"]["frac"] = {"codes": {1: "a", 2: "b", 3: "c"}, "values": {1: 0, 2: 0.333333, 3: 1}}
    for k in range(12):
        doc["items"].append({"id": f"w{k}", "text": f"w{k}", "response_set": "wide"})
    for k in range(3):
        doc["items"].append({"id": f"s{k}", "text": f"s{k}", "response_set": "signed"})
        doc["items"].append({"id": f"f{k}", "text": f"f{k}", "response_set": "frac"})
    common = {"domain": "family", "kind": "risk", "direction": "above"}
    doc["scales"] += [
        {"id": "wide_sum", "label": "w", "items": [f"w{k}" for k in range(12)], "method": "sum", "min_valid": 6, "cutpoint": 250, **common},
        {"id": "signed_mean", "label": "s", "items": ["s0", "s1", "s2"], "reverse": ["s1"], "method": "mean", "min_valid": 2, "cutpoint": {6: 1, 8: 2}, **common},
        {"id": "frac_mean", "label": "f", "items": ["f0", "f1", "f2"], "method": "mean", "min_valid": 1, "cutpoint": 0.5, **common},
        {"id": "wide_max", "label": "m", "items": ["w0", "w1", "w2"], "method": "max", "min_valid": 2, "cutpoint": 30, **common},
        {"id": "signed_max", "label": "x", "items": ["s0", "s1"], "method": "max", "min_valid": 1, "cutpoint": 0, **common},
    ]
    path = tmp_path / "wide.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    return path


def test_wide_signed_fractional_and_max_scales_match_the_plain_scorer(tmp_path: Path) -> None:
    inst = load_instrument(_custom_instrument(tmp_path))
    kinds = {s.id: (sm.kind, sm.dtype.itemsize, sm.score_table is not None) for s, sm in zip(inst.scales, compile_plan(inst).sums, strict=True)}
    assert kinds["wide_sum"][:2] == ("packed", 4) and not kinds["wide_sum"][2]  # too wide for a table
    assert kinds["frac_mean"][0] == "float" and kinds["wide_max"][0] == "max" and kinds["signed_mean"][0] == "packed"
    rng = np.random.default_rng(3)
    n = 3000
    data = {"rid": np.arange(n), "town": "T", "school": "S", "gender": "f", "grade": rng.choice([6, 8, 7], n)}
    for item in inst.items:
        rs = inst.response_set_of(item.id)
        pool = list(rs.codes) + list(rs.missing) + [None, 12345, -3]
        data[item.source_column] = pd.array(rng.choice(np.array(pool, dtype=object), n), dtype="Float64")
    frame = pd.DataFrame(data)
    assert_matches_reference(score_frame(frame, inst), reference_scores(frame, inst))
    path = tmp_path / "wide.parquet"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for item in inst.items:  # as 16-bit integers: the generic integer path with a far missing code
        table = table.set_column(table.schema.get_field_index(item.source_column), item.source_column,
                                 table[item.source_column].cast(pa.int16()))
    pq.write_table(table, path, row_group_size=700)
    kept: list[pd.DataFrame] = []
    run(path, inst, keep=lambda s: kept.append(s.to_pandas()) or s.to_pandas())
    assert_matches_reference(pd.concat(kept).reset_index(drop=True), reference_scores(frame, inst))
