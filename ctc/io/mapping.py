"""Which data column holds which item and which respondent attribute.

Order of precedence (later wins): the instrument's ``columns`` and item ``column``
keys (default: the item id) → a mapping file (``--mapping map.csv``) → role
overrides given for one run. A name is looked up exactly first, then ignoring case
and spacing (``Q_A3`` finds ``q a3``; reported as ``column-matched-loosely``).

Mapping file (UTF-8, a byte-order mark is fine; cp1252 is accepted as a fallback for
files saved by Excel): a header whose first two fields are ``item,column``; one row
per item id, and metadata roles as ``@respondent``, ``@municipality``, ``@grade``,
``@school``, ``@gender``, ``@weight``, ``@wave``, and for the survey design
``@stratum`` (strata of the school sample), ``@schools_population`` (schools in the
stratum's population) and ``@enrolled`` (enrolled students of the respondent's school),
see docs/statistics.md. An empty column means "not in the
data" (items: ``unmapped-item``; optional roles: not used). Further columns (e.g.
``confidence``, ``candidates`` of the template written by ``ctc map suggest``) and
rows starting with ``#`` are ignored; ``;`` or tab may be used instead of ``,``.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from ..checks import CheckProblem
from ..errors import InvalidDefinition, MissingColumn, Problem, UsageError
from ..instrument.model import Instrument
from .atomic import atomic_path
from ..release.csvsafe import unquote, write_csv

ROLES = ("respondent", "municipality", "grade", "school", "gender", "weight", "wave",
         "stratum", "schools_population", "enrolled")  # the last three: survey design (docs/statistics.md)
REQUIRED_ROLES = ("respondent", "municipality", "grade")
ROLE_PREFIX = "@"
MAPPING_HINT = "fix the listed rows; 'ctc map suggest DATAFILE -o map.csv' writes a template to start from"

#: Usual names of metadata columns in German and English survey exports.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "respondent": ("id", "resp_id", "respondent", "respondent_id", "lfdn", "fragebogen_id", "fbnr", "case_id"),
    "municipality": ("gemeinde", "kommune", "municipality", "town", "stadt", "ort", "community"),
    "grade": ("klasse", "jahrgang", "jahrgangsstufe", "klassenstufe", "grade"),
    "school": ("schule", "school", "schulname", "school_id"),
    "gender": ("geschlecht", "sex", "gender"),
    "weight": ("gewicht", "weight", "wgt", "gewichtung"),
    "wave": ("welle", "wave", "jahr", "year", "erhebungsjahr"),
    "stratum": ("stratum", "strata", "schicht"),
    "schools_population": ("schools_population", "n_schools_population", "schulen_grundgesamtheit"),
    "enrolled": ("enrolled", "enrolment", "enrollment", "schueler_gesamt", "schuelerzahl"),
}

Confidence = Literal["exact", "case-insensitive", "alias", "fuzzy", "none"]
#: difflib ratio a fuzzy suggestion needs (0.8 keeps "q23a" from suggesting "q23b": 0.75).
FUZZY_CUTOFF = 0.8


def normalise_name(name: str) -> str:
    """Case- and spacing-insensitive form: ``" Q_A3 "``, ``"q a3"``, ``"q-a3"`` → ``"q_a3"``."""
    return re.sub(r"[\s_\-.]+", "_", str(name).strip().casefold()).strip("_")


def _close(name: str, options: Iterable[str], n: int = 3) -> list[str]:
    opts = list(options)
    by_norm: dict[str, str] = {}
    for o in opts:
        by_norm.setdefault(normalise_name(o), o)
    hits = difflib.get_close_matches(normalise_name(name), list(by_norm), n=n, cutoff=0.6)
    return [by_norm[h] for h in hits]


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = _close(name, options)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


# --------------------------------------------------------------------------- the map


@dataclass(frozen=True)
class ColumnMap:
    """Role → data column (roles in use only) and item id → data column (``None``: not in the data).

    ``items`` keeps the instrument's item order. Treat both mappings as read-only.
    """

    roles: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str | None] = field(default_factory=dict)

    def role(self, name: str) -> str | None:
        if name not in ROLES:
            raise KeyError(f"unknown role {name!r}; roles: {', '.join(ROLES)}")
        return self.roles.get(name)

    @property
    def respondent(self) -> str:
        return self.roles["respondent"]

    @property
    def municipality(self) -> str:
        return self.roles["municipality"]

    @property
    def grade(self) -> str:
        return self.roles["grade"]

    @property
    def found_items(self) -> dict[str, str]:
        return {i: c for i, c in self.items.items() if c is not None}

    @property
    def absent_items(self) -> tuple[str, ...]:
        return tuple(i for i, c in self.items.items() if c is None)

    def used_columns(self) -> set[str]:
        return set(self.roles.values()) | set(self.found_items.values())

    def item_frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """The item columns of ``data`` named by item id, in instrument order; absent items all-NA."""
        cols = {i: (data[c] if c is not None else pd.Series(float("nan"), index=data.index, dtype="float64"))
                for i, c in self.items.items()}
        return pd.DataFrame(cols, index=data.index, columns=list(self.items))


@dataclass(frozen=True)
class _Match:
    column: str | None
    how: Literal["exact", "loose", "ambiguous", "missing", "unmapped"]
    candidates: tuple[str, ...] = ()


def _match_all(wanted: Mapping[str, str | None], data_columns: Sequence[str]) -> dict[str, _Match]:
    """Exact matches first; then unique loose matches among columns nobody matched exactly."""
    present = set(data_columns)
    out: dict[str, _Match] = {}
    for key, name in wanted.items():
        if name is None:
            out[key] = _Match(None, "unmapped")
        elif name in present:
            out[key] = _Match(name, "exact")
    taken = {m.column for m in out.values() if m.column}
    by_norm: dict[str, list[str]] = {}
    for c in data_columns:
        if c not in taken:
            by_norm.setdefault(normalise_name(c), []).append(c)
    pending = {k: n for k, n in wanted.items() if k not in out and n is not None}
    claims: dict[str, set[str]] = {}  # data column → wanted names loosely matching it
    for name in pending.values():
        hits = by_norm.get(normalise_name(name), [])
        if len(hits) == 1:
            claims.setdefault(hits[0], set()).add(name)
    for key, name in pending.items():
        hits = by_norm.get(normalise_name(name), [])
        if len(hits) == 1 and len(claims[hits[0]]) == 1:
            out[key] = _Match(hits[0], "loose")
        elif hits:
            out[key] = _Match(None, "ambiguous", tuple(hits))
        else:
            out[key] = _Match(None, "missing", tuple(_close(name, data_columns)))
    return out


def resolve_columns(
    instrument: Instrument,
    data_columns: Iterable[str],
    *,
    mapping: Path | str | None = None,
    role_overrides: Mapping[str, str | None] | None = None,
) -> tuple[ColumnMap, list[CheckProblem]]:
    """Find every role and item in ``data_columns``; return the map and the problems found.

    Raises :class:`MissingColumn` when respondent, municipality or grade cannot be
    found (one error naming all of them), :class:`InvalidDefinition` for a bad
    mapping file, :class:`UsageError` for an unknown role in ``role_overrides``.
    Problems: ``column-matched-loosely`` and ``unused-column`` (info), ``missing-column``
    and ``unmapped-item`` (warning); for these, ``value`` names the item or ``@role``.
    """
    columns = [str(c) for c in data_columns]
    roles: dict[str, str | None] = dict(instrument.columns.present())
    items: dict[str, str | None] = {i.id: i.source_column for i in instrument.items}
    if mapping is not None:
        file_roles, file_items = read_mapping(mapping, instrument, columns)
        roles.update(file_roles)
        items.update(file_items)
    for role, col in (role_overrides or {}).items():
        if role not in ROLES:
            raise UsageError(f"unknown column role {role!r}; roles: {', '.join(ROLES)}")
        roles[role] = col or None
    keys = {ROLE_PREFIX + r: c for r, c in roles.items()} | dict(items)
    # roles the user named (mapping file, options) vs those only the instrument suggests
    named = {ROLE_PREFIX + r for r in (file_roles if mapping is not None else {})} | {ROLE_PREFIX + r for r in (role_overrides or {})}
    matches = _match_all(keys, columns)
    _raise_missing_required(roles, matches, columns)
    problems = _problems(keys, matches, columns, named)
    cmap = ColumnMap(
        roles={r: m.column for r in ROLES if (m := matches.get(ROLE_PREFIX + r)) and m.column},
        items={i: matches[i].column for i in items},
    )
    used = cmap.used_columns()
    problems += [CheckProblem("unused-column", column=c) for c in columns if c not in used]
    return cmap, problems


def _raise_missing_required(roles: Mapping[str, str | None], matches: Mapping[str, _Match], columns: list[str]) -> None:
    lacking = []
    for role in REQUIRED_ROLES:
        m = matches.get(ROLE_PREFIX + role)
        name = roles.get(role)
        if m is None or m.column is None:
            what = f"{role} ({name!r})" if name else f"{role} (no column given)"
            if m is not None and m.how == "ambiguous":
                what += f" — several columns fit: {', '.join(m.candidates)}"
            elif guesses := _role_guesses(role, m, columns):
                what += f" — did you mean {', '.join(repr(c) for c in guesses)}?"
            lacking.append((role, what))
    if lacking:
        first = lacking[0][0]
        raise MissingColumn(
            "required column(s) not found in the data: " + "; ".join(w for _, w in lacking),
            f"name the column in a mapping file (a row '@{first},<column>') and pass it with --mapping; "
            "'ctc map suggest DATAFILE' writes a template",
        )


def _role_guesses(role: str, match: _Match | None, columns: list[str]) -> list[str]:
    """Close names first, then columns named like the role's usual aliases (``Klasse`` for grade)."""
    aliases = {normalise_name(a) for a in ALIASES[role]}
    guesses = list(match.candidates) if match is not None else []
    guesses += [c for c in columns if normalise_name(c) in aliases and c not in guesses]
    return guesses[:3]


def _problems(keys: Mapping[str, str | None], matches: Mapping[str, _Match], columns: list[str],
              named: set[str] = frozenset()) -> list[CheckProblem]:
    out = []
    for key, m in matches.items():
        wanted = keys[key]
        if m.how == "loose":
            out.append(CheckProblem("column-matched-loosely", f"{key}: '{wanted}' found as '{m.column}'",
                                    column=m.column, value=key))
        elif m.how == "unmapped" and not key.startswith(ROLE_PREFIX):
            out.append(CheckProblem("unmapped-item", f"{key}: no column given in the mapping", value=key))
        elif m.how == "ambiguous":
            out.append(CheckProblem("missing-column", f"{key}: '{wanted}' fits several columns: {', '.join(m.candidates)}",
                                    column=wanted, value=key))
        elif m.how == "missing" and key.lstrip(ROLE_PREFIX) not in REQUIRED_ROLES:
            hint = f" (did you mean {', '.join(repr(c) for c in m.candidates)}?)" if m.candidates else ""
            if key.startswith(ROLE_PREFIX) and key not in named and not m.candidates:
                # an optional role the instrument suggests and the file does not have: not a warning
                out.append(CheckProblem("optional-column-absent", f"{key}: optional column '{wanted}' not in the data",
                                        column=wanted, value=key))
            else:
                out.append(CheckProblem("missing-column", f"{key}: no column '{wanted}'{hint}", column=wanted, value=key))
    return out


# --------------------------------------------------------------------------- mapping files


def read_mapping(
    path: Path | str, instrument: Instrument, data_columns: Sequence[str]
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(roles, items) named in a mapping file; :class:`InvalidDefinition` lists every bad row."""
    path = Path(path)
    source = f"mapping file {path}"
    rows = _mapping_rows(path, source)
    roles: dict[str, str | None] = {}
    items: dict[str, str | None] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    by_column: dict[str, tuple[str, int]] = {}
    present = set(data_columns)
    for line, key, col in rows:
        key, col = unquote(key), unquote(col)  # our templates are written formula-safe ('@role)
        if key.startswith(ROLE_PREFIX):
            key = ROLE_PREFIX + key[1:].strip().lower()
        bad = _check_row(key, col, line, instrument, present, data_columns, seen, by_column)
        problems += bad
        seen.setdefault(key, line)
        if bad:
            continue
        if key.startswith(ROLE_PREFIX):
            roles[key[1:]] = col or None
        else:
            items[key] = col or None
            if col:
                by_column[col] = (key, line)
    if problems:
        raise InvalidDefinition(source, problems, MAPPING_HINT)
    return roles, items


def _check_row(key: str, col: str, line: int, instrument: Instrument, present: set[str], data_columns: Sequence[str],
               seen: Mapping[str, int], by_column: Mapping[str, tuple[str, int]]) -> list[Problem]:
    out = []
    if key.startswith(ROLE_PREFIX):
        if key[1:] not in ROLES:
            out.append(Problem(key, f"unknown role; roles: {', '.join(ROLE_PREFIX + r for r in ROLES)}", line))
    elif key not in instrument.item_by_id:
        out.append(Problem(key, f"unknown item id{_did_you_mean(key, instrument.item_by_id)}", line))
    if key in seen:
        out.append(Problem(key, f"listed twice (lines {seen[key]} and {line})", line))
    if col and col not in present:
        out.append(Problem(key, f"column '{col}' is not in the data{_did_you_mean(col, data_columns)}", line))
    elif col and not key.startswith(ROLE_PREFIX) and col in by_column:
        other, other_line = by_column[col]
        out.append(Problem(key, f"column '{col}' is already mapped to item {other} (line {other_line})", line))
    return out


def _mapping_rows(path: Path, source: str) -> list[tuple[int, str, str]]:
    """(line, key, column) for every non-empty, non-comment row after the header."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidDefinition(source, [Problem("", f"cannot read file: {exc.strerror or exc}")], MAPPING_HINT) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    sep = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(lines, delimiter=sep)
    header: list[str] | None = None
    out = []
    for fields in reader:
        line = reader.line_num
        cells = [c.strip() for c in fields]
        if not any(cells):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            if header[:2] != ["item", "column"]:
                raise InvalidDefinition(source, [Problem("header", f"the first row must start with 'item,column'; found {','.join(cells[:2])!r}", line)], MAPPING_HINT)
            continue
        if cells[0].startswith("#"):
            continue
        out.append((line, cells[0], cells[1] if len(cells) > 1 else ""))
    if header is None:
        raise InvalidDefinition(source, [Problem("header", "the file is empty; the first row must be 'item,column'")], MAPPING_HINT)
    return out


# --------------------------------------------------------------------------- suggestions


@dataclass
class _Target:
    key: str
    primary: str | None
    aliases: tuple[str, ...]
    column: str | None = None
    confidence: Confidence = "none"
    candidates: list[str] = field(default_factory=list)


def _targets(instrument: Instrument) -> list[_Target]:
    present = instrument.columns.present()
    out = [_Target(ROLE_PREFIX + r, present.get(r), ALIASES[r]) for r in ROLES]
    for item in instrument.items:
        out.append(_Target(item.id, item.source_column, (item.id,) if item.column else ()))
    return out


def suggest_mapping(instrument: Instrument, data_columns: Iterable[str]) -> pd.DataFrame:
    """A mapping template: one row per role (``@respondent``, ...) and item, with the best guess.

    Columns: ``item``, ``column`` (empty when nothing fits), ``confidence`` (exact |
    case-insensitive | alias | fuzzy | none; case-insensitive also ignores spacing,
    ``_``, ``-`` and ``.``) and ``candidates`` (other close names, ``" | "``-separated).
    Each data column is suggested at most once, surer matches first. The result can
    be written with :func:`write_mapping` and passed back as ``mapping=``.
    """
    columns = [str(c) for c in data_columns]
    targets = _targets(instrument)
    free = list(columns)
    _assign(targets, free, "exact", lambda t, c: t.primary is not None and c == t.primary)
    _assign(targets, free, "case-insensitive",
            lambda t, c: t.primary is not None and normalise_name(c) == normalise_name(t.primary))
    _assign(targets, free, "alias", lambda t, c: normalise_name(c) in {normalise_name(a) for a in t.aliases})
    _assign_fuzzy(targets, free)
    for t in targets:
        names = [n for n in (t.primary, *t.aliases) if n]
        close = {c for n in names for c in _close(n, columns, n=4)}
        t.candidates = sorted(close - {t.column}, key=columns.index)[:3]
    return pd.DataFrame({
        "item": pd.Series([t.key for t in targets], dtype="str"),
        "column": pd.Series([t.column or "" for t in targets], dtype="str"),
        "confidence": pd.Series([t.confidence for t in targets], dtype="str"),
        "candidates": pd.Series([" | ".join(t.candidates) for t in targets], dtype="str"),
    })


def _assign(targets: list[_Target], free: list[str], confidence: Confidence, fits) -> None:
    """Give each open target the free column that fits, when exactly one fits."""
    for t in targets:
        if t.column is not None:
            continue
        hits = [c for c in free if fits(t, c)]
        if len(hits) == 1 or (confidence == "alias" and hits):
            chosen = hits[0] if len(hits) == 1 else _first_by_alias(t, hits)
            t.column, t.confidence = chosen, confidence
            free.remove(chosen)


def _first_by_alias(t: _Target, hits: list[str]) -> str:
    order = [normalise_name(a) for a in t.aliases]
    return min(hits, key=lambda c: order.index(normalise_name(c)))


def _assign_fuzzy(targets: list[_Target], free: list[str]) -> None:
    """Closest remaining names by difflib ratio (≥ FUZZY_CUTOFF), best pairs first."""
    pairs = []
    for ti, t in enumerate(targets):
        if t.column is not None:
            continue
        for name in (n for n in (t.primary, *t.aliases) if n):
            for c in free:
                ratio = difflib.SequenceMatcher(None, normalise_name(name), normalise_name(c)).ratio()
                if ratio >= FUZZY_CUTOFF:
                    pairs.append((-ratio, ti, c))
    for _neg, ti, c in sorted(pairs):
        t = targets[ti]
        if t.column is None and c in free:
            t.column, t.confidence = c, "fuzzy"
            free.remove(c)


def suggestion_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many rows of a :func:`suggest_mapping` table have each confidence."""
    counts = table["confidence"].value_counts()
    return {c: int(counts.get(c, 0)) for c in ("exact", "case-insensitive", "alias", "fuzzy", "none")}


def write_mapping(table: pd.DataFrame, path: Path | str, *, overwrite: bool = False) -> Path:
    """Write a mapping table as CSV (UTF-8 with byte-order mark for Excel), atomically.

    An existing file is kept unless ``overwrite`` (a mapping is a file people edit).
    """
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        write_csv(table, tmp, encoding="utf-8-sig")
    return target
