"""ctc — the Communities That Care toolkit.

Library first: every command of the ``ctc`` CLI is a thin adapter over a
function importable from here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import CtcError, DataError, DefinitionError  # noqa: E402
from .instrument import Instrument, list_instruments, load_instrument  # noqa: E402

__all__ = [
    "CtcError",
    "DataError",
    "DefinitionError",
    "Instrument",
    "__version__",
    "list_instruments",
    "load_instrument",
]
