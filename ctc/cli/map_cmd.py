"""``ctc map suggest``: write a mapping template (item,column) for a person to confirm."""

from __future__ import annotations

from pathlib import Path

import click

from ..instrument import load_instrument
from ..io.mapping import suggest_mapping, suggestion_counts, write_mapping
from ..io.read import ReadOptions, probe_survey
from .common import say, instrument_option, source_options
from ..release.csvsafe import write_csv


@click.group("map")
def map_group() -> None:
    """Map instrument items to the columns of a data file."""


@map_group.command("suggest")
@click.argument("datafile", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the template here (default: print it).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@instrument_option
@source_options
def suggest_cmd(datafile: Path, output: Path | None, force: bool, instrument: str,
                sep: str | None, encoding: str | None, sheet: str | None) -> None:
    """Suggest which column of DATAFILE holds each item and respondent attribute.

    The template (item,column,confidence,candidates) lists every item and the roles
    @respondent, @municipality, @grade, @school, @gender, @weight, @wave, @stratum,
    @schools_population, @enrolled. Check the
    rows that are not 'exact', fill in empty columns, then pass the file with --mapping.
    """
    inst = load_instrument(instrument)
    info = probe_survey(datafile, ReadOptions(sep=sep, encoding=encoding, sheet=sheet))
    table = suggest_mapping(inst, info.columns)
    if output is None:
        click.echo(write_csv(table), nl=False)
    else:
        write_mapping(table, output, overwrite=force)
    say(summary_line(suggestion_counts(table), output), err=output is None)


def summary_line(counts: dict[str, int], output: Path | None) -> str:
    loose = counts["case-insensitive"] + counts["alias"] + counts["fuzzy"]
    detail = ", ".join(f"{counts[k]} {k}" for k in ("case-insensitive", "alias", "fuzzy") if counts[k])
    where = f"Wrote {output}: " if output is not None else ""
    text = f"{where}{counts['exact']} exact, {loose} loose" + (f" ({detail})" if detail else "")
    return text + f", {counts['none']} not found. Check the loose rows, then use it with --mapping."
