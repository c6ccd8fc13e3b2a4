"""Second check of the design estimator on R's own example, ``apiclus1`` (survey package).

The data are not committed (they ship with R survey under the GPL): R writes them into
``tmp_path`` at test time, so the test runs only where Rscript is installed. The expected
numbers are the ones recorded in shared/domain/statistics.md §2.2 (R 4.2.2, survey 4.1-1):
a one-stage cluster sample of 15 school districts (``dnum``) of 757, weights ``pw``.

Tolerances: values R printed with 12 significant digits are compared at rtol 1e-10,
values printed with 10 decimals at atol 1e-10 (the rounding of the printout);
svyciprop limits at rtol 1e-6 because R fits them by IRLS to glm's epsilon 1e-8
(see test_design_vs_r.py).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from ctc.stats import Domains, SurveyDesign, design_t_test_fixed, domain_proportions

pytestmark = pytest.mark.external("Rscript")

WRITE_APICLUS1 = """
suppressMessages(library(survey)); data(api)
apiclus1$sw <- as.numeric(apiclus1$sch.wide == "Yes"); apiclus1$awd <- as.numeric(apiclus1$awards == "Yes")
keep <- c("cds", "dnum", "stype", "pw", "fpc", "sw", "awd")
write.csv(apiclus1[, keep], commandArgs(TRUE)[1], row.names = FALSE)
"""


@pytest.fixture(scope="module")
def apiclus1(rscript: str, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("apiclus1")
    script, csv = folder / "write.R", folder / "apiclus1.csv"
    script.write_text(WRITE_APICLUS1, encoding="utf-8")
    subprocess.run([rscript, str(script), str(csv)], check=True, capture_output=True, timeout=120)
    return pd.read_csv(csv)


def _overall(
    data: pd.DataFrame, fpc: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    design = SurveyDesign.build(data["pw"], psu=data["dnum"], fpc=data["fpc"] if fpc else None)
    everyone = Domains.from_membership(np.ones((len(data), 1), dtype=bool))
    res = domain_proportions(data[["sw", "awd"]], design, everyone)
    return res.estimate[0], res.se[0], res.ci_low[0], res.ci_high[0], res.df


def test_means_and_ses_with_and_without_fpc(apiclus1: pd.DataFrame) -> None:
    est, se, _, _, df = _overall(apiclus1, fpc=True)
    np.testing.assert_allclose(est, [0.874316939891, 0.710382513661], rtol=1e-10)
    np.testing.assert_allclose(se, [0.0203594772446, 0.0330182995537], rtol=1e-10)
    assert df[0] == 14
    _, se_nofpc, _, _, _ = _overall(apiclus1, fpc=False)
    np.testing.assert_allclose(se_nofpc, [0.0205642374474, 0.0333503726041], rtol=1e-10)


def test_svyciprop_logit(apiclus1: pd.DataFrame) -> None:
    _, _, low, high, _ = _overall(apiclus1, fpc=True)
    np.testing.assert_allclose(low, [0.8237988924, 0.6348391916], rtol=1e-6)
    np.testing.assert_allclose(high, [0.9119000770, 0.7758165114], rtol=1e-6)


def test_svyby_domains(apiclus1: pd.DataFrame) -> None:
    design = SurveyDesign.build(apiclus1["pw"], psu=apiclus1["dnum"], fpc=apiclus1["fpc"])
    res = domain_proportions(
        apiclus1[["awd"]], design, Domains.crossed({"stype": apiclus1["stype"]}, pooled=False)
    )
    assert list(res.domains["stype"]) == ["E", "H", "M"]
    np.testing.assert_allclose(
        res.estimate[:, 0], [0.7708333333, 0.4285714286, 0.5200000000], atol=1e-10, rtol=0
    )
    np.testing.assert_allclose(res.se[:, 0], [0.0290458694, 0.1456499748, 0.1166355296], atol=1e-10, rtol=0)
    assert list(res.df) == [
        14,
        7,
        11,
    ]  # degf(subset(dclus1, stype == ...)), checked in R 4.2.2 / survey 4.1-1


def test_svyttest_against_fixed_value(apiclus1: pd.DataFrame) -> None:
    est, se, _, _, df = _overall(apiclus1, fpc=True)
    t = (est[0] - 0.8) / se[0]
    assert t == pytest.approx(3.6502381175, abs=1e-10)
    assert design_t_test_fixed(est[0], se[0], df[0], 0.8) == pytest.approx(0.0029359943, abs=1e-10)
