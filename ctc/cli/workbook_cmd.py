"""``ctc workbook create|update``: the board's planning workbook from a finished profile run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ..catalogue import Catalogue, check_country, load_catalogue
from ..errors import UsageError
from ..planning import (
    context_from_outputs,
    read_workbook,
    update_planning_workbook,
    write_planning_workbook,
)
from ..planning.strings import s
from .common import lang_option, resolve_lang


def _from_option(f: Any) -> Any:
    return click.option("--from", "outdir", required=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
                        metavar="OUTDIR", help="Output folder of a finished 'ctc profile' run (profile.csv, priorities.csv, …).")(f)


def _compare_option(f: Any) -> Any:
    return click.option("--compare", "compare_dir", default=None,
                        type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="COMPARE_DIR",
                        help="Output folder of 'ctc compare': adds each chosen priority's values per wave, change, "
                             "verdict and trend (sheet 'Priorities over time'); on update, default: the folder "
                             "recorded in the workbook.")(f)


def _common(f: Any) -> Any:
    f = click.option("--instrument", "-i", default=None, metavar="ID|FILE",
                     help="Instrument of the run (default: the one named in the run's manifest).")(f)
    f = click.option("--catalogue", "catalogue_ref", default=None, metavar="FILE",
                     help="Programme catalogue YAML file (default: the shipped catalogue).")(f)
    f = click.option("--country", metavar="CODE", default=None,
                     help="Country the programme suggestions are ranked for (ISO 3166-1 alpha-2, e.g. DE; "
                          "default: the run's, else from the language or the instrument).")(f)
    return f


def _with_country(ctx: Any, country: str | None, catalogue: Catalogue) -> Any:
    if not country:
        return ctx
    return replace(ctx, options=replace(ctx.options, country=check_country(country, catalogue)))


@click.group()
def workbook() -> None:
    """Create or refresh a municipality's planning workbook (planning.xlsx)."""


@workbook.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="PLANNING.xlsx")
@_from_option
@click.option("--municipality", "-m", required=True, help="Municipality as named in profile.csv.")
@_compare_option
@_common
@lang_option
def create_cmd(path: Path, outdir: Path, municipality: str, compare_dir: Path | None, instrument: str | None,
               catalogue_ref: str | None, country: str | None, lang: str | None) -> None:
    """Write a new planning workbook (refuses to replace an existing file)."""
    lang = resolve_lang(lang)
    cat = load_catalogue(catalogue_ref)
    ctx = _with_country(context_from_outputs(outdir, municipality, instrument, lang=lang), country, cat)
    result = write_planning_workbook(ctx, path, catalogue=cat, compare=compare_dir)
    click.echo(s("cli.written", lang, path=result.path, sheets=len(result.sheets), matches=len(result.matches),
                 seconds=result.seconds))


@workbook.command("update")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="PLANNING.xlsx")
@_from_option
@click.option("--municipality", "-m", default=None, help="Municipality (default: the one the workbook was written for).")
@_compare_option
@_common
@lang_option
def update_cmd(path: Path, outdir: Path, municipality: str | None, compare_dir: Path | None, instrument: str | None,
               catalogue_ref: str | None, country: str | None, lang: str | None) -> None:
    """Refresh the data sheets from OUTDIR and keep everything the board typed.

    The workbook keeps its language unless --lang is given; the previous file is kept
    as <name>.backup-<N>.xlsx.
    """
    meta = read_workbook(path).meta
    name = municipality or meta.get("municipality")
    if not name:
        raise UsageError(f"{path} does not say which municipality it is for", "pass --municipality")
    target = lang or meta.get("lang") or resolve_lang(None)
    cat = load_catalogue(catalogue_ref)
    ctx = _with_country(context_from_outputs(outdir, name, instrument, lang=target), country, cat)
    result = update_planning_workbook(ctx, path, catalogue=cat, lang=target, compare=compare_dir)
    echo_update(result)


def echo_update(result: Any) -> None:
    """The summary of one updated workbook: where it and its backup are, what was kept,
    and every value that moved to "Unmatched entries" (also used by 'ctc profile')."""
    out = result.lang
    target = s("sheet.unmatched", out)
    click.echo(s("cli.updated", out, path=result.path, backup=result.backup))
    counts = ", ".join(f"{s(f'sheet.{k}', out)} {v}" for k, v in result.kept.items())
    click.echo(s("cli.kept", out, counts=counts))
    for title in result.sheets_kept:
        click.echo(s("cli.sheet_kept", out, title=title))
    if result.comments_kept:
        click.echo(s("cli.comments_kept", out, n=result.comments_kept))
    for sheet, ours, theirs in result.headers_kept:
        click.echo(s("cli.header_kept", out, sheet=sheet, ours=ours, theirs=theirs))
    if result.moved:
        click.echo(s("cli.moved", out, sheet=target, n=len(result.moved)))
        for m in result.moved:
            value = str(m.value) if len(str(m.value)) <= 60 else str(m.value)[:57] + "..."
            click.echo(s("cli.moved_item", out, sheet=m.title or m.sheet, where=m.key, field=m.field, target=target,
                         value=value))
    if result.carried:
        click.echo(s("cli.carried", out, n=result.carried))
    if result.rekeyed:
        click.echo(s("cli.rekeyed", out, n=len(result.rekeyed)))
    if result.added:
        click.echo(s("cli.added", out, keys=", ".join(result.added)))
    if getattr(result, "compare_dropped", ""):
        click.echo(s("cli.compare_dropped", out, folder=result.compare_dropped, sheet=s("sheet.waves", out)))
    if result.previous_lang != result.lang:
        click.echo(s("cli.language", out, old=result.previous_lang, new=result.lang))
