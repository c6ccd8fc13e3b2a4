"""The indicators' tables protected in two processes give the pattern of one process, and
the audit's memory of a passed pattern never covers a changed one."""

from __future__ import annotations

import os

import numpy as np

from ctc.release import protect as protect_mod
from ctc.release.cells import ALL, build_cells
from ctc.release.protect import Rules, gate, protect_family

RULES = Rules(min_n=10, all_or_none_n=30, protection=0.1)


def _family(seed: int = 5, munis: int = 25, indicators: int = 6):
    rng = np.random.default_rng(seed)
    names, grades, genders = [f"m{i:02d}" for i in range(munis)], ["6", "8", "10"], ["f", "m"]
    cells = build_cells(names, grades, [*genders, "other"], whole=True)
    n_in = rng.integers(0, 14, size=(munis, len(grades), 3))
    n = np.zeros((len(cells.keys), indicators), dtype=np.int64)
    x = np.zeros_like(n)
    for k in range(indicators):
        x_in = rng.binomial(n_in, rng.uniform(0.05, 0.6))
        for c, (m, g, s) in enumerate(cells.keys.itertuples(index=False, name=None)):
            sel = (slice(None) if m == ALL else names.index(m), slice(None) if g == ALL else grades.index(g),
                   slice(None) if s == ALL else [*genders, "other"].index(s))
            n[c, k], x[c, k] = n_in[sel].sum(), x_in[sel].sum()
    return cells, n, x


def test_two_processes_give_the_pattern_of_one(monkeypatch) -> None:
    cells, n, x = _family()
    one = protect_family(cells, n, x, RULES, workers=1)
    monkeypatch.setattr(protect_mod, "_PARALLEL_WORK", 0)  # small enough to run sequentially otherwise
    pids: list[int] = []
    real_map = protect_mod._map

    def spy(fn, items, workers):
        pids.extend(real_map(lambda _: os.getpid(), items, workers))
        return real_map(fn, items, workers)

    monkeypatch.setattr(protect_mod, "_map", spy)
    two = protect_family(cells, n, x, RULES, workers=2)
    assert set(pids) - {os.getpid()}, "the tables were not protected in other processes"
    assert one.hidden.sum() > one.sensitive.sum() > 0  # secondary suppression happened
    np.testing.assert_array_equal(one.hidden, two.hidden)
    assert gate(two, RULES, workers=2) == []


def test_a_changed_pattern_is_audited_again() -> None:
    cells, n, x = _family(seed=9)
    result = protect_family(cells, n, x, RULES)
    assert gate(result, RULES) == [] and result.passed  # remembered
    assert gate(result, RULES) == []
    # show one sensitive cell again: the same object, changed arrays
    c, k = map(int, np.argwhere(result.sensitive & cells.published[:, None])[0])
    result.hidden[c, k] = False
    bad = gate(result, RULES)
    assert any(cell == c and kk == k for cell, kk, _, _ in bad)
    # stricter rules are a different audit too
    result.hidden[c, k] = True
    assert gate(result, Rules(RULES.min_n, RULES.all_or_none_n, 0.9)) != []


def test_the_heap_is_frozen_only_while_the_workers_run(monkeypatch) -> None:
    """The forked workers must not copy the parent's heap by collecting it (ctc.threads.frozen_heap),
    and the parent's own garbage collection is back once they are done."""
    import gc

    frozen: list[int] = []
    real_pool = protect_mod.ProcessPoolExecutor

    def pool(*a, **kw):
        frozen.append(gc.get_freeze_count())
        return real_pool(*a, **kw)

    monkeypatch.setattr(protect_mod, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(protect_mod, "_PARALLEL_WORK", 0)
    cells, n, x = _family(seed=7)
    before = gc.get_freeze_count()
    two = protect_family(cells, n, x, RULES, workers=2)
    assert frozen and all(f > before for f in frozen)
    assert gc.get_freeze_count() == before
    assert np.array_equal(two.hidden, protect_family(cells, n, x, RULES, workers=1).hidden)


def test_the_screening_table_protected_ahead_is_the_one_protected_in_line(tmp_path, monkeypatch) -> None:
    """ctc profile protects the screening table in a forked process while it estimates the
    profile (release.publish.ScreeningAhead): the same table as protecting it in line, and
    the process is gone afterwards, also when the run stops before asking for it."""
    import multiprocessing

    import pandas as pd

    from ctc.instrument import load_instrument
    from ctc.pipeline import run
    from ctc.profile.options import ProfileOptions
    from ctc.release.protect import protect_screening
    from ctc.release import publish
    from ctc.release.publish import ScreeningAhead, screening_rules
    from ctc.scoring.audit import finish_audit
    from ctc.simulate import SimulationOptions, simulate

    inst = load_instrument()
    data = tmp_path / "s.parquet"
    simulate(inst, data, SimulationOptions(municipalities=6, respondents=60, seed=3))
    screening = finish_audit(run(data, inst).audit, inst)
    suppression = ProfileOptions().suppression
    inline = protect_screening(screening, screening_rules(suppression), 1)[0]
    monkeypatch.setattr(publish, "AHEAD_UP_TO", 0)  # a process this size protects it in line
    assert ScreeningAhead(screening, suppression, workers=2).pool is None
    monkeypatch.setattr(publish, "AHEAD_UP_TO", 2**62)  # whatever the test process's size
    ahead = ScreeningAhead(screening, suppression, workers=2)
    assert ahead.pool is not None and multiprocessing.active_children()  # forked
    pd.testing.assert_frame_equal(ahead(), inline)
    assert inline["suppressed"].any() and not multiprocessing.active_children()
    stopped = ScreeningAhead(screening, suppression, workers=2)
    stopped.close()  # the run failed before the release
    assert not multiprocessing.active_children()


def test_a_failure_beside_the_render_leaves_the_queued_municipalities_unrendered(tmp_path, monkeypatch) -> None:
    """ctc profile writes its CSV tables while the forked workers render (run._render_all's
    ``meanwhile``): when that fails (a full disk), the run stops without rendering the
    municipalities still queued, and the error is the one raised."""
    import pytest

    from ctc.profile import run

    def render(job):  # noqa: ANN001, ANN202 - stands in for a municipality's report and workbook
        import time

        time.sleep(0.2)
        (tmp_path / f"done-{job[1]}").touch()

    def full_disk() -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(run, "_render_one", render)
    monkeypatch.setattr(run, "_warm", lambda jobs: None)
    jobs = [(None, f"m{k}", None) for k in range(40)]
    with pytest.raises(OSError, match="No space left"):
        run._render_all(jobs, 2, meanwhile=full_disk)
    assert len(list(tmp_path.glob("done-*"))) < 10  # 40 were queued; at most those under way finish
