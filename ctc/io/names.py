"""One spelling per name before grouping: municipality, school and gender labels.

Exports spell the same town differently: Unicode NFC vs NFD ("Mülheim" typed on a Mac
arrives decomposed, u + combining diaeresis), a trailing space, a double space, a
no-break space. Grouping on the raw text splits one municipality into two. Labels are
normalised to NFC with surrounding white space removed and every internal run of
white space collapsed to one ASCII space; case is preserved ("Bad Vilbel" and
"bad vilbel" stay two spellings: case may carry meaning, and the checks show both).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import UsageError

_SPACE = re.compile(r"\s+")


def normalise_label(text: str) -> str:
    """``"  Mu\\u0308lheim \\u00a0an der  Ruhr "`` → ``"Mülheim an der Ruhr"``."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_labels(values: pd.Series) -> pd.Series:
    """:func:`normalise_label` on every distinct value (labels repeat: a few hundred per million rows)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return values
    fixed = [normalise_label(str(u)) for u in uniques]
    if fixed == [str(u) for u in uniques]:
        return values
    out = pd.Series(pd.array(fixed, dtype="str").take(codes, allow_fill=True), index=values.index, name=values.name)
    return out.mask(out == "")


# --------------------------------------------------------------------------- file names

#: Device names Windows reserves in every folder, with or without an extension
#: ("con", "Con.csv", "com1"): such a file or folder cannot be opened there.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def windows_reserved(name: str) -> bool:
    """True for ``con``, ``NUL.txt``, ``com1`` ... (the part before the first dot, trailing spaces ignored)."""
    return name.split(".")[0].rstrip(" ").casefold() in WINDOWS_RESERVED


def check_output_name(path: str | Path) -> None:
    """Refuse an output path with a component Windows cannot open: boards share these
    folders, and a folder named ``con`` made on Linux cannot be opened or deleted there."""
    for part in Path(path).parts:
        if windows_reserved(part):
            raise UsageError(f"'{part}' in the output path {path} is a name Windows reserves for a device; "
                             "the output could not be opened there", "choose another name for the output")
