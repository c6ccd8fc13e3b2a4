"""``ctc instrument list|check|show``."""

from __future__ import annotations

from pathlib import Path

import click

from ..instrument import list_instruments, load_instrument, load_instrument_file
from ..instrument.codebook import codebook_markdown, codebook_table
from .common import say, check_files, lang_option, resolve_lang
from ..release.csvsafe import write_csv


@click.group()
def instrument() -> None:
    """List, check and show instrument definitions."""


@instrument.command("list")
@lang_option
def list_cmd(lang: str | None) -> None:
    """List the shipped instruments."""
    lang = resolve_lang(lang)
    rows = list_instruments(lang)
    header = f"{'id':<22} {'version':<9} {'scales':>6} {'risk':>5} {'prot.':>5} {'items':>6} {'outc.':>6}  title"
    say(header)
    for s in rows:
        say(f"{s.id:<22} {s.version:<9} {s.scales:>6} {s.risk:>5} {s.protective:>5} {s.items:>6} {s.outcomes:>6}  {s.title}")


@instrument.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def check_cmd(files: tuple[Path, ...]) -> None:
    """Check instrument files; list every problem. Exit 0 when all are valid, 1 otherwise."""
    check_files(files, load_instrument_file, lambda inst: f"{inst.id} {inst.version}: {len(inst.scales)} scales, "
                f"{len(inst.items)} items, {len(inst.outcomes)} outcomes, {len(inst.validity)} validity rules")


@instrument.command("show")
@click.argument("ref", metavar="ID|FILE")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@lang_option
def show_cmd(ref: str, fmt: str, lang: str | None) -> None:
    """Print a readable codebook: scales by domain with items, keying, cut-points and provenance."""
    lang = resolve_lang(lang)
    inst = load_instrument(ref)
    if fmt == "md":
        click.echo(codebook_markdown(inst, lang), nl=False)
    else:
        click.echo(write_csv(codebook_table(inst, lang)), nl=False)
