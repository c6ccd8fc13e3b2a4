"""Docs that are generated or checked against the code."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from ctc.cli.docs import cli_reference, docs_path
from ctc.instrument import model

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    assert docs_path().read_text(encoding="utf-8") == cli_reference(), "run: python -m ctc.cli.docs"


def _models() -> list[type[BaseModel]]:
    return [m for m in vars(model).values() if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == model.__name__]


def test_instrument_format_doc_mentions_every_key_and_rule_type() -> None:
    doc = (REPO / "docs" / "instrument-format.md").read_text(encoding="utf-8")
    keys = {name for m in _models() for name in m.model_fields}
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert missing == [], f"document these keys in docs/instrument-format.md: {missing}"
    rules = set(model.OUTCOME_RULES) | set(model.VALIDITY_RULES)
    assert sorted(r for r in rules if f"`{r}`" not in doc) == []
