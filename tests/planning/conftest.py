"""Fixtures of the planning tests (helpers live in planning_data.py)."""

from __future__ import annotations

import pytest
from planning_data import make_context

from ctc.instrument import load_instrument


@pytest.fixture(scope="session")
def inst():
    return load_instrument()


@pytest.fixture(scope="session")
def ctx(inst):
    return make_context(inst)


@pytest.fixture(scope="session")
def ctx_de(inst):
    return make_context(inst, lang="de")


@pytest.fixture
def context_factory(inst):
    def _make(**kw):
        return make_context(inst, **kw)

    return _make
