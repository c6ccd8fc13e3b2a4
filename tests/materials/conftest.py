"""A demo profile run (once per session) and kits built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctc.cli.main import cli
from ctc.materials import build_materials


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "run"
    res = CliRunner().invoke(cli, ["profile", "--demo", "-o", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="session")
def kit_en(demo_run: Path, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("kit") / "en"
    build_materials(demo_run, dest, municipalities=["Beispielburg"], lang="en")
    return dest / "beispielburg" / "en"


@pytest.fixture(scope="session")
def kit_de(demo_run: Path, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("kit") / "de"
    build_materials(demo_run, dest, municipalities=["Musterstadt"], lang="de")
    return dest / "musterstadt" / "de"


@pytest.fixture
def run_copy(demo_run: Path, tmp_path: Path) -> Path:
    """A copy of the demo run a test may edit."""
    copy = tmp_path / "run"
    shutil.copytree(demo_run, copy, ignore=shutil.ignore_patterns("materials"))
    return copy
