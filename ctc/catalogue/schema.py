"""JSON Schema of the catalogue format, generated from the model.

Regenerate with ``python -m ctc.catalogue.schema``; a test fails when the committed
file (``catalogues/programmes.schema.json``) is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..resources import data_dir
from .model import Catalogue

SCHEMA_NAME = "programmes.schema.json"


def catalogue_schema() -> dict[str, object]:
    schema = Catalogue.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ctc-toolkit.invalid/schema/ctc-catalogue-1.json"
    schema["title"] = "CTC programme catalogue (ctc-catalogue/1)"
    return schema


def schema_text() -> str:
    return json.dumps(catalogue_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def schema_path() -> Path:
    return data_dir("catalogues") / SCHEMA_NAME


if __name__ == "__main__":
    schema_path().write_text(schema_text(), encoding="utf-8")
    print(f"wrote {schema_path()}")
