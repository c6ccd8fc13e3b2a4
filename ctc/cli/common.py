"""Shared option decorators and helpers for commands (one definition per flag)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

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
    return lang or state().lang


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
    click.echo(message, err=True)
