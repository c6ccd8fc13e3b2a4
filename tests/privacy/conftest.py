"""Inputs built once per session: published outputs of ``ctc profile`` and the scored
respondent files they came from (the ground truth), made through the CLI as a user would.

* ``demo``: ``ctc profile --demo`` (weighted demo, 3 municipalities x 7 grades x 3 genders)
  and ``ctc score`` of the same survey (``ctc simulate --demo``).
* ``sim20``: ``ctc simulate`` of 20 municipalities x 3,000, cut down with pandas to
  municipalities of 30 to 3,000 students (geometric steps; the simulator makes every
  municipality the same size), about 2 % diverse; then ``ctc profile`` and ``ctc score``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from published import Published, ctc, many_small_groups, profile_and_score  # noqa: E402


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Published:
    folder = tmp_path_factory.mktemp("demo")
    survey = folder / "demo.csv"
    ctc("simulate", "--demo", "-o", survey, "-q")
    out = folder / "out"
    ctc("profile", "--demo", "-o", out, "--bootstrap", 0, "-q")
    scored = folder / "scored.parquet"
    ctc("score", survey, "-o", scored, "-q")
    return Published(out, survey, scored)


@pytest.fixture(scope="session")
def sim20(tmp_path_factory) -> Published:
    folder = tmp_path_factory.mktemp("sim20")
    return profile_and_score(many_small_groups(folder), folder)
