"""Fixtures for the reader, mapping and check tests: tiny files built in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

ROWS = [
    # rid, town, grade, a1, weight
    ("r1", "Müllheim", "6", "1", "1.25"),
    ("r2", "Groß-Gerau", "8", "4", "0.5"),
    ("r3", "Müllheim", "8", "x", "2"),
]
HEADER = ("rid", "town", "grade", "a1", "weight")


@pytest.fixture
def table() -> pd.DataFrame:
    """The small survey every format test writes and reads back (all values as text)."""
    return pd.DataFrame(ROWS, columns=list(HEADER), dtype="str")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(name, text_or_bytes, encoding="utf-8") -> path in tmp_path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def delimited() -> Callable[..., str]:
    """delimited(sep=",", rows=ROWS, header=HEADER) -> the table as delimited text."""

    def _delimited(sep: str = ",", rows=ROWS, header=HEADER) -> str:
        return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"

    return _delimited
