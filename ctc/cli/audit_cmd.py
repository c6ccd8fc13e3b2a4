"""``ctc audit OUTDIR``: attack a release from what it publishes, before it goes out."""

from __future__ import annotations

from pathlib import Path

import click

from .common import lang_option, resolve_lang

TEXT = {
    "summary": {"en": "{folder}: {hidden} hidden cells, {could} of them could be small groups; {exposed} exposed "
                      "(protection level {p} %, min n {min_n}, all-or-none below {aon})",
                "de": "{folder}: {hidden} verborgene Zellen, davon {could} möglicherweise kleine Gruppen; {exposed} "
                      "aufgedeckt (Schutzniveau {p} %, Mindestgröße {min_n}, Alles-oder-nichts unter {aon})"},
    "head": {"en": "Narrowest hidden cells (interval an attacker can derive; x = flagged, y = not flagged):",
             "de": "Am engsten eingrenzbare verborgene Zellen (Intervall, das ein Angreifer ableiten kann; x = markiert, y = nicht markiert):"},
    "exposed": {"en": "EXPOSED", "de": "AUFGEDECKT"},
    "fail": {"en": "Error: {n} hidden cell(s) can be narrowed below the protection level. Hint: do not release this folder; "
                   "rerun ctc profile with this version, which protects every cell before writing.",
             "de": "Fehler: {n} verborgene Zelle(n) lassen sich unter das Schutzniveau eingrenzen. Hinweis: Diesen Ordner nicht "
                   "weitergeben; ctc profile mit dieser Version neu ausführen, sie schützt jede Zelle vor dem Schreiben."},
}


def _t(key: str, lang: str, **kw: object) -> str:
    from ..report.fmt import count

    text = TEXT[key].get(lang) or TEXT[key]["en"]
    return text.format(**{k: count(v, lang) if isinstance(v, int) else v for k, v in kw.items()})


def _interval(lo: int, hi: int) -> str:
    return f"[{lo}, {'∞' if hi > 10**12 else hi}]"


@click.command("audit")
@click.argument("outdir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--min-n", type=click.IntRange(1), default=None, help="Smallest group that may be shown (default: the run's).")
@click.option("--all-or-none-n", type=click.IntRange(0), default=None, help="Below this n, 0 % and 100 % are sensitive (default: the run's).")
@click.option("--protection", type=click.FloatRange(0, 1, max_open=True), default=None,
              help="Protection level: share of a group a hidden count must stay uncertain by (default: the run's).")
@click.option("--show", default=10, show_default=True, type=click.IntRange(0), help="How many of the narrowest cells to list.")
@lang_option
def audit_cmd(outdir: Path, min_n: int | None, all_or_none_n: int | None, protection: float | None, show: int,
              lang: str | None) -> None:
    """Attack an output folder of `ctc profile` using only what it publishes; list the
    narrowest hidden cells and exit 1 when any could-be-small group can be narrowed
    below the protection level."""
    from ..release.attack import audit_folder

    lang = resolve_lang(lang)
    result = audit_folder(outdir, min_n=min_n, all_or_none_n=all_or_none_n, protection=protection)
    cells, used = result.cells, result.settings
    exposed = int(cells["exposed"].sum()) if len(cells) else 0
    p = round(100 * used["protection"])
    click.echo(_t("summary", lang, folder=outdir, hidden=len(cells), could=result.checked, exposed=exposed,
                  p=p, min_n=used["min_n"], aon=used["all_or_none_n"]))
    risky = cells[cells["could_be_sensitive"]].sort_values(["exposed", "room"], ascending=[False, True]).head(show) if len(cells) else cells
    if len(risky):
        click.echo(_t("head", lang))
        for r in risky.itertuples(index=False):
            where = " / ".join(str(v) for v in (r.municipality, r.grade, r.gender) if str(v) != "all") or "all"
            what = getattr(r, "indicator_id", None) if r.table == "profile" else getattr(r, "rule", "")
            flag = f"  {_t('exposed', lang)}" if r.exposed else ""
            click.echo(f"  {r.table} {what} {where}: x {_interval(r.x_lo, r.x_hi)}, y {_interval(r.y_lo, r.y_hi)}{flag}")
    if exposed:
        click.echo(_t("fail", lang, n=exposed), err=True)
        raise SystemExit(1)
