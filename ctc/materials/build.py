"""``build_materials``: every item of the chosen kits for the municipalities of a profile run.

Reads the released tables of a finished ``ctc profile`` output folder (through
:func:`ctc.planning.context_from_outputs`, the context the HTML report is rendered
from) and writes, per municipality, ``<dest>/<folder>/<lang>/``: the items of the kits
and one trainer's guide per kit. The whole destination appears at once or not at all.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import load_catalogue
from ..errors import OutputError, UsageError
from ..io.atomic import atomic_dir
from ..planning.outputs import context_from_outputs, municipalities_in
from .deck import build_deck
from .kits import FILES, KITS, kit_items, trainer_item
from .render import compile_pdf
from .trends import CompareFolder, check_compare_folder
from .view import build_view

REQUIRED = ("profile.csv", "priorities.csv")
TEMPLATE_OF = {"board": "board", "factsheet": "factsheet", "exercise": "exercise", "exercise_key": "exercise",
               "reading": "reading", "poster": "poster"}


@dataclass
class MaterialsResult:
    dest: Path
    files: dict[str, list[Path]] = field(default_factory=dict)  # municipality → files written
    synthetic: bool = False
    seconds: float = 0.0


def check_profile_folder(outdir: Path) -> None:
    if not outdir.is_dir():
        raise UsageError(f"{outdir} is not a folder", "give the output folder of a finished 'ctc profile' run")
    missing = [n for n in REQUIRED if not (outdir / n).is_file()]
    if missing:
        raise UsageError(f"{outdir} is not a profile output folder (no {', '.join(missing)})",
                         "give the folder a 'ctc profile' run wrote, e.g. ctc-demo/ after 'ctc profile --demo -o ctc-demo'")


def check_kits(kits: Sequence[str]) -> tuple[str, ...]:
    unknown = [k for k in kits if k not in KITS]
    if unknown:
        raise UsageError(f"unknown kit {', '.join(map(repr, unknown))}", f"choose one of: {', '.join(KITS)}")
    return tuple(k for k in KITS if k in kits) or KITS


def folder_name(municipality: str) -> str:
    """The municipality's folder (as ``ctc profile`` names it: lower case, dashes)."""
    return re.sub(r"[^\w]+", "-", municipality, flags=re.UNICODE).strip("-_").lower()[:60] or "municipality"


def _items(view: dict[str, Any], data: str, kits: tuple[str, ...], lang: str) -> dict[str, bytes]:
    """File name → bytes of every item the kits use, and one trainer's guide per kit."""
    needed = [i for i in FILES if any(i in kit_items(k) for k in kits)]
    out: dict[str, bytes] = {}
    for item in needed:
        if item == "deck":
            out[FILES[item]] = build_deck(view)
        else:
            out[FILES[item]] = compile_pdf(TEMPLATE_OF[item], data, {"key": item == "exercise_key"})
    for kit in kits:
        out[f"trainer-guide-{kit}.pdf"] = compile_pdf("trainer", data, trainer_item(kit, lang, FILES))
    return out


def build_materials(outdir: str | Path, dest: str | Path | None = None, *, municipalities: Sequence[str] | None = None,
                    lang: str | None = None, kits: Sequence[str] = KITS, catalogue: str | Path | None = None,
                    force: bool = False, compare: str | Path | None = None) -> MaterialsResult:
    """Write the kits for ``municipalities`` (default: all) of the profile run in ``outdir``.

    ``dest`` defaults to ``<outdir>/materials``; an existing non-empty ``dest`` is
    replaced only with ``force`` (trainers edit the slide decks). ``compare``, the folder of a
    ``ctc compare`` run on the same instrument, adds the trend pages."""
    start = time.perf_counter()
    outdir = Path(outdir)
    if (outdir / "compare.csv").is_file():
        raise UsageError(f"{outdir} is a comparison folder, not a profile output folder",
                         "give the profile folder as OUTDIR and this folder with --compare")
    check_profile_folder(outdir)
    chosen_kits = check_kits(kits)
    known = municipalities_in(outdir)
    names = list(municipalities) if municipalities else known
    if not names:
        raise UsageError(f"{outdir / 'profile.csv'} has no municipality", "run 'ctc profile' on a survey with answers first")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"municipality {unknown[0]!r} is not in {outdir / 'profile.csv'}",
                         f"choose one of: {', '.join(known) or '(none)'}")
    trends = None
    if compare is not None:
        compare = Path(compare)
        manifest = check_compare_folder(compare, outdir)
        missing = [n for n in names if n not in {m.get("name") for m in manifest.get("municipalities", [])}]
        if missing:
            check_compare_folder(compare, outdir, missing[0])
        trends = CompareFolder(compare, manifest)
    cat = load_catalogue(catalogue)
    dest = Path(dest) if dest is not None else outdir / "materials"
    result = MaterialsResult(dest)
    with atomic_dir(dest, force=force) as tmp:  # rendered one municipality at a time, swapped in at the end
        taken: set[str] = set()
        for name in names:
            ctx = context_from_outputs(outdir, name, lang=lang)
            view = build_view(ctx, cat, trends.for_municipality(name) if trends is not None else None)
            result.synthetic = result.synthetic or view["synthetic"]
            files = _items(view, json.dumps(view, ensure_ascii=False, sort_keys=True), chosen_kits, ctx.lang)
            folder = folder_name(name)
            while folder in taken:
                folder += "-"
            taken.add(folder)
            target = tmp / folder / ctx.lang
            target.mkdir(parents=True)
            for fname, blob in files.items():
                (target / fname).write_bytes(blob)
            result.files[name] = [dest / folder / ctx.lang / f for f in files]
    result.seconds = time.perf_counter() - start
    return result


def build_demo(dest: str | Path, *, municipalities: Sequence[str] | None = None, lang: str | None = None,
               kits: Sequence[str] = KITS, force: bool = False) -> MaterialsResult:
    """The demo's profile (simulated survey, synthetic baseline) and its kits: training data
    with the synthetic-data mark on every page."""
    from ..profile.options import ProfileOptions
    from ..profile.run import profile
    from ..simulate import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        survey = Path(tmp) / "demo-survey.csv"
        write_demo(survey)
        run = Path(tmp) / "profile"
        profile(survey, run, baseline="demo-baseline", options=ProfileOptions(lang=lang or "en"), synthetic_input=True)
        if not run.is_dir():
            raise OutputError("the demo profile was not written", "run 'ctc profile --demo' to see why")
        return build_materials(run, dest, municipalities=municipalities, lang=lang, kits=kits, force=force)
