"""Referential cross-checks on a raw catalogue document.

Like the instrument checks they work defensively on the parsed YAML, so problems are
reported with their path and line even when the structure has errors of its own.
Each check is ``(doc) -> list[Problem]``; :func:`catalogue_problems` runs the same
checks on a model built in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from ..errors import Problem
from ..spec import locate
from .model import Catalogue

Doc = Any
Check = Callable[[Doc], list[Problem]]


def _programmes(doc: Doc) -> Iterator[tuple[int, Mapping[str, Any]]]:
    seq = doc.get("programmes") if isinstance(doc, Mapping) else None
    if isinstance(seq, list):
        for i, entry in enumerate(seq):
            if isinstance(entry, Mapping):
                yield i, entry


def duplicate_ids(doc: Doc) -> list[Problem]:
    counts = Counter(e.get("id") for _, e in _programmes(doc) if isinstance(e.get("id"), str))
    seen: set[str] = set()
    problems = []
    for i, e in _programmes(doc):
        ident = e.get("id")
        if counts.get(ident, 0) > 1:
            if ident in seen:
                problems.append(locate(doc, ["programmes", i, "id"], f"duplicate programme id {ident!r} (ids must be unique)"))
            seen.add(ident)
    return problems


def unknown_adapts(doc: Doc) -> list[Problem]:
    ids = {e.get("id") for _, e in _programmes(doc)}
    problems = []
    for i, e in _programmes(doc):
        target = e.get("adapts")
        if isinstance(target, str) and target not in ids:
            problems.append(locate(doc, ["programmes", i, "adapts"], f"'adapts' names unknown programme {target!r}"))
        elif isinstance(target, str) and target == e.get("id"):
            problems.append(locate(doc, ["programmes", i, "adapts"], "a programme cannot adapt itself"))
    return problems


def unknown_factors(scale_ids: Collection[str], instrument: str) -> Check:
    """Check that every factor id is a scale id of ``instrument``."""

    def check(doc: Doc) -> list[Problem]:
        problems = []
        for i, e in _programmes(doc):
            factors = e.get("factors")
            if not isinstance(factors, list):
                continue
            for j, tag in enumerate(factors):
                fid = tag.get("id") if isinstance(tag, Mapping) else None
                if isinstance(fid, str) and fid not in scale_ids:
                    problems.append(
                        locate(doc, ["programmes", i, "factors", j, "id"], f"unknown factor {fid!r}: not a scale of instrument {instrument!r}")
                    )
        return problems

    return check


def duplicate_factors(doc: Doc) -> list[Problem]:
    problems = []
    for i, e in _programmes(doc):
        factors = e.get("factors")
        if isinstance(factors, list):
            seen: set[str] = set()
            for j, tag in enumerate(factors):
                fid = tag.get("id") if isinstance(tag, Mapping) else None
                if isinstance(fid, str):
                    if fid in seen:
                        problems.append(locate(doc, ["programmes", i, "factors", j, "id"], f"factor {fid!r} is listed twice"))
                    seen.add(fid)
    return problems


STRUCTURAL_CHECKS: tuple[Check, ...] = (duplicate_ids, duplicate_factors, unknown_adapts)


def catalogue_problems(catalogue: Catalogue, scale_ids: Collection[str]) -> list[Problem]:
    """Run the cross-checks on a catalogue built in Python (positions are unknown)."""
    doc = catalogue.model_dump(mode="json", exclude_none=True)
    checks = (*STRUCTURAL_CHECKS, unknown_factors(scale_ids, catalogue.instrument))
    return [p for check in checks for p in check(doc)]
