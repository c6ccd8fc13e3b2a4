"""A readable codebook of an instrument (``ctc instrument show``), as Markdown or a table."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..i18n import number, t
from ..spec import text_in
from .model import Instrument, Scale

DOMAINS = ("community", "family", "school", "peer_individual")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def cutpoint_text(scale: Scale, lang: str) -> str:
    if isinstance(scale.cutpoint, dict):
        cuts = "; ".join(f"{g}: {number(c, lang)}" for g, c in sorted(scale.cutpoint.items()))
        cut = f"({t('codebook.by_grade', lang)} {cuts})"
    else:
        cut = number(scale.cutpoint, lang)
    return t(
        "codebook.cutpoint_rule",
        lang,
        flag=t(f"flag.{scale.kind}", lang),
        direction=t(f"direction.{scale.direction}", lang, cut=cut),
    )


def rule_text(rule: object, lang: str, inst: Instrument) -> str:
    kind = getattr(rule, "rule")
    params: dict[str, object] = {}
    if hasattr(rule, "items"):
        params["items"] = ", ".join(getattr(rule, "items"))
    for name in ("value", "count", "share"):
        if hasattr(rule, name):
            params[name] = getattr(rule, name)
    if kind == "scale_flag":
        scale = inst.scale_by_id.get(getattr(rule, "scale"))
        params["scale"] = scale.label.get(lang) if scale else getattr(rule, "scale")
    if kind == "recent_without_lifetime":
        params["pairs"] = "; ".join(f"{a}/{b}" for a, b in getattr(rule, "pairs"))
    if kind == "grade_not_in_instrument":
        params["grades"] = ", ".join(str(g) for g in inst.grades)
    return t(f"rule.{kind}", lang, **params)


def _scale_md(inst: Instrument, s: Scale, lang: str) -> list[str]:
    out = [f"#### {s.label.get(lang)} (`{s.id}`) — {t(f'kind.{s.kind}', lang)}", ""]
    if s.description:
        out += [s.description.get(lang), ""]
    out.append(f"- {t('codebook.score', lang)}: {t(f'method.{s.method}', lang)}; {t('codebook.min_valid', lang, n=s.min_valid)}")
    out.append(f"- {t('codebook.cutpoint', lang)}: {cutpoint_text(s, lang)}")
    if s.cutpoint_source:
        out.append(f"- {t('codebook.provenance', lang)}: {s.cutpoint_source.get(lang)}")
    out += ["", f"| id | {t('codebook.item_text', lang)} | {t('codebook.response_set', lang)} | {t('codebook.reversed', lang)} |", "|---|---|---|---|"]
    for item_id in s.items:
        item = inst.item_by_id[item_id]
        rev = "✓" if item_id in s.reverse else ""
        out.append(f"| `{item.id}` | {_md_cell(item.text.get(lang))} | {item.response_set} | {rev} |")
    return out + [""]


def codebook_markdown(inst: Instrument, lang: str = "en") -> str:
    out = [f"# {inst.title.get(lang)} — {t('codebook.title', lang)}", "", f"`{inst.id}` version {inst.version}", ""]
    out += [f"## {t('codebook.source', lang)}", "", inst.source.get(lang), ""]
    out += [f"{t('codebook.grades', lang)}: {', '.join(str(g) for g in inst.grades)}", ""]
    out += [f"{t('codebook.columns', lang)}: " + ", ".join(f"{k} = `{v}`" for k, v in inst.columns.present().items()), ""]
    out += [f"## {t('codebook.scales', lang)}", ""]
    for domain in DOMAINS:
        scales = [s for s in inst.scales if s.domain == domain]
        if scales:
            out += [f"### {t(f'domain.{domain}', lang)}", ""]
            for s in scales:
                out += _scale_md(inst, s, lang)
    if inst.outcomes:
        out += [f"## {t('codebook.outcomes', lang)}", "", f"| id | {t('codebook.label', lang)} | {t('codebook.group', lang)} | {t('codebook.rule', lang)} |", "|---|---|---|---|"]
        for o in inst.outcomes:
            out.append(f"| `{o.id}` | {_md_cell(o.label.get(lang))} | {t(f'group.{o.group}', lang)} | {_md_cell(rule_text(o, lang, inst))} |")
        out.append("")
    if inst.validity:
        out += [f"## {t('codebook.validity', lang)}", "", f"| id | {t('codebook.label', lang)} | {t('codebook.rule', lang)} |", "|---|---|---|"]
        for v in inst.validity:
            out.append(f"| `{v.id}` | {_md_cell(text_in(v.label, lang))} | {_md_cell(rule_text(v, lang, inst))} |")
        out.append("")
    out += [f"## {t('codebook.response_sets', lang)}", ""]
    for rs_id, rs in inst.response_sets.items():
        codes = "; ".join(f"{c} = {lab.get(lang)}" + (f" ({t('codebook.value', lang)} {number(rs.value_of(c), lang)})" if rs.values else "") for c, lab in rs.codes.items())
        miss = f"; {t('codebook.missing', lang)}: {', '.join(map(str, rs.missing))}" if rs.missing else ""
        out.append(f"- `{rs_id}`: {codes}{miss}")
    return "\n".join(out) + "\n"


def _rows(inst: Instrument, lang: str) -> Iterable[dict[str, object]]:
    for s in inst.scales:
        for item_id in s.items:
            item = inst.item_by_id[item_id]
            yield {
                "section": "scale", "entry_id": s.id, "entry_label": s.label.get(lang), "domain": s.domain,
                "kind": s.kind, "item_id": item.id, "item_text": item.text.get(lang), "column": item.source_column,
                "response_set": item.response_set, "reversed": item_id in s.reverse, "method": s.method,
                "min_valid": s.min_valid, "rule": cutpoint_text(s, lang), "provenance": text_in(s.cutpoint_source, lang),
            }
    for section, entries in (("outcome", inst.outcomes), ("validity", inst.validity)):
        for e in entries:
            for item_id in getattr(e, "items", ()) or ("",):
                item = inst.item_by_id.get(item_id)
                yield {
                    "section": section, "entry_id": e.id, "entry_label": text_in(e.label, lang),
                    "domain": getattr(e, "group", ""), "kind": section, "item_id": item_id,
                    "item_text": item.text.get(lang) if item else "", "column": item.source_column if item else "",
                    "response_set": item.response_set if item else "", "reversed": False, "method": "",
                    "min_valid": "", "rule": rule_text(e, lang, inst), "provenance": "",
                }


def codebook_table(inst: Instrument, lang: str = "en") -> pd.DataFrame:
    """One row per scale/outcome/validity entry × item."""
    return pd.DataFrame(list(_rows(inst, lang)))
