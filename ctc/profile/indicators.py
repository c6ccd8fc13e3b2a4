"""The indicators a profile reports: risk factors, protective factors, outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from ..instrument.model import Instrument
from ..spec import Text

TYPES = ("risk", "protective", "outcome")


@dataclass(frozen=True)
class Indicator:
    type: str  # risk | protective | outcome
    id: str
    label: Text
    group: str  # scale domain, or outcome group
    column: str  # column of the scored frame

    def name(self, lang: str) -> str:
        return self.label.get(lang)


def indicators(inst: Instrument) -> tuple[Indicator, ...]:
    scales = tuple(Indicator(s.kind, s.id, s.label, s.domain, f"flag.{s.id}") for s in inst.scales)
    order = {"risk": 0, "protective": 1}
    scales = tuple(sorted(scales, key=lambda i: order[i.type]))  # stable: instrument order within a kind
    outcomes = tuple(Indicator("outcome", o.id, o.label, o.group, f"outcome.{o.id}") for o in inst.outcomes)
    return scales + outcomes
