"""``ctc compare``: what changed between survey waves, and trends over many."""

from __future__ import annotations

from pathlib import Path

import click

from ..profile.options import ProfileOptions, SuppressionRules
from .common import force_option, lang_option, make_read_options, quiet_option, read_options, resolve_lang


def _waves(value: str | None) -> list[str] | None:
    if value is None:
        return None
    waves = [w.strip() for w in value.split(",")]
    if any(not w for w in waves):
        raise click.BadParameter("give the waves as a comma-separated list, e.g. 2022,2024", param_hint="--waves")
    return waves


@click.command("compare")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder (created).")
@click.option("--instrument", "-i", "instruments", multiple=True, metavar="ID|FILE",
              help="Instrument (version) the files were collected with: once for all files, or once per file in the "
                   "same order (two versions: indicators are matched by id). [default: ctc-youth-survey]")
@click.option("--waves", "waves", default=None, metavar="YEARS",
              help="The wave of each INPUT file, in order (e.g. 2022,2024), when the files have no wave column.")
@click.option("--from", "wave_from", default=None, metavar="WAVE", help="Earlier wave of the two-wave comparison "
              "[default: the wave before the latest].")
@click.option("--to", "wave_to", default=None, metavar="WAVE", help="Later wave of the comparison [default: the latest].")
@click.option("--priorities", default=None, metavar="IDS",
              help="The board's chosen priorities (indicator ids, comma-separated), shown first in changes.html.")
@click.option("--cohorts", is_flag=True,
              help="Also compare pseudo-cohorts: grade g in one wave with grade g + d in the wave d years later "
                   "(cohorts.csv; genders pooled).")
@click.option("--design", type=click.Choice(["census", "clusters"]), default="census", show_default=True,
              help="census: every school took part in every wave (independent cross-sections). clusters: schools are "
                   "sampled units; a school surveyed in several waves is one cluster across them.")
@click.option("--lonely-psu", type=click.Choice(["adjust", "average", "certainty"]), default="adjust", show_default=True,
              help="A stratum with a single unit (as R survey.lonely.psu).")
@click.option("--alpha", default=0.05, show_default=True, type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="A change is clear when its BH q-value (one family per municipality) is below this; trends use it on p.")
@click.option("--min-n", default=SuppressionRules.min_n, show_default=True, type=click.IntRange(1),
              help="Smallest group size for which a percentage is shown.")
@click.option("--all-or-none-n", default=SuppressionRules.all_or_none_n, show_default=True, type=click.IntRange(0),
              help="Below this group size, 0 % and 100 % are hidden.")
@click.option("--protection", default=SuppressionRules.protection, show_default=True,
              type=click.FloatRange(0, 1, max_open=True), help="Protection level of hidden counts (docs/privacy.md).")
@click.option("--unweighted", is_flag=True, help="Ignore the weight column and estimate without weights.")
@read_options
@force_option
@quiet_option
@lang_option
def compare_cmd(inputs: tuple[Path, ...], outdir: Path, instruments: tuple[str, ...], waves: str | None,
                wave_from: str | None, wave_to: str | None, priorities: str | None, cohorts: bool, design: str, lonely_psu: str,
                alpha: float, min_n: int, all_or_none_n: int, protection: float, unweighted: bool, mapping: str | None,
                sep: str | None, encoding: str | None, sheet: str | None, force: bool, quiet: bool, lang: str | None) -> None:
    """Changes between survey waves per municipality × grade/gender × indicator (with
    design-based intervals, tests, BH q-values, effect sizes and a plain verdict), trends
    over three or more waves, an evaluator export and per municipality changes.html.
    INPUT: one file with a wave column, or one file per wave."""
    from ..compare.run import compare
    from ..compare.strings import s
    from ..compare.tables import CompareOptions
    from ..i18n import number

    lang = resolve_lang(lang)
    labels = _waves(waves)
    chosen = tuple(p.strip() for p in priorities.split(",") if p.strip()) if priorities else ()
    profile = ProfileOptions(suppression=SuppressionRules(min_n=min_n, all_or_none_n=all_or_none_n, protection=protection),
                             design=design, lonely_psu=lonely_psu, alpha=alpha, lang=lang,  # type: ignore[arg-type]
                             unweighted=unweighted)
    options = CompareOptions(profile=profile, wave_from=wave_from, wave_to=wave_to, priorities=chosen,
                             cohorts=cohorts)
    result = compare(list(inputs), outdir, instruments=instruments or ("ctc-youth-survey",), wave_labels=labels,
                     options=options, mapping=mapping, read=make_read_options(sep, encoding, sheet), force=force)
    if quiet:
        return
    t = result.tables
    pooled = t.compare[(t.compare["grade"].astype(str) == "all") & (t.compare["gender"].astype(str) == "all")
                       & (t.compare["municipality"].astype(str) != "all")]
    counts = pooled["verdict"].value_counts()
    click.echo(s("cli.summary", lang, rows=number(result.rows, lang, grouping=True), waves=len(t.all_waves), list=", ".join(t.all_waves),
                 munis=len(result.folders), a=t.pair[0], b=t.pair[1], better=int(counts.get("better", 0)),
                 worse=int(counts.get("worse", 0)), same=int(counts.get("no-clear-change", 0)),
                 other=int(counts.get("not-comparable", 0) + counts.get("not-shown", 0))))
    if t.trends is not None:
        tr = t.trends
        tc = tr[(tr["grade"].astype(str) == "all") & (tr["gender"].astype(str) == "all")
                & (tr["municipality"].astype(str) != "all")]["trend"].value_counts()
        click.echo(s("cli.trends", lang, k=len(t.all_waves), inc=int(tc.get("increasing", 0)), dec=int(tc.get("decreasing", 0)),
                     chg=int(tc.get("changed direction", 0)), stable=int(tc.get("stable", 0))))
    if t.cohorts is not None:
        co = t.cohorts[t.cohorts["municipality"].astype(str) != "all"]["verdict"].value_counts()
        click.echo(s("cli.cohorts", lang, rows=int(co.sum()), better=int(co.get("better", 0)), worse=int(co.get("worse", 0)),
                     same=int(co.get("no-clear-change", 0)),
                     other=int(co.get("not-comparable", 0) + co.get("not-shown", 0))))
    click.echo(s("cli.outputs", lang, outdir=result.outdir, seconds=number(result.seconds['total'], lang, 1)))
