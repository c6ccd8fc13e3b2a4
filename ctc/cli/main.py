"""The ``ctc`` command group and the one place where errors become ``Error:`` lines."""

from __future__ import annotations

import atexit
import errno
import gc
import os
import sys
import traceback
from typing import Any

import click

from .. import __version__
from ..errors import CtcError, InvalidDefinition
from ..i18n import t, translate
from .common import LANGS, AppState, current_lang


#: what the shell reports for a process ended by SIGPIPE (128 + 13), as `yes | head` does
EXIT_BROKEN_PIPE = 141

#: errno → what to do; worded for a person (a message catalogue can translate them)
OS_ERROR_HINTS = {
    errno.ENOSPC: "the disk is full: free some space or write to another disk, then run again",
    errno.EDQUOT: "your disk quota is used up: free some space or write to another disk, then run again",
    errno.EACCES: "you may not read or write there: check the permissions of the path, or choose another folder",
    errno.EPERM: "the operation is not permitted there: check the permissions of the path, or choose another folder",
    errno.EROFS: "the file system is read-only: write to another folder",
    errno.ENOENT: "check that the path exists and is spelled right",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "the path is a folder where a file is expected: check the path",
    errno.ENAMETOOLONG: "the path is too long: use a shorter folder or file name",
    errno.EMFILE: "too many open files: close other programs or raise the limit (ulimit -n), then run again",
    errno.ENFILE: "too many open files on the system: close other programs, then run again",
    errno.EBUSY: "the file is in use by another program: close it there, then run again",
    errno.ETXTBSY: "the file is in use by another program: close it there, then run again",
    errno.EFBIG: "the file is too large for this file system or your limit (ulimit -f): write to another disk",
    errno.EIO: "the disk or network drive reported an input/output error: check the drive, or use another one",
}


def os_error_hint(exc: OSError) -> str:
    return OS_ERROR_HINTS.get(exc.errno or 0, "check the path and its permissions")


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so Python's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests, notebooks)
        pass


def _one_line(exc: BaseException, lang: str = "en") -> str:
    """``Error: <message>. Hint: <hint>`` in the reader's language (German: ``Fehler: … Hinweis: …``)."""
    text = translate(str(exc).strip().replace("\n", " "), lang)
    hint = getattr(exc, "hint", None)
    if hint:
        text = f"{text.rstrip('.')}. {t('cli.hint', lang)}: {translate(hint, lang)}"
    return f"{t('cli.error', lang)}: {text}"


#: command name → "module:attribute"; imported only when used (or listed in --help), so
#: ``ctc score`` does not pay for the statistics stack that ``ctc profile`` needs
COMMANDS = {
    "audit": "audit_cmd:audit_cmd",
    "baseline": "profile_cmd:baseline_group",
    "compare": "compare_cmd:compare_cmd",
    "cutpoints": "cutpoints_cmd:cutpoints_group",
    "instrument": "instrument_cmd:instrument",
    "map": "map_cmd:map_group",
    "materials": "materials_cmd:materials_cmd",
    "profile": "profile_cmd:profile_cmd",
    "programmes": "programmes_cmd:programmes",
    "score": "score_cmd:score_cmd",
    "simulate": "simulate_cmd:simulate",
    "weights": "weights_cmd:weights_cmd",
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
        except click.ClickException as exc:
            if current_lang() == "en":
                raise
            self._fail_click(exc)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except InvalidDefinition as exc:
            self._fail(ctx, exc, details=[f"  {p}" for p in exc.problems])
        except CtcError as exc:
            self._fail(ctx, exc)
        except BrokenPipeError:  # `ctc score ... | head`: the reader has gone; stop quietly like other tools
            _silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:  # environment, not a bug: disk full, permission, missing file
            name = f": {exc.filename}" if exc.filename else ""
            self._fail(ctx, CtcError(f"{exc.strerror or exc}{name}", os_error_hint(exc)))
        except KeyboardInterrupt:
            click.echo(translate("Error: interrupted; no output was written.", current_lang()), err=True)
            ctx.exit(130)

    @staticmethod
    def _fail_click(exc: click.ClickException) -> None:
        """click's own usage errors, in the reader's language (click ships no German)."""
        lang = current_lang()
        sub = getattr(exc, "ctx", None)
        if sub is not None:
            click.echo(translate(sub.get_usage(), lang), err=True)
            helps = " ".join(sub.help_option_names[:1])
            click.echo(translate(f"Try '{sub.command_path} {helps}' for help.", lang) + "\n", err=True)
        click.echo(f"{t('cli.error', lang)}: {translate(exc.format_message(), lang)}", err=True)
        sys.exit(exc.exit_code)

    @staticmethod
    def _fail(ctx: click.Context, exc: BaseException, details: list[str] | None = None) -> None:
        if _debug(ctx):
            traceback.print_exception(exc, file=sys.stderr)
        lang = current_lang()
        for line in details or []:
            click.echo(translate(line, lang), err=True)
        click.echo(_one_line(exc, lang), err=True)
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
    # at exit (after the handlers registered later, e.g. the pools'; before those registered on
    # import, such as logging's, which it does not affect): the interpreter's last garbage
    # collection would walk the whole run's heap (0.3 s after a profile of 100 municipalities) only
    # to free what the process's end frees anyway
    atexit.register(gc.freeze)
    try:
        cli(prog_name="ctc")
    except BrokenPipeError:  # raised while click itself writes (--help into a closed pipe)
        _silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
