"""Referential cross-checks on a raw instrument document.

They work defensively on the parsed YAML (not on the model) so that they report
problems even when the structure has errors of its own: a user fixing a file sees
everything at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import Problem
from ..spec import locate

Doc = Any


def _entries(doc: Doc, key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    seq = doc.get(key) if isinstance(doc, Mapping) else None
    if isinstance(seq, list):
        for i, entry in enumerate(seq):
            if isinstance(entry, Mapping):
                yield i, entry


def _ids(doc: Doc, key: str) -> set[str]:
    return {e["id"] for _, e in _entries(doc, key) if isinstance(e.get("id"), str)}


def duplicate_ids(doc: Doc) -> list[Problem]:
    problems = []
    for key in ("items", "scales", "outcomes", "validity"):
        counts = Counter(e.get("id") for _, e in _entries(doc, key) if isinstance(e.get("id"), str))
        seen: set[str] = set()
        for i, e in _entries(doc, key):
            ident = e.get("id")
            if counts.get(ident, 0) > 1:
                if ident in seen:
                    problems.append(locate(doc, [key, i, "id"], f"duplicate id {ident!r} (ids must be unique within '{key}')"))
                seen.add(ident)
    grades = doc.get("grades") if isinstance(doc, Mapping) else None
    if isinstance(grades, list):
        for g, c in Counter(grades).items():
            if c > 1:
                problems.append(locate(doc, ["grades"], f"grade {g!r} is listed {c} times"))
    return problems


def _item_refs(doc: Doc, key: str, field: str, items: set[str]) -> list[Problem]:
    problems = []
    for i, e in _entries(doc, key):
        refs = e.get(field)
        if isinstance(refs, list):
            for j, ref in enumerate(refs):
                if isinstance(ref, str) and ref not in items:
                    problems.append(locate(doc, [key, i, field, j], f"unknown item {ref!r}"))
    return problems


def item_references(doc: Doc) -> list[Problem]:
    items = _ids(doc, "items")
    problems = []
    for key in ("scales", "outcomes", "validity"):
        problems += _item_refs(doc, key, "items", items)
    for i, e in _entries(doc, "validity"):
        pairs = e.get("pairs")
        if isinstance(pairs, list):
            for j, pair in enumerate(pairs):
                if not isinstance(pair, list):
                    continue
                for k, ref in enumerate(pair):
                    if isinstance(ref, str) and ref not in items:
                        problems.append(locate(doc, ["validity", i, "pairs", j, k], f"unknown item {ref!r}"))
    return problems


def response_set_references(doc: Doc) -> list[Problem]:
    sets = doc.get("response_sets") if isinstance(doc, Mapping) else None
    known = set(sets) if isinstance(sets, Mapping) else set()
    return [
        locate(doc, ["items", i, "response_set"], f"unknown response set {e['response_set']!r}; defined: {sorted(known)}")
        for i, e in _entries(doc, "items")
        if isinstance(e.get("response_set"), str) and e["response_set"] not in known
    ]


def scale_rules(doc: Doc) -> list[Problem]:
    grades = doc.get("grades") if isinstance(doc, Mapping) else None
    grade_set = set(grades) if isinstance(grades, list) else None
    problems = []
    for i, s in _entries(doc, "scales"):
        items = s.get("items") if isinstance(s.get("items"), list) else []
        reverse = s.get("reverse")
        if isinstance(reverse, list):
            for j, ref in enumerate(reverse):
                if ref not in items:
                    problems.append(locate(doc, ["scales", i, "reverse", j], f"{ref!r} is reversed but is not one of the scale's items"))
        mv = s.get("min_valid")
        if isinstance(mv, int) and items and mv > len(items):
            problems.append(locate(doc, ["scales", i, "min_valid"], f"min_valid {mv} is larger than the number of items ({len(items)})"))
        cut = s.get("cutpoint")
        if isinstance(cut, Mapping) and grade_set is not None:
            for g in cut:
                if g not in grade_set:
                    problems.append(locate(doc, ["scales", i, "cutpoint", g], f"cut-point for grade {g!r}, which is not in 'grades' {sorted(grade_set)}"))
    return problems


def rule_rules(doc: Doc) -> list[Problem]:
    """count ≤ number of items; thresholds within the codes; scale_flag names a scale."""
    scales = _ids(doc, "scales")
    codes = _max_codes(doc)
    problems = []
    for key in ("outcomes", "validity"):
        for i, e in _entries(doc, key):
            items = e.get("items") if isinstance(e.get("items"), list) else []
            count = e.get("count")
            if e.get("rule") == "count_at_least" and isinstance(count, int) and items and count > len(items):
                problems.append(locate(doc, [key, i, "count"], f"count {count} is larger than the number of items ({len(items)}); the rule could never fire"))
            if e.get("rule") == "scale_flag" and isinstance(e.get("scale"), str) and e["scale"] not in scales:
                problems.append(locate(doc, [key, i, "scale"], f"unknown scale {e['scale']!r}"))
            value = e.get("value")
            if isinstance(value, int):
                refs = list(items) + [r for p in (e.get("pairs") or []) if isinstance(p, list) for r in p]
                never = sorted({r for r in refs if isinstance(r, str) and r in codes and value > codes[r]})
                if never:
                    problems.append(locate(doc, [key, i, "value"], f"value {value} is above every code of item(s) {never}; the rule could never fire"))
    return problems


def _max_codes(doc: Doc) -> dict[str, int]:
    sets = doc.get("response_sets") if isinstance(doc, Mapping) else None
    if not isinstance(sets, Mapping):
        return {}
    out = {}
    for _, e in _entries(doc, "items"):
        rs = sets.get(e.get("response_set"))
        codes = rs.get("codes") if isinstance(rs, Mapping) else None
        if isinstance(codes, Mapping) and codes and all(isinstance(c, int) for c in codes):
            out[e.get("id")] = max(codes)
    return out


CROSS_CHECKS = (duplicate_ids, item_references, response_set_references, scale_rules, rule_rules)
