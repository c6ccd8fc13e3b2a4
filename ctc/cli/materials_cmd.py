"""``ctc materials``: workshop materials for trainers from a finished profile run."""

from __future__ import annotations

from pathlib import Path

import click

from ..materials import KITS, build_demo, build_materials
from .common import force_option, lang_option, resolve_lang, say


@click.command("materials")
@click.argument("outdir", required=False, type=click.Path(path_type=Path), metavar="OUTDIR")
@click.option("--municipality", "-m", "municipalities", multiple=True, metavar="NAME",
              help="Municipality as named in profile.csv (repeatable; default: every municipality).")
@click.option("--kit", "kits", multiple=True, type=click.Choice(KITS), metavar="|".join(KITS),
              help="Workshop kit (repeatable; default: all three): board orientation, community assessment, planning.")
@click.option("--demo", is_flag=True, help="Build the kits from the bundled demo (synthetic data, marked on every page).")
@click.option("--output", "-o", "dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the materials (default: OUTDIR/materials; required with --demo).")
@click.option("--catalogue", "catalogue_ref", default=None, metavar="FILE",
              help="Programme catalogue YAML file (default: the shipped catalogue).")
@click.option("--compare", "compare_dir", type=click.Path(path_type=Path), default=None, metavar="COMPARE_DIR",
              help="Output folder of a 'ctc compare' run on the same instrument: adds the trend pages "
                   "(values per wave, verdict and trend on fact sheets, exercise key, deck and a trend poster).")
@force_option
@lang_option
def materials_cmd(outdir: Path | None, municipalities: tuple[str, ...], kits: tuple[str, ...], demo: bool, dest: Path | None,
                  catalogue_ref: str | None, compare_dir: Path | None, force: bool, lang: str | None) -> None:
    """Printable workshop materials (PDF) and an editable slide deck (.pptx) per
    municipality from the profile output folder OUTDIR: board summary, fact sheets,
    prioritisation exercise with trainer's key, reading guide, data-walk posters (A3)
    and a trainer's guide per kit."""
    lang = resolve_lang(lang)
    if demo == (outdir is not None):
        raise click.UsageError("give a profile output folder OUTDIR or --demo (not both)")
    if demo:
        if dest is None:
            raise click.UsageError("--demo needs --output FOLDER for the materials")
        if catalogue_ref is not None:
            raise click.UsageError("--catalogue cannot apply to --demo (the demo uses the shipped catalogue)")
        if compare_dir is not None:
            raise click.UsageError("--compare cannot apply to --demo (the demo has one survey wave)")
        result = build_demo(dest, municipalities=municipalities or None, lang=lang, kits=kits or KITS, force=force)
    else:
        assert outdir is not None
        result = build_materials(outdir, dest, municipalities=municipalities or None, lang=lang, kits=kits or KITS,
                                 catalogue=catalogue_ref, force=force, compare=compare_dir)
    for name, files in result.files.items():
        say(f"  {name}: {len(files)} files in {files[0].parent}/")
    note = " (synthetic data: marked on every page)" if result.synthetic else ""
    say(f"materials for {len(result.files)} municipalities{note}; {result.seconds:.1f} s; in {result.dest}/")
