"""Which indicators two versions of an instrument measure the same way.

Indicators are matched by id. A scale is comparable only when its items (ids, order,
reversed items), every item's wording and response set, its scoring (method, minimum
of valid answers, direction) and its cut-point are the same; an outcome when its rule
and its items' wording and response sets are. Anything else is "not comparable" with
the reason, never silently compared. Reasons are short English codes plus details; the
reader's text comes from :mod:`ctc.compare.strings`.
"""

from __future__ import annotations

from typing import Any

from ..instrument.model import Instrument


def _item(inst: Instrument, item_id: str) -> tuple[Any, Any] | None:
    item = inst.item_by_id.get(item_id)
    if item is None:
        return None
    rs = inst.response_sets[item.response_set]
    return item.text.model_dump(), (rs.codes and {k: v.model_dump() for k, v in rs.codes.items()}, rs.values, rs.missing)


def _items_reason(a: Instrument, b: Instrument, items: tuple[str, ...]) -> str:
    for item_id in items:
        ia, ib = _item(a, item_id), _item(b, item_id)
        if ia is None or ib is None:
            return f"item {item_id} is not in both versions"
        if ia[0] != ib[0]:
            return f"wording of item {item_id} changed"
        if ia[1] != ib[1]:
            return f"response set of item {item_id} changed"
    return ""


def _scale_reason(a: Instrument, b: Instrument, sid: str) -> str:
    sa, sb = a.scale_by_id[sid], b.scale_by_id[sid]
    if sa.items != sb.items:
        added = sorted(set(sb.items) - set(sa.items))
        removed = sorted(set(sa.items) - set(sb.items))
        detail = "; ".join(p for p in (f"added {', '.join(added)}" if added else "",
                                       f"removed {', '.join(removed)}" if removed else "") if p) or "reordered"
        return f"items changed ({detail})"
    if sa.reverse != sb.reverse or sa.method != sb.method or sa.min_valid != sb.min_valid or sa.direction != sb.direction:
        return "scoring changed (method, reversed items, minimum answers or direction)"
    if sa.cutpoint != sb.cutpoint:
        return f"cut-point changed ({sa.cutpoint} → {sb.cutpoint})"
    return _items_reason(a, b, sa.items)


def _outcome_reason(a: Instrument, b: Instrument, oid: str) -> str:
    oa = {o.id: o for o in a.outcomes}[oid]
    ob = {o.id: o for o in b.outcomes}[oid]
    rule_a = oa.model_dump(exclude={"label", "group"})
    rule_b = ob.model_dump(exclude={"label", "group"})
    if rule_a != rule_b:
        return "definition changed (rule, items or threshold)"
    if getattr(oa, "rule", "") == "scale_flag":
        return _scale_reason(a, b, oa.scale) if oa.scale in a.scale_by_id and oa.scale in b.scale_by_id else ""
    return _items_reason(a, b, tuple(getattr(oa, "items", ())))


def comparability(a: Instrument, b: Instrument) -> dict[tuple[str, str], str]:
    """(indicator type, id) → "" when comparable, else the reason; for the indicators of ``b``."""
    out: dict[tuple[str, str], str] = {}
    same = a is b or (a.id == b.id and a.version == b.version and a.model_dump() == b.model_dump())
    for s in b.scales:
        if same:
            out[(s.kind, s.id)] = ""
        elif s.id not in a.scale_by_id or a.scale_by_id[s.id].kind != s.kind:
            out[(s.kind, s.id)] = f"not in version {a.version}"
        else:
            out[(s.kind, s.id)] = _scale_reason(a, b, s.id)
    ids_a = {o.id for o in a.outcomes}
    for o in b.outcomes:
        out[("outcome", o.id)] = "" if same else (_outcome_reason(a, b, o.id) if o.id in ids_a else f"not in version {a.version}")
    return out


def across(instruments: list[Instrument]) -> dict[tuple[str, str], str]:
    """Comparability of every indicator of the last instrument with every earlier one (first reason wins)."""
    last = instruments[-1]
    out = {key: "" for key in comparability(last, last)}
    for earlier in instruments[:-1]:
        for key, reason in comparability(earlier, last).items():
            if reason and not out[key]:
                out[key] = f"version {earlier.version} → {last.version}: {reason}"
    return out
