"""JSON Schema of the instrument format, generated from the model.

Regenerate with ``python -m ctc.instrument.schema``; a test fails when the committed
file is stale. Editors (VS Code YAML, JetBrains) use it for completion and checks.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..resources import data_dir
from .model import Instrument

SCHEMA_NAME = "ctc-instrument.schema.json"


def instrument_schema() -> dict[str, object]:
    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ctc-toolkit.invalid/schema/ctc-instrument-1.json"
    schema["title"] = "CTC instrument definition (ctc-instrument/1)"
    return schema


def schema_text() -> str:
    return json.dumps(instrument_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def schema_path() -> Path:
    return data_dir("instruments") / SCHEMA_NAME


if __name__ == "__main__":
    schema_path().write_text(schema_text(), encoding="utf-8")
    print(f"wrote {schema_path()}")
