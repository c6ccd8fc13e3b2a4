"""Write a new instrument version with derived cut-points (never over an existing file).

The source YAML is edited as a round-trip document, so its comments and layout stay;
only each scale's ``cutpoint``, ``direction``, ``cutpoint_source`` and
``cutpoint_derivation`` (an additive extension, docs/instrument-format.md) and the
top-level ``version`` change.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ..errors import OutputError
from ..io.atomic import atomic_path
from .derive import POOLED, DeriveOptions, Derived

__all__ = ["new_version", "write_instrument"]

#: decimals of the bootstrap interval limits (the cut-point itself is exact)
DECIMALS = 6


def new_version(old: str, method: str, today: date) -> str:
    return f"{old}+{method}.{today:%Y%m%d}"


def _number(x: float) -> float:
    return round(float(x), DECIMALS)


def _exact(x: float) -> float:
    """A cut-point at full precision: rounding could move it onto an observed score."""
    return float(x)


def write_instrument(source: Path, output: Path, derived: list[Derived], opts: DeriveOptions, *, reference: Path,
                     sha256: str, today: date, resampled: str) -> str:
    """Write ``output``; returns the new version string."""
    if output.exists():
        raise OutputError(f"{output} already exists; derived cut-points are always written to a new instrument file",
                          hint="choose a new file name for the new instrument version")
    if output.resolve() == source.resolve():
        raise OutputError("the new instrument would replace its source", hint="choose a new file name")
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the source text
    yaml.indent(mapping=2, sequence=4, offset=2)
    doc = yaml.load(source.read_text(encoding="utf-8"))
    version = new_version(str(doc.get("version", "0")), opts.method, today)
    doc["version"] = version
    by_scale: dict[str, list[Derived]] = {}
    for d in derived:
        if d.method == opts.method:
            by_scale.setdefault(d.scale, []).append(d)
    for node in doc["scales"]:
        rows = by_scale.get(str(node["id"]))
        if not rows:
            continue
        pooled = len(rows) == 1 and rows[0].grade == POOLED
        node["cutpoint"] = _exact(rows[0].cut) if pooled else CommentedMap((d.grade, _exact(d.cut)) for d in rows)
        node["direction"] = "above"
        node["cutpoint_source"] = _source_text(rows, opts, reference, sha256, today)
        node["cutpoint_derivation"] = _derivation(rows, opts, reference, sha256, today, resampled, pooled)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    with atomic_path(output, overwrite=False) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    return version


def _parameter(opts: DeriveOptions) -> float | None:
    return opts.k if opts.method == "mad" else opts.share if opts.method == "quantile" else None


def _rule_text(opts: DeriveOptions, outcomes: tuple[str, ...]) -> str:
    if opts.method == "mad":
        return f"median + {opts.k:g}·MAD"
    if opts.method == "quantile":
        return f"{100 * opts.share:g} % at risk"
    return f"Youden's J against {', '.join(outcomes)}"


def _source_text(rows: list[Derived], opts: DeriveOptions, reference: Path, sha256: str, today: date) -> CommentedMap:
    n = sum(d.n for d in rows)
    rule = _rule_text(opts, rows[0].outcomes)
    where = "per grade" if rows[0].grade != POOLED else "pooled over grades"
    en = (f"Derived by ctc cutpoints derive ({opts.method}: {rule}, {where}) from {reference.name} (n = {n}, "
          f"SHA-256 {sha256[:12]}…) on {today.isoformat()}. Not the official CTC cut-points.")
    de = (f"Abgeleitet mit ctc cutpoints derive ({opts.method}: {rule}, {'je Jahrgang' if rows[0].grade != POOLED else 'über alle Jahrgänge'}) "
          f"aus {reference.name} (n = {n}, SHA-256 {sha256[:12]}…) am {today.isoformat()}. Nicht die offiziellen CTC-Cut-off-Werte.")
    return CommentedMap([("en", en), ("de", de)])


def _derivation(rows: list[Derived], opts: DeriveOptions, reference: Path, sha256: str, today: date, resampled: str,
                pooled: bool) -> CommentedMap:
    m = CommentedMap()
    m["method"] = opts.method
    parameter = _parameter(opts)
    if parameter is not None:
        m["parameter"] = parameter
    if opts.method == "roc":
        m["outcomes"] = list(rows[0].outcomes)
    m["reference"] = reference.name
    m["sha256"] = sha256
    m["n"] = rows[0].n if pooled else CommentedMap((d.grade, d.n) for d in rows)
    m["date"] = today.isoformat()
    if opts.bootstrap:
        m["interval"] = ([_number(rows[0].low), _number(rows[0].high)] if pooled
                         else CommentedMap((d.grade, [_number(d.low), _number(d.high)]) for d in rows))
    m["resampled"] = resampled
    m["bootstrap"] = opts.bootstrap
    return m
