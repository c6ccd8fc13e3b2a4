"""Reading what a kit printed: pages, sizes, fonts, text; released numbers from the CSVs."""

from __future__ import annotations

import csv
from pathlib import Path

from pypdf import PdfReader

A4 = (595.3, 841.9)
A3 = (841.9, 1190.6)


def pages(path: Path) -> list:
    return list(PdfReader(path).pages)


def size(page) -> tuple[float, float]:
    box = page.mediabox
    return round(float(box.width), 1), round(float(box.height), 1)


def text(page) -> str:
    return " ".join(page.extract_text().split())


def fonts_embedded(page) -> list[tuple[str, bool]]:
    out = []
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        desc = font.get("/DescendantFonts")
        inner = desc[0].get_object() if desc else font
        fd = inner["/FontDescriptor"].get_object()
        out.append((str(font["/BaseFont"]), any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return out


def rows(path: Path, **where: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in where.items())]


def one(value: str, lang: str) -> str:
    """A released percentage as the sheets print it (one decimal; German decimal comma)."""
    text = f"{float(value):.1f}"
    return text.replace(".", ",") if lang == "de" else text
