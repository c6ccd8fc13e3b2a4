"""The ``ctc`` command group and the one place where errors become ``Error:`` lines."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from .. import __version__
from ..errors import CtcError, InvalidDefinition
from .common import LANGS, AppState


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    hint = getattr(exc, "hint", None)
    if hint:
        text = f"{text.rstrip('.')}. Hint: {hint}"
    return f"Error: {text}"


class CtcGroup(click.Group):
    """A click group that translates toolkit errors once, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except InvalidDefinition as exc:
            self._fail(ctx, exc, details=[f"  {p}" for p in exc.problems])
        except CtcError as exc:
            self._fail(ctx, exc)
        except OSError as exc:  # environment, not a bug: disk full, permission, missing file
            name = f": {exc.filename}" if exc.filename else ""
            self._fail(ctx, CtcError(f"{exc.strerror or exc}{name}", "check the path and its permissions"))
        except KeyboardInterrupt:
            click.echo("Error: interrupted; no output was written.", err=True)
            ctx.exit(130)

    @staticmethod
    def _fail(ctx: click.Context, exc: BaseException, details: list[str] | None = None) -> None:
        if _debug(ctx):
            traceback.print_exception(exc, file=sys.stderr)
        for line in details or []:
            click.echo(line, err=True)
        click.echo(_one_line(exc), err=True)
        ctx.exit(1)


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_object(AppState)
    return bool(obj and obj.debug) or "--debug" in sys.argv


@click.group(cls=CtcGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="ctc")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=lambda: os.environ.get("CTC_LANG", "en") if os.environ.get("CTC_LANG") in LANGS else "en",
    help="Language of reports and messages (en or de; env CTC_LANG).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, lang: str) -> None:
    """Communities That Care toolkit: score youth surveys, profile risk and
    protection against a baseline, prioritise and plan."""
    ctx.obj = AppState(debug=debug, lang=lang)


def _register() -> None:
    from . import (
        instrument_cmd,
        map_cmd,
        profile_cmd,
        programmes_cmd,
        score_cmd,
        simulate_cmd,
        workbook_cmd,
    )

    for command in (instrument_cmd.instrument, map_cmd.map_group, simulate_cmd.simulate, score_cmd.score_cmd,
                    profile_cmd.profile_cmd, profile_cmd.baseline_group, programmes_cmd.programmes,
                    workbook_cmd.workbook):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="ctc")
