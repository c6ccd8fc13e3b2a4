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

import pandas as pd

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
