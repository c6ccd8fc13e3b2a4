"""The committed JSON Schema is generated from the model, current, and accepts the shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ctc.instrument import shipped_instruments
from ctc.instrument.schema import instrument_schema, schema_path, schema_text
from ctc.spec import plain, read_yaml


def test_committed_schema_is_current() -> None:
    assert schema_path().read_text(encoding="utf-8") == schema_text(), "run: python -m ctc.instrument.schema"


@pytest.mark.parametrize("path", sorted(shipped_instruments().values()), ids=lambda p: p.name)
def test_shipped_instruments_validate_against_the_schema(path: Path) -> None:
    data, problems = read_yaml(path)
    assert not problems
    # JSON has string keys only: what an editor validates is the JSON view of the YAML
    doc = json.loads(json.dumps(plain(data), default=str))
    jsonschema.validate(doc, instrument_schema())


def test_schema_rejects_unknown_keys(mini_path: Path) -> None:
    data, _ = read_yaml(mini_path)
    doc = json.loads(json.dumps(plain(data), default=str))
    doc["scales"][0]["cutpont"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, instrument_schema())
