"""``ctc score``."""

from __future__ import annotations

from pathlib import Path

import click

from ..io.read import probe_survey
from ..scoring.run import score
from ..i18n import t, translate
from .common import (
    say,
    Progress,
    echo_err,
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


@click.command("score")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Scored output, .parquet or .csv; reports are written beside it.")
@instrument_option
@read_options
@engine_options
@force_option
@quiet_option
@lang_option
def score_cmd(input_path: Path, output: Path, instrument: str, mapping: str | None, sep: str | None, encoding: str | None,
              sheet: str | None, engine: str, scheduler: str | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Score a survey export: one row per respondent with screens, scale scores, flags,
    outcomes and risk/protection counts; writes OUTPUT.checks.csv and OUTPUT.screening.csv beside it.

    Respondent-level output: it stays with the survey office (reports use aggregates only)."""
    lang = resolve_lang(lang)
    run_on = make_engine(engine, scheduler)
    options = make_read_options(sep, encoding, sheet)
    progress = Progress(probe_survey(input_path, options).row_count, quiet)
    try:
        result = score(input_path, output, instrument=instrument, mapping=mapping, read=options, overwrite=force,
                       progress=progress, lang=lang, engine=run_on)
    finally:
        progress.close()
    if quiet:
        return
    if result.cleaned:
        say(f"cleaned what an interrupted earlier run left: {', '.join(p.name for p in result.cleaned)}")
    p = result.pipeline
    say(f"read {p.rows:,} rows from {p.source.path.name} ({p.source.format}"
               + (f", {p.source.encoding}, sep {p.source.delimiter!r}" if p.source.delimiter else "") + ")")
    say(f"excluded {p.excluded:,} ({100 * p.excluded / max(p.rows, 1):.1f} %) by screening:")
    for _, r in result.excluded_by_rule().iterrows():
        total = r["rule"] == "(excluded)"
        only = "" if total else translate(f"(only this rule: {r['only_this_rule']:,})", lang)
        rule = t("cli.excluded", lang) if total else r["rule"]
        say(f"  {rule:<22} {r['flagged']:>8,} {only}".rstrip())
    counts = p.checks.counts(lang)
    if len(counts):
        say("data problems by code:")
        for _, r in counts.iterrows():
            say(f"  {r['code']:<22} {r['count']:>8,}  ({t('cli.severity.' + r['severity'], lang)})")
    say(f"wrote {result.output}, {result.checks_path.name}, {result.screening_path.name}")
    if p.checks.has_errors:
        echo_err("note: the data check report lists errors; see " + str(result.checks_path))
