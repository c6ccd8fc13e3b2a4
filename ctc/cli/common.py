"""Shared option decorators and helpers for commands (one definition per flag)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import DefinitionError, InvalidDefinition

F = TypeVar("F", bound=Callable[..., Any])
LANGS = ("en", "de")


@dataclass
class AppState:
    debug: bool = False
    lang: str = "en"


def state() -> AppState:
    ctx = click.get_current_context()
    obj = ctx.find_object(AppState)
    return obj if obj is not None else AppState(lang=os.environ.get("CTC_LANG", "en"))


def lang_option(f: F) -> F:
    """``--lang en|de`` on a command; falls back to the group's ``--lang``."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=None,
        help="Language of the output (default: the global --lang, else en).",
    )(f)


def resolve_lang(lang: str | None) -> str:
    """The command's ``--lang``, else the group's; remembered, so that an error raised later in
    the command is reported in the same language."""
    st = state()
    if lang:
        st.lang = lang
    return st.lang


def current_lang() -> str:
    """The language of the running command (for ``Error:`` lines and console summaries)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:  # library use
        return "en"
    obj = ctx.find_object(AppState)
    if obj is not None:
        return obj.lang
    lang = ctx.find_root().params.get("lang")  # the group's option, parsed before its callback ran
    return lang if lang in LANGS else "en"


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print a console line in the command's language: the English text is translated line by
    line through the phrase catalogue (:func:`ctc.i18n.translate`)."""
    from ..i18n import translate

    lang = current_lang()
    click.echo("\n".join(translate(line, lang) for line in text.split("\n")), err=err, nl=nl)


def instrument_option(f: F) -> F:
    return click.option(
        "--instrument",
        "-i",
        default="ctc-youth-survey",
        show_default=True,
        metavar="ID|FILE",
        help="Shipped instrument id or path to an instrument YAML file.",
    )(f)


def quiet_option(f: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")(f)


def echo_err(message: str) -> None:
    say(message, err=True)


def engine_options(f: F) -> F:
    """``--engine``, ``--scheduler``: where the work runs (docs/engine.md)."""
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler to run on, e.g. tcp://host:8786 (with --engine dask; default: a "
                          "LocalCluster of 2 workers on this machine).")(f)
    return click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                        help="local: in this process. dask: on a Dask cluster (pip install 'ctc-toolkit[dask]').")(f)


def make_engine(engine: str, scheduler: str | None):  # type: ignore[no-untyped-def]
    """The engine the options name (an error for --scheduler without --engine dask)."""
    from ..engine import Engine

    return Engine(engine, scheduler)  # type: ignore[arg-type]


def force_option(f: F) -> F:
    return click.option("--force", is_flag=True, help="Replace existing outputs.")(f)


def source_options(f: F) -> F:
    """``--sep``, ``--encoding``, ``--sheet``: how to read a data file (default: detect)."""
    f = click.option("--sheet", default=None, metavar="NAME|N",
                     help="Excel sheet: name, or position counting from 1 (default: the first).")(f)
    f = click.option("--encoding", default=None, metavar="CODEC",
                     help="Text encoding of a CSV file, e.g. utf-8 or cp1252 (default: detect).")(f)
    f = click.option("--sep", default=None, metavar="CHAR",
                     help="Delimiter of a CSV file: ',', ';', 'tab' or '|' (default: detect).")(f)
    return f


def read_options(f: F) -> F:
    """``source_options`` plus ``--mapping``: how to read a survey export and find its columns."""
    f = click.option("--mapping", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="CSV with item,column (and @role,column) overriding the instrument's column names.")(f)
    return source_options(f)


def make_read_options(sep: str | None, encoding: str | None, sheet: str | None):
    from ..io.read import ReadOptions

    return ReadOptions(sep=sep, encoding=encoding, sheet=sheet)


class Progress:
    """A row counter on stderr, only when stderr is a terminal and not --quiet."""

    def __init__(self, total: int | None, quiet: bool, label: str = "rows") -> None:
        import sys

        self.enabled = not quiet and sys.stderr.isatty()
        self.total, self.done, self.label = total, 0, label

    def __call__(self, n: int) -> None:
        self.done += n
        if self.enabled:
            of = f" of {self.total:,}" if self.total else ""
            click.echo(f"\r{self.done:,}{of} {self.label}", nl=False, err=True)

    def close(self) -> None:
        if self.enabled and self.done:
            click.echo("", err=True)


def check_files(files: tuple[Path, ...], load: Callable[[Path], Any], describe: Callable[[Any], str]) -> None:
    """Load every file; print ``<file>: ok (…)`` or every problem; exit 1 when any failed.

    The behaviour of ``ctc instrument check``, for any definition file type.
    """
    failed = 0
    for path in files:
        try:
            obj = load(path)
        except InvalidDefinition as exc:
            failed += 1
            say(exc.report())
            continue
        except DefinitionError as exc:
            failed += 1
            say(f"{path}: {exc.message}")
            continue
        say(f"{path}: ok ({describe(obj)})")
    if failed:
        say(f"Error: {failed} of {len(files)} file(s) have problems (listed above).", err=True)
        sys.exit(1)
