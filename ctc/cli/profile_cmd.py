"""``ctc profile`` and ``ctc baseline build``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..io.read import probe_survey
from ..profile.options import ProfileOptions, SuppressionRules
from ..profile.run import profile
from .common import (
    Progress,
    check_files,
    force_option,
    instrument_option,
    lang_option,
    make_read_options,
    quiet_option,
    read_options,
    resolve_lang,
)

DEMO_BASELINE = "demo-baseline"


def _demo_survey(folder: Path) -> Path:
    from ..simulate import write_demo

    path = folder / "demo-survey.csv"
    write_demo(path)
    return path


@click.command("profile")
@click.argument("input_path", metavar="INPUT", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder (created).")
@click.option("--baseline", "-b", default=None, metavar="ID|FILE",
              help="Baseline to compare with: a shipped id (e.g. demo-baseline) or a CSV file. Default: none.")
@click.option("--demo", is_flag=True, help="Run on the bundled demo survey (generated, fixed seed) with the synthetic demo baseline.")
@click.option("--min-n", default=SuppressionRules.min_n, show_default=True, type=click.IntRange(1),
              help="Smallest group size for which a percentage is shown.")
@click.option("--all-or-none-n", default=SuppressionRules.all_or_none_n, show_default=True, type=click.IntRange(0),
              help="Below this group size, 0 % and 100 % are hidden.")
@click.option("--schools", type=click.Choice(["strata", "clusters"]), default="strata", show_default=True,
              help="With weights: every school took part (strata) or schools were sampled (clusters).")
@click.option("--bootstrap", default=200, show_default=True, type=click.IntRange(0), help="Resamples for shortlist stability.")
@click.option("--seed", default=20261122, show_default=True, type=int, help="Seed of the bootstrap.")
@click.option("--wave", default=None, metavar="WAVE",
              help="Survey wave to profile when the data has a wave column with several waves. Default: the latest.")
@click.option("--unweighted", is_flag=True, help="Ignore the weight column and estimate without weights.")
@instrument_option
@read_options
@force_option
@quiet_option
@lang_option
def profile_cmd(input_path: Path | None, outdir: Path, baseline: str | None, demo: bool, min_n: int, all_or_none_n: int,
                schools: str, bootstrap: int, seed: int, wave: str | None, unweighted: bool, instrument: str,
                mapping: str | None, sep: str | None, encoding: str | None, sheet: str | None, force: bool, quiet: bool,
                lang: str | None) -> None:
    """Profiles of every municipality against a baseline, with intervals, suppression of
    small groups, and reasoned priority shortlists; writes CSV tables, and per municipality
    report.html and a workbook, into OUTDIR."""
    lang = resolve_lang(lang)
    if demo == (input_path is not None):
        raise click.UsageError("give an INPUT survey file or --demo (not both)")
    options = ProfileOptions(suppression=SuppressionRules(min_n=min_n, all_or_none_n=all_or_none_n),
                             schools=schools, bootstrap=bootstrap, seed=seed, lang=lang,  # type: ignore[arg-type]
                             wave=wave, unweighted=unweighted)
    with tempfile.TemporaryDirectory() as tmp:
        if demo:
            input_path = _demo_survey(Path(tmp))
            baseline = baseline or DEMO_BASELINE
        read = make_read_options(sep, encoding, sheet)
        progress = Progress(probe_survey(input_path, read).row_count, quiet)
        try:
            result = profile(input_path, outdir, instrument=instrument, baseline=baseline, options=options, mapping=mapping,
                             read=read, force=force, progress=progress, synthetic_input=demo)
        finally:
            progress.close()
    if quiet:
        return
    m = result.manifest
    click.echo(f"{m['input']['rows']:,} questionnaires, {m['input']['excluded']:,} excluded by screening, "
               f"{len(result.folders)} municipalities; baseline: {m['baseline']['id'] if m['baseline'] else 'none'}")
    for line in selection_lines(m["input"]["selection"]):
        click.echo(line)
    prio = result.tables.priorities
    for name, folder in result.folders.items():
        short = prio[(prio["municipality"] == name) & prio["shortlisted"]]
        risk = ", ".join(short[short["kind"] == "risk"]["label"].head(5))
        click.echo(f"  {name}: {folder}/report.html — risk candidates: {risk or '–'}")
    suppressed = int(result.tables.table["suppressed"].sum())
    click.echo(f"{len(result.tables.table):,} profile cells, {suppressed:,} not shown (small groups); "
               f"{result.seconds['total']:.1f} s; outputs in {result.outdir}/")


def selection_lines(sel: dict) -> list[str]:
    """What the run left out or ignored (wave, weights), for the summary."""
    lines = []
    if sel["wave_chosen"] in ("latest", "--wave"):
        why = f"latest of {', '.join(sel['waves'])}" if sel["wave_chosen"] == "latest" else "--wave"
        lines.append(f"wave {sel['wave']} profiled ({why}); {sel['rows_left_out']:,} rows of other waves or without "
                     "a wave left out" + ("; choose another wave with --wave" if sel["wave_chosen"] == "latest" else ""))
    if sel["weights"] == "ignored":
        lines.append(f"weights: column '{sel['weight_column']}' ignored (--unweighted); estimates are unweighted")
    return lines


@click.group("baseline")
def baseline_group() -> None:
    """Build and check baseline profiles."""


@baseline_group.command("build")
@click.argument("survey", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Baseline CSV to write.")
@click.option("--source", required=True, help="Provenance written into every row, e.g. 'Land survey 2025, weighted'.")
@click.option("--year", required=True, type=int, help="Survey year of the reference data.")
@click.option("--min-n", default=SuppressionRules.min_n, show_default=True, type=click.IntRange(1))
@instrument_option
@read_options
@force_option
def baseline_build_cmd(survey: Path, output: Path, source: str, year: int, min_n: int, instrument: str, mapping: str | None,
                       sep: str | None, encoding: str | None, sheet: str | None, force: bool) -> None:
    """Compute a baseline (per indicator × grade × gender and pooled) from a reference survey."""
    from ..profile.build import build_baseline_file

    result = build_baseline_file(survey, output, source=source, year=year, instrument=instrument, min_n=min_n,
                                 mapping=mapping, read=make_read_options(sep, encoding, sheet), overwrite=force)
    click.echo(f"wrote {output}: {result.rows:,} rows from {result.respondents:,} respondents "
               f"({result.excluded:,} excluded by screening)")


@baseline_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@instrument_option
def baseline_check_cmd(files: tuple[Path, ...], instrument: str) -> None:
    """Check baseline files against an instrument; list every problem."""
    from ..instrument import load_instrument
    from ..profile.baseline import load_baseline

    inst = load_instrument(instrument)
    check_files(files, lambda p: load_baseline(p, inst), lambda b: f"{len(b.table)} rows; source: {b.label()}")
