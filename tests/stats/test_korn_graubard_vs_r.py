"""Korn–Graubard interval (ctc.stats.korn_graubard) against R ``svyciprop(method="beta")``.

R survey's own api data, written by R at test time (not committed; GPL): apiclus1 as a
one-stage cluster sample with fpc and apistrat stratified with fpc, overall and per
school type (``subset``), for two binary variables. R prints svymean's estimate and SE,
nrow and degf of the (sub)design, and the beta limits; ctc recomputes the limits from
those inputs. Tolerance rtol 1e-10 (closed form, no iteration on either side). The dual
test returns exactly alpha at both limits.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from ctc.stats.korn_graubard import korn_graubard_interval, korn_graubard_test

pytestmark = pytest.mark.external("Rscript")

SCRIPT = r"""
suppressMessages(library(survey)); data(api)
num <- function(x) sprintf("%.17g", unname(as.numeric(x)))
des <- list(clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
            strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat))
out <- c()
for (d in names(des)) for (st in c("all", "E", "M", "H")) for (y in c("sch.wide", "awards")) {
  sub <- if (st == "all") des[[d]] else subset(des[[d]], stype == st)
  f <- as.formula(paste0("~I(", y, " == 'Yes')"))
  m <- svymean(f, sub)
  ci <- svyciprop(f, sub, method = "beta")
  out <- c(out, sprintf('{"design": "%s", "stype": "%s", "y": "%s", "p": %s, "se": %s, "n": %s, "df": %s, "low": %s, "high": %s}',
                        d, st, y, num(coef(m)[2]), num(SE(m)[2]), nrow(sub), degf(sub), num(confint(ci)[1]), num(confint(ci)[2])))
}
cat("[", paste(out, collapse = ","), "]")
"""


@pytest.fixture(scope="module")
def oracle(rscript: str) -> list[dict]:
    done = subprocess.run([rscript, "-e", SCRIPT], check=True, capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)


def test_limits_equal_r_svyciprop_beta(oracle: list[dict]) -> None:
    p, se, n, df, low, high = (np.array([r[k] for r in oracle], dtype=float) for k in ("p", "se", "n", "df", "low", "high"))
    got_low, got_high = korn_graubard_interval(p, se, n, df)
    assert len(oracle) == 16 and len(set(df)) >= 3
    np.testing.assert_allclose(got_low, low, rtol=1e-10)
    np.testing.assert_allclose(got_high, high, rtol=1e-10)


def test_dual_test_is_alpha_at_both_limits(oracle: list[dict]) -> None:
    p, se, n, df = (np.array([r[k] for r in oracle], dtype=float) for k in ("p", "se", "n", "df"))
    low, high = korn_graubard_interval(p, se, n, df)
    np.testing.assert_allclose(korn_graubard_test(p, se, n, df, low), 0.05, rtol=1e-8)
    np.testing.assert_allclose(korn_graubard_test(p, se, n, df, high), 0.05, rtol=1e-8)
    inside = korn_graubard_test(p, se, n, df, (low + high) / 2)
    assert (inside > 0.05).all()
