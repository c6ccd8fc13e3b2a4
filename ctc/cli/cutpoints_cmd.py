"""``ctc cutpoints derive``: cut-points from a reference sample (docs/cutpoints.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import instrument_option, lang_option, make_read_options, quiet_option, resolve_lang, say, source_options


@click.group("cutpoints")
def cutpoints_group() -> None:
    """Derive and document cut-points from a reference sample."""


@cutpoints_group.command("derive")
@click.argument("reference", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="New instrument file (.yaml) to write; never overwritten.")
@click.option("--method", type=click.Choice(["mad", "quantile", "roc"]), default="mad", show_default=True,
              help="mad: median + k·MAD; quantile: a share at risk; roc: Youden's J against outcomes.")
@click.option("--k", "k", default=0.15, show_default=True, type=float, help="k of median + k·MAD.")
@click.option("--share", default=0.3, show_default=True, type=float, help="Share at risk for --method quantile.")
@click.option("--by-grade", is_flag=True, help="One cut-point per grade (default: pooled over grades).")
@click.option("--outcome", "outcomes", multiple=True, metavar="SCALE=OUTCOME[,…]",
              help="Outcomes a scale is validated against (default: substance use and antisocial outcomes).")
@click.option("--design", type=click.Choice(["census", "clusters"]), default="census", show_default=True,
              help="clusters: the bootstrap resamples schools; census: students.")
@click.option("--bootstrap", default=200, show_default=True, type=click.IntRange(0), help="Bootstrap resamples.")
@click.option("--seed", default=20261202, show_default=True, type=int, help="Seed of the bootstrap.")
@click.option("--min-n", default=100, show_default=True, type=click.IntRange(1),
              help="Fewest respondents with a score per scale (and grade).")
@instrument_option
@source_options
@lang_option
@quiet_option
def derive_cmd(reference: Path, output: Path, method: str, k: float, share: float, by_grade: bool,
               outcomes: tuple[str, ...], design: str, bootstrap: int, seed: int, min_n: int, instrument: str,
               sep: str | None, encoding: str | None, sheet: str | None, lang: str | None, quiet: bool) -> None:
    """Derive cut-points from the REFERENCE sample and write a new instrument version."""
    from ..cutpoints import DeriveOptions, derive_cutpoints, parse_outcomes

    lang = resolve_lang(lang)
    opts = DeriveOptions(method=method, k=k, share=share, by_grade=by_grade, bootstrap=bootstrap, seed=seed,  # type: ignore[arg-type]
                         clustered=design == "clusters", min_n=min_n, outcomes=parse_outcomes(outcomes) or None)
    result = derive_cutpoints(reference, output, instrument=instrument, options=opts,
                              read=make_read_options(sep, encoding, sheet), lang=lang)
    if quiet:
        return
    table = result.comparison
    say(f"{len(table)} cut-point(s) of {table['scale'].nunique()} scales derived by {method} from "
               f"{result.n:,} respondents; version '{result.version}'; {result.seconds:.1f} s")
    disagree = sorted(set(table.loc[table["methods_disagree"], "scale"]))
    if disagree:
        say(f"  methods disagree strongly for: {', '.join(disagree)}")
    say(f"New instrument: {result.output}")
    say(f"Report: {result.report_html}")
