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


#: command name → "module:attribute"; imported only when used (or listed in --help), so
#: ``ctc score`` does not pay for the statistics stack that ``ctc profile`` needs
COMMANDS = {
    "audit": "audit_cmd:audit_cmd",
    "baseline": "profile_cmd:baseline_group",
    "instrument": "instrument_cmd:instrument",
    "map": "map_cmd:map_group",
    "profile": "profile_cmd:profile_cmd",
    "programmes": "programmes_cmd:programmes",
    "score": "score_cmd:score_cmd",
    "simulate": "simulate_cmd:simulate",
    "workbook": "workbook_cmd:workbook",
}


class CtcGroup(click.Group):
    """A click group that loads its commands lazily and translates toolkit errors once,
    for every command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            import importlib

            module, attr = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(f"{__package__}.{module}"), attr), name)
        return self.commands.get(name)

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


def main() -> None:
    cli(prog_name="ctc")
