"""The three kits: which items each contains and the trainer's timed agenda.

Modelled on the CTC trainings (Community Board Orientation, Community Assessment
Training with its module on reading the survey report, Community Planning Training):
each module has goals, timed steps and the sheet used at each step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .strings import msg

KITS = ("board", "assessment", "planning")

#: file name of each item (language tag added by the builder)
FILES = {
    "board": "board-summary.pdf",
    "factsheet": "fact-sheets.pdf",
    "exercise": "exercise-blank.pdf",
    "exercise_key": "exercise-key.pdf",
    "reading": "reading-guide.pdf",
    "poster": "data-walk-posters-a3.pdf",
    "deck": "slides.pptx",
}


@dataclass(frozen=True)
class Step:
    key: str  # step text id (strings ``step.<key>``)
    minutes: int
    items: tuple[str, ...]  # items used (keys of FILES)


AGENDAS: dict[str, tuple[tuple[str, ...], tuple[Step, ...]]] = {
    "board": (("board1", "board2", "board3"), (
        Step("welcome", 10, ()), Step("ctc", 20, ("deck",)), Step("summary", 25, ("board", "deck")),
        Step("reading", 20, ("reading",)), Step("roles", 15, ("board",)), Step("close", 10, ()),
    )),
    "assessment": (("assessment1", "assessment2", "assessment3"), (
        Step("welcome", 10, ()), Step("reading", 20, ("reading", "deck")), Step("walk", 35, ("poster",)),
        Step("walk_debrief", 15, ("poster",)), Step("facts", 40, ("factsheet",)), Step("exercise", 30, ("exercise",)),
        Step("close", 10, ()),
    )),
    "planning": (("planning1", "planning2"), (
        Step("welcome", 10, ()), Step("summary", 15, ("board",)), Step("exercise", 35, ("exercise", "factsheet")),
        Step("compare", 20, ("exercise_key",)), Step("decide", 30, ("board", "deck")),
        Step("programmes", 30, ("factsheet",)), Step("close", 10, ()),
    )),
}


def kit_items(kit: str) -> tuple[str, ...]:
    """Items a kit needs, in the order of FILES."""
    used = {i for step in AGENDAS[kit][1] for i in step.items}
    return tuple(i for i in FILES if i in used)


def trainer_item(kit: str, lang: str, files: dict[str, str], start_hour: int = 9) -> dict[str, object]:
    """The trainer's guide data of ``kit``: goals, timed agenda, total, file list."""
    goals, steps = AGENDAS[kit]
    minute, agenda = start_hour * 60, []
    for step in steps:
        agenda.append({"start": f"{minute // 60:02d}:{minute % 60:02d}", "minutes": str(step.minutes),
                       "step": msg(f"step.{step.key}", lang),
                       "material": ", ".join(files[i] for i in step.items)})
        minute += step.minutes
    total = sum(s.minutes for s in steps)
    return {"kit_title": msg(f"kit.{kit}", lang), "goals": [msg(f"goal.{g}", lang) for g in goals], "agenda": agenda,
            "total": msg("tg.total", lang, minutes=total), "files": [files[i] for i in kit_items(kit)]}
