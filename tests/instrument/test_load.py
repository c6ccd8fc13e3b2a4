"""The loader reports every problem with its path (and line for YAML errors)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ctc.errors import InvalidDefinition, UnknownInstrument
from ctc.instrument import load_instrument, load_instrument_file, shipped_instruments


def _edit(src: Path, dst: Path, change) -> Path:
    yaml = YAML()
    doc = yaml.load(src.read_text(encoding="utf-8"))
    change(doc)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    dst.write_text(buf.getvalue(), encoding="utf-8")
    return dst


def _problems(path: Path) -> list[str]:
    with pytest.raises(InvalidDefinition) as info:
        load_instrument_file(path)
    return [f"{p.path}: {p.message}" for p in info.value.problems]


def _scale(doc, sid):
    return next(s for s in doc["scales"] if s["id"] == sid)


BREAKAGES = {
    "unknown key": (lambda d: _scale(d, "conflict").__setitem__("cutpont", 3), "scales[0].cutpont: unknown key"),
    "unknown item in a scale": (lambda d: _scale(d, "conflict")["items"].append("zz9"), "scales[0].items[3]: unknown item 'zz9'"),
    "bad reverse": (lambda d: _scale(d, "conflict").__setitem__("reverse", ["b1"]), "scales[0].reverse[0]: 'b1' is reversed but is not one of the scale's items"),
    "bad cut-point grade": (lambda d: _scale(d, "bonding")["cutpoint"].__setitem__(7, 5), "scales[1].cutpoint.7: cut-point for grade 7, which is not in 'grades' [6, 8]"),
    "duplicate id": (lambda d: d["items"][1].__setitem__("id", "a1"), "items[1].id: duplicate id 'a1'"),
    "unknown rule type": (lambda d: d["validity"][0].__setitem__("rule", "any_above"), "validity[0]: unknown rule type 'any_above'; valid types: 'any_at_least', 'all_at_least', 'count_at_least', 'recent_without_lifetime', 'missing_share_above', 'grade_not_in_instrument'"),
    "missing value for a code": (lambda d: d["response_sets"]["yesno"]["values"].pop(2), "response_sets.yesno: 'values' has no value for code(s) [2]; every code needs a value"),
    "wrong format version": (lambda d: d.__setitem__("format", "ctc-instrument/2"), "format: Input should be 'ctc-instrument/1'"),
    "min_valid too large": (lambda d: _scale(d, "conflict").__setitem__("min_valid", 9), "scales[0].min_valid: min_valid 9 is larger than the number of items"),
    "unknown response set": (lambda d: d["items"][0].__setitem__("response_set", "agree5"), "items[0].response_set: unknown response set 'agree5'"),
    "missing required key": (lambda d: _scale(d, "history").pop("kind"), "scales[2].kind: required key is missing"),
    "unknown scale in scale_flag": (lambda d: d["outcomes"][3].__setitem__("scale", "nope"), "outcomes[3].scale: unknown scale 'nope'"),
    "threshold above every code": (lambda d: d["outcomes"][0].__setitem__("value", 9), "outcomes[0].value: value 9 is above every code of item(s) ['use_life']"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_each_breakage_is_reported_with_its_path(name: str, mini_path: Path, tmp_path: Path) -> None:
    change, expected = BREAKAGES[name]
    broken = _edit(mini_path, tmp_path / "broken.yaml", change)
    problems = _problems(broken)
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_are_reported_at_once(mini_path: Path, tmp_path: Path) -> None:
    def many(doc):
        for change, _ in BREAKAGES.values():
            if change is not BREAKAGES["wrong format version"][0]:
                change(doc)

    problems = _problems(_edit(mini_path, tmp_path / "broken.yaml", many))
    for name, (_, expected) in BREAKAGES.items():
        if name not in {"wrong format version", "duplicate id", "missing value for a code"}:
            assert any(p.startswith(expected) for p in problems), (name, problems)
    assert len(problems) >= 10


def test_yaml_syntax_error_has_line_and_column(mini_path: Path, tmp_path: Path) -> None:
    text = mini_path.read_text(encoding="utf-8").replace("method: mean\n", "method: [mean\n", 1)
    broken = tmp_path / "syntax.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidDefinition) as info:
        load_instrument_file(broken)
    (problem,) = info.value.problems
    assert problem.message.startswith("YAML syntax error")
    assert problem.line == 1 + text.splitlines().index("    min_valid: 2") and problem.column


def test_problem_lines_point_into_the_file(mini_path: Path, tmp_path: Path) -> None:
    broken = _edit(mini_path, tmp_path / "b.yaml", BREAKAGES["unknown item in a scale"][0])
    with pytest.raises(InvalidDefinition) as info:
        load_instrument_file(broken)
    problem = next(p for p in info.value.problems if "zz9" in p.message)
    assert "zz9" in broken.read_text().splitlines()[problem.line - 1]


def test_duplicate_yaml_keys_are_an_error(mini_path: Path, tmp_path: Path) -> None:
    text = mini_path.read_text(encoding="utf-8").replace("version: \"1\"\n", "version: \"1\"\nversion: \"2\"\n")
    broken = tmp_path / "dup.yaml"
    broken.write_text(text, encoding="utf-8")
    problems = _problems(broken)
    assert "duplicate" in problems[0]


def test_not_utf8_is_a_clear_problem(tmp_path: Path) -> None:
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("title: Gr\xfc\xdfe\n".encode("latin-1"))
    assert "not UTF-8" in _problems(bad)[0]


def test_model_is_immutable(mini) -> None:
    with pytest.raises(Exception):
        mini.scales[0].cutpoint = 3.0  # type: ignore[misc]
    assert isinstance(mini.scales[0].items, tuple)


def test_semantics_helpers(mini) -> None:
    assert mini.scale_by_id["bonding"].cutpoint_for(8) == 6.0
    assert mini.scale_by_id["bonding"].cutpoint_for(7) is None
    assert mini.response_sets["yesno"].value_range == (0.0, 1.0)
    assert mini.item_by_id["a3"].source_column == "Q_A3"
    assert mini.gender_label("f", "de") == "weiblich"


def test_unknown_instrument_id_names_the_shipped_ones() -> None:
    with pytest.raises(UnknownInstrument, match="ctc-youth-survey"):
        load_instrument("no-such-survey")


@pytest.mark.parametrize("path", sorted(shipped_instruments().values()), ids=lambda p: p.name)
def test_every_shipped_instrument_loads_and_checks(path: Path) -> None:
    inst = load_instrument_file(path)
    assert inst.id == path.stem
    for scale in inst.scales:  # every board-facing text has German
        assert "de" in scale.label.root, scale.id
    for outcome in inst.outcomes:
        assert "de" in outcome.label.root, outcome.id


def test_the_fast_reading_is_the_round_trip_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Files without a problem are read by ruamel's C parser (ctc.spec._load_fast); the model
    must be the one the round-trip parser (which names lines in errors) gives."""
    from ctc import spec
    from ctc.catalogue import load as catalogue_load
    from ctc.catalogue import shipped_catalogues
    from ctc.instrument.load import CROSS_CHECKS
    from ctc.instrument.model import Instrument

    assert spec._fast_yaml().load("a: yes\nb: 010\nc: 1e3\nd: on\ne: 1:30\n") == \
        {"a": "yes", "b": 10, "c": 1000.0, "d": "on", "e": "1:30"}  # YAML 1.2, as the round-trip parser reads it
    # where the parsers disagree (a tab the round-trip parser refuses, a %YAML 1.1 directive), the fast path steps aside
    for text in ("a:\t1\n", "%YAML 1.1\n---\na: 017\n"):
        odd = tmp_path / "odd.yaml"
        odd.write_text(text, encoding="utf-8")
        assert spec._load_fast(Instrument, odd, ()) is None
    cases = [(Instrument, p, CROSS_CHECKS) for p in shipped_instruments().values()]
    cases += [(catalogue_load.Catalogue, p, (*catalogue_load.STRUCTURAL_CHECKS, catalogue_load._factor_check(p.parent, None)))
              for p in shipped_catalogues().values()]
    assert len(cases) >= 2
    for model, path, checks in cases:
        fast = spec._load_fast(model, path, tuple(checks))
        assert fast is not None, path
        monkeypatch.setattr(spec, "_load_fast", lambda *a: None)
        assert spec.load_model(model, path, checks) == fast, path
        monkeypatch.undo()
