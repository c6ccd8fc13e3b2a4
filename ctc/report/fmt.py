"""Numbers as a board member of ``lang`` reads them; a blank (NaN) cell is a dash, never a number."""

from __future__ import annotations

import math

from ..i18n import number
from .strings import msg

DASH = "–"
MINUS = "−"


def missing(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def num(value: object, lang: str, digits: int = 1) -> str:
    if missing(value):
        return DASH
    return number(float(value), lang, digits).replace("-", MINUS)  # type: ignore[arg-type]  # memoised there


def signed(value: object, lang: str, digits: int = 1) -> str:
    """A difference: ``+5.2`` / ``−5.2`` (``0.0`` without a sign)."""
    if missing(value):
        return DASH
    text = num(abs(float(value)), lang, digits)  # type: ignore[arg-type]
    if text == num(0.0, lang, digits):
        return text
    return ("+" if float(value) > 0 else MINUS) + text  # type: ignore[arg-type]


def interval(low: object, high: object, lang: str, digits: int = 1) -> str:
    """``27.0–35.6``; with a negative end ``−14.3 to −8.6`` (a dash beside a minus sign misleads)."""
    if missing(low) or missing(high):
        return ""
    a, b = num(low, lang, digits), num(high, lang, digits)
    if MINUS in a or MINUS in b:
        return f"{a} {msg('interval.to', lang)} {b}"
    return f"{a}–{b}"


def qvalue(q: object, lang: str) -> str:
    if missing(q):
        return DASH
    if float(q) < 0.001:  # type: ignore[arg-type]
        return "< " + number(0.001, lang, 3)
    return number(float(q), lang, 3)  # type: ignore[arg-type]


def count(n: object, lang: str) -> str:
    """Whole numbers with a thousands separator (en 1,234 · de 1.234)."""
    if missing(n):
        return DASH
    text = f"{int(float(n)):,}"  # type: ignore[arg-type]
    return text if lang == "en" else number(int(float(n)), lang, 0, grouping=True)  # type: ignore[arg-type]


def share(value: object, lang: str) -> str:
    """A 0–1 share as a whole percentage without the sign (``0.87`` → ``87``)."""
    return DASH if missing(value) else num(100 * float(value), lang, 0)  # type: ignore[arg-type]


def quote(text: str, lang: str) -> str:
    return f"„{text}“" if lang == "de" else f"“{text}”"
