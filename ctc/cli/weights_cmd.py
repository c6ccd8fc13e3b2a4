"""``ctc weights``: weight a survey to enrolment totals (docs/weights.md)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import number, t, translate
from .common import force_option, lang_option, make_read_options, quiet_option, resolve_lang, say, source_options


@click.command("weights")
@click.argument("survey", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--enrolment", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Enrolment totals: grouping columns (e.g. municipality, grade, gender) and 'enrolled'.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Weighted survey to write (.csv or .parquet); its calibration model and report go beside it.")
@click.option("--method", type=click.Choice(["poststratify", "rake", "calibrate"]), default="poststratify", show_default=True,
              help="poststratify: to the full cells; rake: iterative proportional fitting to the margins; "
                   "calibrate: raking calibration (allows --bounds).")
@click.option("--bounds", default=None, metavar="LO,HI",
              help="Bounds of weight / design weight, e.g. 0.3,3 (enforced; see --trim).")
@click.option("--trim", is_flag=True, help="Cap the weights at --bounds and rake again until both hold; the remaining "
                                           "misfit of the margins is reported.")
@click.option("--partial", is_flag=True, help="Leave out enrolled cells without respondents (reported) instead of failing.")
@source_options
@force_option
@lang_option
@quiet_option
def weights_cmd(survey: Path, enrolment: Path, output: Path, method: str, bounds: str | None, trim: bool, partial: bool,
                sep: str | None, encoding: str | None, sheet: str | None, force: bool, lang: str | None, quiet: bool) -> None:
    """Weight SURVEY to enrolment totals: post-stratification or raking, with the
    calibration model that gives ctc profile calibration-aware standard errors."""
    from babel.numbers import format_scientific

    from ..weights import parse_bounds, weight_survey

    lang = resolve_lang(lang)
    result = weight_survey(survey, enrolment, output, method=method, bounds=parse_bounds(bounds),  # type: ignore[arg-type]
                           trim=trim, partial=partial, force=force, read=make_read_options(sep, encoding, sheet), lang=lang)
    if quiet:
        return
    w = result.fit.weights
    click.echo(t("weights.done", lang, rows=number(result.rows, lang, grouping=True), method=method,
                 margins=len(result.margins), iterations=result.fit.iterations,
                 misfit=format_scientific(max(result.fit.misfit), "0.0E0", locale=lang),
                 deff=number(result.kish_deff, lang, 3), low=number(float(f"{w.min():.4g}"), lang),
                 high=number(float(f"{w.max():.4g}"), lang), seconds=number(result.seconds, lang, 2)))
    for cell in result.tiny[:5]:
        click.echo(t("weights.tiny", lang, margin=cell.margin, cell=", ".join(cell.cell), n=cell.respondents,
                     suggestion=translate(cell.suggestion, lang)))
    if len(result.tiny) > 5:
        click.echo(t("weights.tiny_more", lang, n=len(result.tiny) - 5))
    for note in result.notes:
        say(f"  {note}")
    click.echo(t("weights.outputs", lang, output=result.output, model=result.model, report=result.report_html))
