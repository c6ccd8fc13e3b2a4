"""``ctc programmes list|check|match``: the programme catalogue from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import click

from ..catalogue import (
    default_country,
    factor_vocabulary,
    filter_programmes,
    load_catalogue,
    match_programmes,
    matches_table,
    programmes_table,
    rank_reasons,
    resolve_country,
)
from ..catalogue.country import country_line, ranking_text
from ..catalogue.model import Setting
from ..errors import UsageError
from ..planning.strings import s
from .common import check_files, lang_option, resolve_lang

SETTINGS = get_args(Setting)


def catalogue_option(f: Any) -> Any:
    return click.option("--catalogue", "catalogue_ref", metavar="FILE", default=None,
                        help="A catalogue YAML file (default: the shipped catalogue).")(f)


@click.group()
def programmes() -> None:
    """List, check and match evidence-based programmes of a catalogue."""


@programmes.command("list")
@click.option("--factor", metavar="ID", help="Only programmes that address this risk or protective factor (scale id).")
@click.option("--age", type=click.IntRange(0, 30), help="Only programmes for this age (years).")
@click.option("--setting", type=click.Choice(SETTINGS), help="Only programmes delivered in this setting.")
@catalogue_option
@lang_option
def list_cmd(factor: str | None, age: int | None, setting: str | None, catalogue_ref: str | None, lang: str | None) -> None:
    """List the programmes of the catalogue, optionally filtered."""
    lang = resolve_lang(lang)
    cat = load_catalogue(catalogue_ref)
    if factor is not None:
        vocab = factor_vocabulary(cat.instrument)
        if factor not in vocab.scale_ids:
            raise UsageError(f"unknown factor {factor!r}", f"factors are scale ids of {vocab.instrument!r}, e.g. family_conflict; "
                             "'ctc instrument show' lists them")
    found = filter_programmes(cat, factor=factor, age=age, setting=setting)  # type: ignore[arg-type]
    if not found:
        click.echo(s("cli.no_programmes", lang))
        return
    click.echo(programmes_table(found, lang))


@programmes.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def check_cmd(files: tuple[Path, ...]) -> None:
    """Check catalogue files; list every problem. Exit 0 when all are valid, 1 otherwise."""
    check_files(files, load_catalogue,
                lambda c: f"{c.id} {c.version}: {len(c.programmes)} programmes, factors of instrument {c.instrument}")


def _range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a range like 6-8") from None
    return min(a, b), max(a, b)


@programmes.command("match")
@click.option("--factor", "factors", metavar="ID", multiple=True, required=True,
              help="A priority factor (scale id); repeat in priority order, most important first.")
@click.option("--grades", metavar="LO-HI", help="Surveyed grades, e.g. 6-8 (age ≈ grade + 5).")
@click.option("--ages", metavar="LO-HI", help="Surveyed ages in years, e.g. 11-13 (instead of --grades).")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--country", metavar="CODE", default=None, help="Country to rank for (ISO 3166-1 alpha-2, e.g. DE; default: "
              "from --lang, de → DE, else from the catalogue's instrument, US for ctc-youth-survey).")
@catalogue_option
@lang_option
def match_cmd(factors: tuple[str, ...], grades: str | None, ages: str | None, top: int, country: str | None,
              catalogue_ref: str | None, lang: str | None) -> None:
    """Rank programmes for priority factors and surveyed ages; print the programme × factor matrix."""
    from ..catalogue import grades_to_ages, programme_factor_matrix

    lang = resolve_lang(lang)
    if (grades is None) == (ages is None):
        raise UsageError("give exactly one of --grades or --ages", "e.g. --grades 6-8")
    span = grades_to_ages(_range(grades)) if grades else _range(ages or "")
    cat = load_catalogue(catalogue_ref)
    priorities = [(f, k) for k, f in enumerate(factors, start=1)]
    code = resolve_country(country, cat, lang=lang, instrument_id=cat.instrument)
    found = match_programmes(cat, priorities, span, top=top, country=code)
    if not found:
        click.echo(s("cli.no_programmes", lang))
        return
    source = "option" if country else default_country(lang, cat.instrument)[1]
    click.echo(f"{country_line(code, source, lang, instrument=cat.instrument)}\n{ranking_text('order', lang)}\n")
    click.echo(matches_table(found, lang))
    click.echo(f"\n{ranking_text('why_rank', lang)}:")
    click.echo(rank_reasons(found, lang))
    click.echo("")
    matrix = programme_factor_matrix(found, priorities).replace({"registry": "●", "interpretation": "○"})
    click.echo(matrix.to_string())
    click.echo("\n" + s("matches.legend", lang))
