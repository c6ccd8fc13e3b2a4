"""Helpers of the report tests: synthetic contexts of the shipped instrument, reading pages back.

(A module of its own, not conftest.py: test modules import it by a name no other test folder uses.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from ctc.instrument import Instrument
from ctc.profile.baseline import Baseline, build_baseline
from ctc.profile.compute import profile_tables
from ctc.profile.context import MunicipalityContext
from ctc.profile.options import ProfileOptions
from ctc.release.publish import release
from ctc.scoring.audit import screening_audit

SYNTHETIC_MANIFEST = {
    "created": "2026-11-22T10:15:00+01:00",
    "toolkit": {"version": "0.1.0"},
    "instrument": {"id": "ctc-youth-survey", "version": "2026.1", "sha256": "a" * 64},
    "input": {"path": "survey.csv", "sha256": "b" * 64, "synthetic": True},
    "baseline": {"id": "land", "synthetic": True},
}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def synthetic_scored(inst: Instrument, sizes: dict[str, int], seed: int = 1, shift: float = 0.0,
                     grades: tuple[int, ...] | None = None, missing: float = 0.03) -> pd.DataFrame:
    """A scored frame: ``sizes`` municipality → respondents, spread over ``grades``.

    Flags follow a logistic model with a general risk trait (risk flags correlate with
    each other and with the outcomes, negatively with protection), rising with grade;
    ``shift`` moves every risk up (and protection down) on the logit scale.
    """
    rng = np.random.default_rng(seed)
    grades = grades or inst.grades
    munis = np.repeat(list(sizes), list(sizes.values()))
    n = len(munis)
    muni_effect = {m: rng.normal(0, 0.25) for m in sizes}
    g = rng.choice(grades, size=n)
    trait = rng.normal(size=n) + np.array([muni_effect[m] for m in munis])
    age = (g - np.mean(grades)) / 3
    frame = pd.DataFrame({
        "respondent": [f"r{k:05d}" for k in range(n)],
        "municipality": munis,
        "school": [f"{m}-{k % 3}" for k, m in enumerate(munis)],
        "grade": pd.array(g, dtype="Int64"),
        "gender": rng.choice(["female", "male", "diverse"], size=n, p=[0.49, 0.49, 0.02]),
    })
    for k, s in enumerate(inst.scales):
        sign = 1 if s.kind == "risk" else -1
        base = rng.uniform(-1.3, -0.3) if s.kind == "risk" else rng.uniform(-0.1, 0.6)
        p = _expit(base + sign * (0.8 * trait + 0.25 * age + shift))
        flag = pd.array(rng.random(n) < p, dtype="boolean")
        flag[rng.random(n) < missing] = pd.NA
        frame[f"flag.{s.id}"] = flag
    for o in inst.outcomes:
        base = -1.0 if o.id.endswith("_life") else -2.2 if o.group != "antisocial" else -3.0
        if any(d in o.id for d in ("heroin", "meth", "cocaine", "handgun", "stole")):
            base -= 2.0
        p = _expit(base + 0.9 * trait + 0.8 * age + shift)
        out = pd.array(rng.random(n) < p, dtype="boolean")
        out[rng.random(n) < missing] = pd.NA
        frame[f"outcome.{o.id}"] = out
    screens = np.zeros((n, len(inst.validity)), dtype=bool)
    for k, v in enumerate(inst.validity):
        screens[:, k] = rng.random(n) < (0.012 if v.rule != "grade_not_in_instrument" else 0.002)
        frame[f"screen.{v.id}"] = screens[:, k]
    frame["excluded"] = screens.any(axis=1)
    return frame


def make_baseline(inst: Instrument, seed: int = 99, source: str = "Synthetic Land survey 2025") -> Baseline:
    reference = synthetic_scored(inst, {"Land": 6000}, seed=seed, missing=0.0)
    tables = profile_tables(reference, inst, None, ProfileOptions(bootstrap=0))
    return Baseline("land-2025", build_baseline(tables.table, source=source, year=2025))


def make_context(scored: pd.DataFrame, inst: Instrument, baseline: Baseline | None, municipality: str,
                 lang: str = "en", options: ProfileOptions | None = None,
                 manifest: dict | None = None, checks: pd.DataFrame | None = None) -> MunicipalityContext:
    options = options or ProfileOptions(lang=lang, bootstrap=50)
    tables = profile_tables(scored, inst, baseline, options)
    checks = checks if checks is not None else pd.DataFrame(columns=["code", "severity", "count", "description"])
    # the report sees only what the release step lets through, as in `ctc profile`
    published = release(tables.table, tables.protection, tables.priorities, screening_audit(scored, inst, lang), checks,
                        options.suppression)
    table = published.profile
    audit = published.screening
    return MunicipalityContext(
        municipality=municipality, instrument=inst, indicators=tables.indicators,
        table=table[table["municipality"].astype(str) == municipality].reset_index(drop=True),
        whole=table[table["municipality"].astype(str) == "all"].reset_index(drop=True),
        priorities=published.priorities[published.priorities["municipality"] == municipality].reset_index(drop=True),
        screening=audit[audit["municipality"].astype(str) == municipality].reset_index(drop=True),
        checks=published.checks, baseline=baseline, options=options,
        manifest=SYNTHETIC_MANIFEST if manifest is None else manifest,
    )


CHECKS = pd.DataFrame({
    "code": ["invalid-code", "duplicate-respondent"],
    "severity": ["warning", "error"],
    "count": [17, 2],
    "description": ["A number that is neither an answer code nor a missing code.", "The same respondent id occurs twice."],
})


# --------------------------------------------------------------------------- reading pages back


NUMBER = re.compile(r"(?<![\w.,])[−-]?\d+(?:[.,]\d+)?(?![\w])")


class _Text(HTMLParser):
    """Visible text and the attributes a reader (or screen reader) sees; no CSS, no path data."""

    SEEN = ("title", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self.skip += 1
        self.parts += [v for k, v in attrs if k in self.SEEN and v]

    def handle_endtag(self, tag):
        if tag == "style":
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def number_tokens(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
