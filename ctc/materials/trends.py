"""Trend pages: what a ``ctc compare`` folder says about one municipality's factors.

Read only from the released compare tables: each wave's published cells
(``waves/<wave>/profile.csv``, protected and audited as the profile's), the two-wave
verdict (``compare.csv``) and the trend label (``trends.csv``), pooled group
(all grades, all genders). A hidden cell (``suppressed``) is a dash and ``None`` —
its number is never read; compare itself publishes no change for it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..compare.strings import s as cs
from ..errors import UsageError
from ..report.fmt import DASH, interval, num, signed
from .strings import msg

NEEDED = ("compare.csv", "manifest.json")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _f(text: str) -> float | None:
    try:
        return round(float(text), 6) if text not in ("", None) else None
    except ValueError:
        return None


def check_compare_folder(folder: Path, profile_dir: Path, municipality: str | None = None) -> dict[str, Any]:
    """The compare manifest, after checking that ``folder`` is a comparison folder of the
    profile's instrument (and holds ``municipality`` when given)."""
    if not folder.is_dir() or any(not (folder / n).is_file() for n in NEEDED):
        raise UsageError(f"{folder} is not a comparison folder (no compare.csv)",
                         "give the folder a 'ctc compare' run wrote with --compare")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    profile = json.loads((profile_dir / "manifest.json").read_text(encoding="utf-8"))
    inst = profile.get("instrument", {}).get("id", "")
    last = manifest.get("instruments", {}).get(str(manifest.get("waves", [""])[-1]), "")
    if manifest.get("command") != "compare" or last.split(" ")[0] != inst:
        raise UsageError(f"the comparison folder {folder} is of instrument {last or '(unknown)'}, the profile of {inst}",
                         "compare the waves of the same survey instrument as the profile")
    if municipality is not None and municipality not in {m.get("name") for m in manifest.get("municipalities", [])}:
        raise UsageError(f"municipality {municipality!r} is not in the comparison folder {folder}",
                         "run 'ctc compare' on survey waves that include this municipality")
    return manifest


def _pooled(rows: list[dict[str, str]], municipality: str) -> dict[str, dict[str, str]]:
    return {r["indicator_id"]: r for r in rows
            if r["municipality"] == municipality and r["grade"] == "all" and r["gender"] == "all"}


class CompareFolder:
    """The released compare tables, read once; :meth:`factor` gives one factor's trend data."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder, self.manifest = folder, manifest
        self.waves = [str(w) for w in manifest.get("waves", [])]
        self.pair = (str(manifest["compared"]["from"]), str(manifest["compared"]["to"]))
        self.alpha = float(manifest.get("options", {}).get("alpha", 0.05))
        self.compare = _rows(folder / "compare.csv")
        self.trends = _rows(folder / "trends.csv") if (folder / "trends.csv").is_file() else []
        self.wave_rows = {w: _rows(folder / "waves" / w / "profile.csv") for w in self.waves
                          if (folder / "waves" / w / "profile.csv").is_file()}

    def for_municipality(self, municipality: str) -> "MunicipalityTrends":
        return MunicipalityTrends(self, municipality)


class MunicipalityTrends:
    def __init__(self, cf: CompareFolder, municipality: str) -> None:
        self.cf = cf
        self.compare = _pooled(cf.compare, municipality)
        self.trends = _pooled(cf.trends, municipality)
        self.waves = {w: _pooled(rows, municipality) for w, rows in cf.wave_rows.items()}

    def factor(self, indicator_id: str, lang: str) -> dict[str, Any] | None:
        """Per wave the released % with interval, the verdict and the trend label; None when
        the comparison has no row of the factor."""
        cells = []
        for wave in self.cf.waves:
            r = self.waves.get(wave, {}).get(indicator_id)
            hidden = r is None or r.get("suppressed") == "True" or _f(r.get("pct", "")) is None
            v = None if hidden else _f(r["pct"])
            cells.append({"grade": wave, "hidden": hidden, "v": v, "b": None,
                          "lo": None if hidden else _f(r["ci_low"]), "hi": None if hidden else _f(r["ci_high"]),
                          "pct": DASH if hidden else num(v, lang),
                          "ci": "" if hidden else interval(_f(r["ci_low"]), _f(r["ci_high"]), lang)})
        c = self.compare.get(indicator_id)
        if c is None and not any(not x["hidden"] for x in cells):
            return None
        verdict = c["verdict"] if c is not None else "not-shown"
        diff = _f(c["diff_pp"]) if c is not None else None
        change = ""
        if verdict in ("better", "worse", "no-clear-change") and diff is not None:
            lo, hi = _f(c["diff_ci_low"]), _f(c["diff_ci_high"])
            change = msg("trend.change", lang, diff=signed(diff, lang), a=self.cf.pair[0], b=self.cf.pair[1],
                         ci=interval(lo, hi, lang) if lo is not None and hi is not None else DASH)
        t = self.trends.get(indicator_id)
        code = (t or {}).get("trend", "")
        trend = cs(f"trend.{code}", lang) if code else (cs("trend.none", lang) if len(self.cf.waves) >= 3 else "")
        return {"waves": cells, "verdict": verdict, "verdict_label": cs(f"verdict.{verdict}", lang),
                "change": change, "trend": trend, "pair": msg("trend.pair", lang, a=self.cf.pair[0], b=self.cf.pair[1]),
                "short": trend or cs(f"verdict.{verdict}", lang)}
