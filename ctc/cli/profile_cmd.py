"""``ctc profile`` and ``ctc baseline build``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..io.read import probe_survey
from ..profile.options import ProfileOptions, SuppressionRules
from ..profile.run import profile
from .common import (
    say,
    Progress,
    check_files,
    engine_options,
    force_option,
    make_engine,
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
@click.option("--protection", default=SuppressionRules.protection, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="A hidden small group's count must stay uncertain by this share of the group (docs/privacy.md).")
@click.option("--min-count", default=SuppressionRules.min_count, show_default=True, type=click.IntRange(0),
              help="Screening counts from 1 to this minus 1 are not shown.")
@click.option("--design", type=click.Choice(["census", "clusters"]), default="census", show_default=True,
              help="census: every school of the municipality took part (schools are strata; the percentages describe "
                   "this year's students). clusters: schools are sampled units (the percentages describe the "
                   "community's young people beyond this cohort; needs a school column). Weighted or not.")
@click.option("--lonely-psu", type=click.Choice(["adjust", "average", "certainty"]), default="adjust", show_default=True,
              help="A stratum with a single unit (as R survey.lonely.psu): centre at the grand mean, give it the "
                   "average of the other strata, or no variance.")
@click.option("--schools", hidden=True, default=None, help="Replaced by --design.")
@click.option("--bootstrap", default=200, show_default=True, type=click.IntRange(0), help="Resamples for shortlist stability.")
@click.option("--seed", default=20261122, show_default=True, type=int, help="Seed of the bootstrap.")
@click.option("--country", metavar="CODE", default=None, help="Country the programme suggestions are ranked for (ISO 3166-1 "
              "alpha-2, e.g. DE; default: from --lang, de → DE, else from the instrument, US for ctc-youth-survey).")
@click.option("--wave", default=None, metavar="WAVE",
              help="Survey wave to profile when the data has a wave column with several waves. Default: the latest.")
@click.option("--unweighted", is_flag=True, help="Ignore the weight column and estimate without weights.")
@instrument_option
@read_options
@engine_options
@force_option
@quiet_option
@lang_option
def profile_cmd(input_path: Path | None, outdir: Path, baseline: str | None, demo: bool, min_n: int, all_or_none_n: int,
                protection: float, min_count: int, design: str, lonely_psu: str, schools: str | None, bootstrap: int,
                seed: int, country: str | None, wave: str | None, unweighted: bool, instrument: str, mapping: str | None,
                sep: str | None, encoding: str | None, sheet: str | None, engine: str, scheduler: str | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Profiles of every municipality against a baseline, with intervals, suppression of
    small groups, and reasoned priority shortlists; writes CSV tables, and per municipality
    report.html and a workbook, into OUTDIR."""
    lang = resolve_lang(lang)
    run_on = make_engine(engine, scheduler)
    if demo == (input_path is not None):
        raise click.UsageError("give an INPUT survey file or --demo (not both)")
    if schools is not None:
        raise click.UsageError("--schools was replaced by --design: use --design census (every school took part, "
                               "was --schools strata) or --design clusters (was --schools clusters)")
    from ..catalogue import load_catalogue, resolve_country

    country = resolve_country(country, load_catalogue(), lang=lang, instrument_id=instrument)  # recorded in the manifest
    options = ProfileOptions(suppression=SuppressionRules(min_n=min_n, all_or_none_n=all_or_none_n, protection=protection,
                                                          min_count=min_count),
                             design=design, lonely_psu=lonely_psu, bootstrap=bootstrap, seed=seed, lang=lang,
                             country=country, wave=wave, unweighted=unweighted)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        if demo:
            input_path = _demo_survey(Path(tmp))
            baseline = baseline or DEMO_BASELINE
        read = make_read_options(sep, encoding, sheet)
        progress = Progress(probe_survey(input_path, read).row_count, quiet)
        try:
            result = profile(input_path, outdir, instrument=instrument, baseline=baseline, options=options, mapping=mapping,
                             read=read, force=force, progress=progress, synthetic_input=demo, engine=run_on)
        finally:
            progress.close()
    if quiet:
        return
    _echo_housekeeping(result, lang)
    m = result.manifest
    say(f"{m['input']['rows']:,} questionnaires, {m['input']['excluded']:,} excluded by screening, "
               f"{len(result.folders)} municipalities; baseline: {m['baseline']['id'] if m['baseline'] else 'none'}")
    for line in selection_lines(m["input"]["selection"]):
        say(line)
    prio = result.tables.priorities
    for name, folder in result.folders.items():
        short = prio[(prio["municipality"] == name) & prio["shortlisted"]]
        risk = ", ".join(short[short["kind"] == "risk"]["label"].head(5))
        say(f"  {name}: {folder}/report.html — risk candidates: {risk or '–'}")
    suppressed = int(result.tables.table["suppressed"].sum())
    say(f"{len(result.tables.table):,} profile cells, {suppressed:,} not shown to protect privacy (audit passed); "
               f"{result.seconds['total']:.1f} s; outputs in {result.outdir}/")
    _echo_workbooks(result, lang)


def _echo_housekeeping(result, lang: str) -> None:  # type: ignore[no-untyped-def]
    from ..planning.strings import s

    if result.restored:
        say(s("cli.restored", lang, paths=", ".join(str(p) for p in result.restored)))
    if result.cleaned:
        say(s("cli.cleaned", lang, paths=", ".join(p.name for p in result.cleaned)))


def _echo_workbooks(result, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Which planning workbooks were updated (with their backups and what moved) or new."""
    from ..planning.strings import s
    from ..planning.workbook import UpdateResult
    from .workbook_cmd import echo_update

    books = [b for b in result.workbooks.values() if b is not None]
    updated = [b for b in books if isinstance(b, UpdateResult)]
    say(s("cli.workbooks", lang, updated=len(updated), written=len(books) - len(updated)))
    for book in updated:
        echo_update(book)


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
    say(f"wrote {output}: {result.rows:,} rows from {result.respondents:,} respondents "
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


@baseline_group.command("import")
@click.argument("table", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Baseline CSV to write.")
@click.option("--source", required=True, help="Provenance written into every row, e.g. 'Land survey 2025, published table 4'.")
@click.option("--year", required=True, type=int, help="Survey year of the published numbers.")
@click.option("--cutpoints", "assumes", required=True, metavar="ID|FILE",
              help="Instrument (version) whose cut-points the published numbers use; recorded in every row.")
@instrument_option
@force_option
def baseline_import_cmd(table: Path, output: Path, source: str, year: int, assumes: str, instrument: str, force: bool) -> None:
    """Import a published table of % at risk by grade (with n or SE) as a baseline,
    recording which cut-points it assumes (docs/baseline-format.md)."""
    from ..instrument import load_instrument
    from ..profile.published import import_table

    rows = import_table(table, output, load_instrument(instrument), source=source, year=year,
                        assumes=load_instrument(assumes), force=force)
    say(f"wrote {output}: {len(rows):,} rows; cut-points of '{rows['cutpoints'].iloc[0].split(':')[0]}'")
