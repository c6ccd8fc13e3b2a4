"""Rebuilding a :class:`MunicipalityContext` from the files of a finished ``ctc profile`` run.

Read from the output folder (docs/planning-workbook.md):

* ``profile.csv`` (required): the profile table (``PROFILE_COLUMNS``), all municipalities;
* ``priorities.csv`` (required): the priorities of every municipality;
* ``screening.csv``: the screening audit; ``checks.csv``: data problems, either counts
  (code, severity, count, description) or one row per problem (code, severity, …);
* ``manifest.json``: the run's provenance; ``options`` (the ProfileOptions), ``instrument``
  (an id, a path or ``{id, path}``), ``baseline`` (``{id, sources, years}``) are used when present.

Labels and reasons are rebuilt in the requested language from the instrument and the
profile rows, so a workbook can be refreshed in its own language whatever the run's was.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..checks import CODES
from ..errors import OutputError, UsageError
from ..instrument import load_instrument
from ..instrument.model import Instrument
from ..release.csvsafe import unquote
from ..profile.baseline import COLUMNS as BASELINE_COLUMNS
from ..profile.baseline import Baseline
from ..profile.compute import PROFILE_COLUMNS
from ..profile.context import MunicipalityContext
from ..profile.estimate import ALL
from ..profile.indicators import indicators
from ..profile.options import ProfileOptions, SuppressionRules
from .relabel import relabel_context
from .strings import LANGS

FLOATS = ("pct", "ci_low", "ci_high", "baseline_pct", "diff_pp", "p_value", "q_value", "diff_ci_low", "diff_ci_high", "se", "df",
          "rank_level", "rank_excess", "rank_clear", "top_share")
INTS = ("n", "n_flagged", "baseline_n", "respondents", "flagged", "analysed", "only_this_rule", "with_other_rules", "count",
        "listed")
BOOLS = ("suppressed", "weighted", "shortlisted")
TRUE = {"true", "1", "yes", "ja", "wahr"}


def _read(path: Path, required: bool) -> pd.DataFrame | None:
    if not path.is_file():
        if required:
            raise OutputError(f"{path} not found", "give the output folder of a finished 'ctc profile' run")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise OutputError(f"cannot read {path}: {exc}", "the file must be the CSV written by 'ctc profile'") from None
    for col in frame.columns:
        if col in FLOATS or col == "pct":  # float() reads the full-precision CSV back exactly
            frame[col] = frame[col].map(lambda v: float(v) if v not in ("", None) else np.nan).astype(float)
        elif col in INTS:
            frame[col] = pd.to_numeric(frame[col].replace("", None), errors="coerce").astype("Int64")
        elif col in BOOLS:
            frame[col] = frame[col].str.strip().str.lower().isin(TRUE)
        else:  # text was written formula-safe ('=name): read back what the run had
            frame[col] = frame[col].map(unquote)
    return frame


def _manifest(outdir: Path) -> dict[str, Any]:
    path = outdir / "manifest.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OutputError(f"cannot read {path}: {exc}", "the file must be the manifest written by 'ctc profile'") from None
    return data if isinstance(data, dict) else {}


def _instrument(ref: Instrument | str | Path | None, manifest: dict[str, Any], outdir: Path) -> Instrument:
    if isinstance(ref, Instrument):
        return ref
    if ref is not None:
        return load_instrument(ref)
    given = manifest.get("instrument")
    if isinstance(given, dict):
        path = given.get("path")
        if isinstance(path, str) and (Path(path).is_file() or (outdir / path).is_file()):
            return load_instrument(Path(path) if Path(path).is_file() else outdir / path)
        given = given.get("id")
    return load_instrument(given if isinstance(given, str) and given else "ctc-youth-survey")


def _options(manifest: dict[str, Any]) -> ProfileOptions:
    raw = manifest.get("options")
    if not isinstance(raw, dict):
        return ProfileOptions()
    known = {f.name for f in fields(ProfileOptions)}
    kw = {k: v for k, v in raw.items() if k in known}
    if isinstance(kw.get("suppression"), dict):
        sup_known = {f.name for f in fields(SuppressionRules)}
        kw["suppression"] = SuppressionRules(**{k: v for k, v in kw["suppression"].items() if k in sup_known})
    try:
        return ProfileOptions(**kw)
    except (TypeError, ValueError):
        return ProfileOptions()


def _baseline(table: pd.DataFrame, manifest: dict[str, Any]) -> Baseline | None:
    rows = table[table["baseline_pct"].notna()] if "baseline_pct" in table else table.iloc[0:0]
    if not len(rows):
        return None
    info = manifest.get("baseline") if isinstance(manifest.get("baseline"), dict) else {}
    sources = info.get("sources") or info.get("source") or ""
    years = info.get("years") or info.get("year")
    source = "; ".join(map(str, sources)) if isinstance(sources, list) else str(sources)
    year = (years[0] if isinstance(years, list) and years else years) if years else None
    base = rows.drop_duplicates(["indicator_type", "indicator_id", "grade", "gender"])
    frame = pd.DataFrame({
        "indicator_type": base["indicator_type"].to_numpy(), "indicator_id": base["indicator_id"].to_numpy(),
        "grade": base["grade"].astype(str).to_numpy(), "gender": base["gender"].astype(str).to_numpy(),
        "pct": base["baseline_pct"].to_numpy(dtype=float),
        "n": base["baseline_n"].to_numpy() if "baseline_n" in base else pd.array([pd.NA] * len(base), dtype="Int64"),
        "source": source or None, "year": pd.array([year] * len(base), dtype="Int64") if year else pd.array([pd.NA] * len(base), dtype="Int64"),
    })[list(BASELINE_COLUMNS)]
    return Baseline(str(info.get("id") or "baseline"), frame.reset_index(drop=True))


def _guess_lang(table: pd.DataFrame, inst: Instrument) -> str:
    """The language whose indicator labels the file's ``label`` column uses."""
    if "label" not in table or not len(table):
        return "en"
    labels = set(table["label"].astype(str).head(500))
    inds = indicators(inst)
    scores = {lang: sum(i.name(lang) in labels for i in inds) for lang in LANGS}
    return max(LANGS, key=lambda lang: (scores[lang], lang == "en"))


def _checks(frame: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    cols = ["code", "severity", "count", "description", "columns"]
    if frame is None or not len(frame) or "code" not in frame:
        return pd.DataFrame({c: pd.Series(dtype="str" if c != "count" else "int64") for c in cols})
    if "count" in frame:
        out = frame.copy()
        for col in ("description", "columns"):  # checks.csv of older runs have no columns
            if col not in out:
                out[col] = ""
        out["columns"] = out["columns"].fillna("").astype(str)
        return out[cols].reset_index(drop=True)
    severity = frame["severity"] if "severity" in frame else pd.Series([""] * len(frame))
    grouped = frame.assign(severity=severity).groupby(["code", "severity"], sort=False).size().reset_index(name="count")
    grouped["description"] = [CODES[c].describe(lang) if c in CODES else "" for c in grouped["code"]]
    grouped["columns"] = ""
    return grouped[cols]


def municipalities_in(outdir: str | Path) -> list[str]:
    """Municipalities of a run's ``profile.csv`` (without the whole-file rows)."""
    frame = _read(Path(outdir) / "profile.csv", required=True)
    assert frame is not None
    return sorted(m for m in frame["municipality"].astype(str).unique() if m != ALL)


def context_from_outputs(outdir: str | Path, municipality: str, instrument: Instrument | str | Path | None = None, *,
                         lang: str | None = None) -> MunicipalityContext:
    """The context of ``municipality`` from a finished run's output folder.

    ``instrument``: an Instrument, a shipped id or a path; default: the manifest's, else
    the shipped CTC Youth Survey. ``lang``: language of labels and reasons (default: the
    run's language).
    """
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise OutputError(f"output folder {outdir} not found", "give the folder a 'ctc profile' run wrote")
    manifest = _manifest(outdir)
    profile = _read(outdir / "profile.csv", required=True)
    prio = _read(outdir / "priorities.csv", required=True)
    assert profile is not None and prio is not None
    missing = [c for c in PROFILE_COLUMNS[:17] if c not in profile.columns]
    if missing:
        raise OutputError(f"{outdir / 'profile.csv'} lacks column(s) {', '.join(missing)}", "give the profile.csv written by 'ctc profile'")
    names = sorted(m for m in profile["municipality"].astype(str).unique() if m != ALL)
    if municipality not in names:
        raise UsageError(f"municipality {municipality!r} is not in {outdir / 'profile.csv'}",
                         f"choose one of: {', '.join(names) or '(none)'}")
    inst = _instrument(instrument, manifest, outdir)
    file_lang = _guess_lang(profile, inst)
    options = _options(manifest)
    options = ProfileOptions(**{**{f.name: getattr(options, f.name) for f in fields(ProfileOptions)}, "lang": file_lang})
    for col in ("municipality", "grade", "gender"):
        profile[col] = profile[col].astype(str)
    table = profile[profile["municipality"] == municipality].reset_index(drop=True)
    whole = profile[profile["municipality"] == ALL].reset_index(drop=True)
    prio = prio[prio["municipality"].astype(str) == municipality].reset_index(drop=True)
    screening = _read(outdir / "screening.csv", required=False)
    if screening is not None and "municipality" in screening:
        screening = screening[screening["municipality"].astype(str) == municipality].reset_index(drop=True)
    ctx = MunicipalityContext(
        municipality=municipality, instrument=inst, indicators=indicators(inst), table=table, whole=whole, priorities=prio,
        screening=screening if screening is not None else pd.DataFrame(),
        checks=_checks(_read(outdir / "checks.csv", required=False), file_lang),
        baseline=_baseline(profile, manifest), options=options, manifest=manifest,
    )
    target = lang or file_lang
    return relabel_context(ctx, target) if target != ctx.lang else ctx
