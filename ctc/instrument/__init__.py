"""Instrument definitions: model, loading, checking, codebook."""

from .load import (
    InstrumentSummary,
    list_instruments,
    load_instrument,
    load_instrument_file,
    shipped_instruments,
)
from .model import FORMAT, Instrument, Item, Outcome, ResponseSet, Scale, ValidityRule

__all__ = [
    "FORMAT",
    "Instrument",
    "InstrumentSummary",
    "Item",
    "Outcome",
    "ResponseSet",
    "Scale",
    "ValidityRule",
    "list_instruments",
    "load_instrument",
    "load_instrument_file",
    "shipped_instruments",
]
