"""``ctc simulate``: write a simulated respondent-level survey file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ..errors import UsageError
from ..simulate import (
    SimulationOptions,
    SimulationResult,
    demo_options,
    parse_int_list,
    parse_plant,
    parse_wave_change,
)
from ..simulate import (
    simulate as run_simulation,
)
from ..simulate.run import DEMO_INSTRUMENT
from .common import say, instrument_option, quiet_option

GENERATION_OPTIONS = (
    "municipalities",
    "municipality",
    "respondents",
    "schools",
    "grades",
    "waves",
    "seed",
    "elevate",
    "wave_change",
    "invalid_share",
    "missing_share",
    "block_skip_share",
    "missing_code_share",
    "weights",
)


@click.command("simulate")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Output file: .csv, .parquet, .xlsx or .sav.")
@instrument_option
@click.option("--municipalities", type=int, default=None, metavar="N", help="Number of municipalities, named from a list of fictional towns [default: 3].")
@click.option("--municipality", "municipality", multiple=True, metavar="NAME", help="A municipality by name (repeat the option for more).")
@click.option("--respondents", type=int, default=1000, show_default=True, metavar="N", help="Respondents per municipality and wave.")
@click.option("--schools", type=int, default=None, metavar="N", help="Schools per municipality [default: one per 400 respondents, at least 2].")
@click.option("--grades", default=None, metavar="LIST", help="Grades, e.g. 6,8,10 [default: the instrument's grades].")
@click.option("--waves", default="2026", show_default=True, metavar="YEARS", help="Survey waves (years), e.g. 2024,2026.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; the same seed and options give the same file.")
@click.option("--elevate", multiple=True, metavar="TOWN:FACTOR[:PP]", help="Raise (or with a negative PP lower) a scale's or outcome's % flagged in a municipality; PP defaults to 15.")
@click.option("--wave-change", "wave_change", multiple=True, metavar="TOWN:FACTOR:WAVE:PP", help="Change a factor's % flagged in a later wave by PP points relative to the first wave.")
@click.option("--invalid-share", type=float, default=0.04, show_default=True, help="Share of respondents made to fail a validity rule.")
@click.option("--missing-share", type=float, default=0.03, show_default=True, help="Average share of unanswered items.")
@click.option("--block-skip-share", type=float, default=0.02, show_default=True, help="Share of respondents who skip a whole section.")
@click.option("--missing-code-share", type=float, default=0.1, show_default=True, help="Share of unanswered items written as the response set's missing code instead of empty.")
@click.option("--weights", is_flag=True, help="Add a weight column and write <stem>.enrolment.csv with enrolment totals.")
@click.option("--sep", default=",", show_default=True, help="CSV separator (';' for German Excel).")
@click.option("--encoding", default="utf-8", show_default=True, help="CSV encoding (cp1252 for German Excel).")
@click.option("--decimal", default=None, help="CSV decimal mark [default: ',' with --sep ';', else '.'].")
@click.option("--demo", is_flag=True, help="Write the fixed demo survey (see docs/simulate.md); takes no generation options.")
@quiet_option
@click.pass_context
def simulate(ctx: click.Context, output: Path, instrument: str, municipalities: int | None, municipality: tuple[str, ...], respondents: int,
             schools: int | None, grades: str | None, waves: str, seed: int, elevate: tuple[str, ...], wave_change: tuple[str, ...],
             invalid_share: float, missing_share: float, block_skip_share: float, missing_code_share: float, weights: bool,
             sep: str, encoding: str, decimal: str | None, demo: bool, quiet: bool) -> None:
    """Write a simulated respondent-level survey that the toolkit reads like a real export.

    Municipalities → schools → grades → students, generated from a latent model with
    planted municipality profiles (--elevate), wave changes (--wave-change), invalid
    respondents and missing answers. The format follows the extension of --output.
    """
    if demo:
        given = [name for name in GENERATION_OPTIONS if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]
        if given:
            raise UsageError(f"--demo takes no generation options (got --{given[0].replace('_', '-')})", "drop --demo to choose the options yourself")
        opts = replace(demo_options(), csv_sep=sep, csv_encoding=encoding, csv_decimal=decimal)
        if ctx.get_parameter_source("instrument") == click.core.ParameterSource.DEFAULT:
            instrument = DEMO_INSTRUMENT
    else:
        opts = _options(municipalities, municipality, respondents, schools, grades, waves, seed, elevate, wave_change,
                        invalid_share, missing_share, block_skip_share, missing_code_share, weights, sep, encoding, decimal)
    result = run_simulation(instrument, output, opts)
    if not quiet:
        say(render(result))


def _options(municipalities: int | None, names: tuple[str, ...], respondents: int, schools: int | None, grades: str | None, waves: str,
             seed: int, elevate: tuple[str, ...], wave_change: tuple[str, ...], invalid_share: float, missing_share: float,
             block_skip_share: float, missing_code_share: float, weights: bool, sep: str, encoding: str, decimal: str | None) -> SimulationOptions:
    if municipalities is not None and names:
        raise UsageError("give either --municipalities N or --municipality NAME, not both", "use --municipality NAME once per town")
    return SimulationOptions(
        municipalities=names if names else (municipalities if municipalities is not None else 3),
        respondents=respondents,
        schools=schools,
        grades=parse_int_list(grades, "grades") if grades else None,
        waves=parse_int_list(waves, "waves"),
        seed=seed,
        elevate=tuple(parse_plant(e) for e in elevate),
        wave_changes=tuple(parse_wave_change(w) for w in wave_change),
        invalid_share=invalid_share,
        missing_share=missing_share,
        block_skip_share=block_skip_share,
        missing_code_share=missing_code_share,
        weights=weights,
        csv_sep=sep,
        csv_encoding=encoding,
        csv_decimal=decimal,
    )


def render(result: SimulationResult) -> str:
    """The summary printed after a run."""
    lines = [
        f"Wrote {result.rows:,} respondents × {result.columns} columns to {result.path} ({result.format}) in {result.elapsed:.1f} s (seed {result.seed}).",
        "  Municipalities: " + ", ".join(f"{m} {n:,}" for m, n in result.by_municipality.items()),
    ]
    if len(result.by_wave) > 1:
        lines.append("  Waves: " + ", ".join(f"{w} {n:,}" for w, n in result.by_wave.items()))
    if result.invalid:
        total = sum(result.invalid.values())
        lines.append(f"  Invalid respondents: {total:,} (" + ", ".join(f"{r} {n:,}" for r, n in result.invalid.items()) + ")")
    for p in result.planted:
        when = f" in {p.wave}" if p.wave is not None else ""
        lines.append(f"  Planted: {p.municipality} {p.factor} {p.requested_pp:+g} pp{when} ({p.base_pct:.1f} % → {p.expected_pct:.1f} % on the calibration sample)")
    if result.enrolment_path is not None:
        lines.append(f"  Enrolment totals: {result.enrolment_path}")
    return "\n".join(lines)
