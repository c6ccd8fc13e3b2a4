"""Plain-text tables of programmes and matches (English or German), for the CLI and logs.

Functions return strings; they never print. Column widths adapt to the content up to
a maximum; longer cells are shortened with '…'.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..i18n import number
from .evidence import best_rating, rating_label
from .match import Match
from .model import Programme

SETTINGS = {
    "family": ("family", "Familie"),
    "school": ("school", "Schule/Kita"),
    "community": ("community", "Gemeinde"),
    "individual_peer": ("individual/peer", "Individuum/Peers"),
}
CONTINUUM = {"universal": ("universal", "universell"), "selective": ("selective", "selektiv"), "indicated": ("indicated", "indiziert")}
HEADERS = {
    "programmes": {
        "en": ("id", "programme", "ages", "settings", "evidence", "offered in"),
        "de": ("ID", "Programm", "Alter", "Setting", "Evidenz", "Angeboten in"),
    },
    "matches": {
        "en": ("#", "programme", "score", "why"),
        "de": ("#", "Programm", "Punkte", "Begründung"),
    },
}
MAX_WIDTH = {"programme": 48, "why": 120, "evidence": 44}


def _idx(lang: str) -> int:
    return 1 if lang == "de" else 0


def setting_label(setting: str, lang: str = "en") -> str:
    return SETTINGS[setting][_idx(lang)]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_widths: Sequence[int | None] | None = None) -> str:
    """A left-aligned text table with a header rule."""
    limits = list(max_widths or [None] * len(headers))
    cells = [[_clip(str(c), limits[i]) if limits[i] else str(c) for i, c in enumerate(r)] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip()  # noqa: E731
    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def programmes_table(programmes: Sequence[Programme], lang: str = "en") -> str:
    """One row per programme: id, name, ages, settings, strongest rating, countries."""
    rows = [
        (
            p.id,
            p.name.get(lang),
            str(p.ages),
            ", ".join(setting_label(s, lang) for s in p.settings),
            rating_label(best_rating(p), lang),
            " ".join(p.available_in),
        )
        for p in programmes
    ]
    h = HEADERS["programmes"][lang if lang in ("en", "de") else "en"]
    return format_table(h, rows, [None, MAX_WIDTH["programme"], None, None, MAX_WIDTH["evidence"], None])


def matches_table(matches: Sequence[Match], lang: str = "en") -> str:
    """Ranked matches with score and the one-line explanation."""
    rows = [(str(m.rank), m.programme.name.get(lang), number(m.score, lang, 2), m.explain(lang)) for m in matches]
    h = HEADERS["matches"][lang if lang in ("en", "de") else "en"]
    return format_table(h, rows, [None, MAX_WIDTH["programme"], None, MAX_WIDTH["why"]])


def rank_reasons(matches: Sequence[Match], lang: str = "en") -> str:
    """One line per match: its rank, id and the reason for its rank."""
    return "\n".join(f"{m.rank:>2}. {m.programme.id}: {m.why_rank(lang)}" for m in matches)


def programme_details(p: Programme, lang: str = "en") -> str:
    """A short multi-line description of one programme with its ratings and sources."""
    de = lang == "de"
    i = _idx(lang)
    lines = [
        f"{p.name.get(lang)} [{p.id}]",
        p.description.get(lang),
        f"{'Alter' if de else 'Ages'}: {p.ages}",
        f"{'Setting' if de else 'Settings'}: {', '.join(SETTINGS[s][i] for s in p.settings)}",
        f"{'Präventionsebene' if de else 'Continuum'}: {', '.join(CONTINUUM[c][i] for c in p.continuum)}",
        f"{'Angeboten in' if de else 'Offered in'}: {' '.join(p.available_in)}",
        f"{'Bewertungen' if de else 'Ratings'}:",
    ]
    lines += [f"  - {rating_label(r, lang)} <{r.url}>" for r in p.ratings]
    if p.not_rated is not None:
        lines.append(f"  - {rating_label(None, lang)}: {p.not_rated.get(lang)}")
    lines.append(f"{'Faktoren' if de else 'Factors'}: " + ", ".join(f"{f.id} ({f.basis})" for f in p.factors))
    lines.append(f"{'Quellen' if de else 'Sources'}:")
    lines += [f"  - {s.url} ({'geprüft' if de else 'checked'} {s.checked.isoformat()})" for s in p.sources]
    return "\n".join(lines)
