"""Fixtures of the report tests: shared contexts, views and pages (built once per session)."""

from __future__ import annotations

import pytest
from reportkit import CHECKS, make_baseline, make_context, synthetic_scored

from ctc.instrument import load_instrument


@pytest.fixture(scope="session")
def inst():
    return load_instrument()


@pytest.fixture(scope="session")
def baseline(inst):
    return make_baseline(inst)


@pytest.fixture(scope="session")
def scored(inst):
    return synthetic_scored(inst, {"Musterstadt": 900, "Kleinhausen": 160}, seed=7, shift=0.15)


@pytest.fixture(scope="session")
def contexts(inst, baseline, scored):
    return {lang: make_context(scored, inst, baseline, "Musterstadt", lang, checks=CHECKS) for lang in ("en", "de")}


@pytest.fixture(scope="session")
def pages(views):
    from ctc.report import render_view

    return {lang: render_view(view) for lang, view in views.items()}


@pytest.fixture(scope="session")
def views(contexts):
    from ctc.report import build_view

    return {lang: build_view(ctx) for lang, ctx in contexts.items()}


@pytest.fixture(scope="session")
def section(contexts, views):
    """``section(name, lang)``: one rendered section of the shared contexts."""
    from ctc.report import render_section

    return lambda name, lang="en": render_section(contexts[lang], name, views[lang])
