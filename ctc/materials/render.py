"""Printing through typst (PyPI wheel): one PDF per item from the view's JSON data.

Only the DejaVu fonts that ship with matplotlib are used (system fonts are ignored), so
every machine embeds the same fonts and a rerun gives the same bytes; the document
date is the profile run's date, never "now". PDFs are PDF/A-2b (archivable, fonts
embedded, tagged). Why typst and not WeasyPrint: docs/dependencies.md.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import OutputError, UsageError

STANDARD = "a-2b"
INSTALL_HINT = "install the materials extra: pip install 'ctc-toolkit[materials]'"


@lru_cache(maxsize=None)
def template(name: str) -> str:
    return resources.files("ctc.materials").joinpath("templates", f"{name}.typ").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def font_dir() -> str:
    try:
        import matplotlib  # only for the DejaVu fonts it ships (part of the materials extra)
    except ImportError:
        raise UsageError("printing workshop materials needs the fonts of the 'matplotlib' package", INSTALL_HINT) from None

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


def _typst() -> Any:
    try:
        import typst
    except ImportError:
        raise UsageError("printing workshop materials needs the 'typst' package", INSTALL_HINT) from None
    return typst


def compile_pdf(name: str, data: str, item: dict[str, Any] | None = None) -> bytes:
    """The PDF of template ``name`` for view ``data`` (JSON text) and item options ``item``."""
    typst = _typst()
    source = (template("common") + "\n" + template(name)).encode("utf-8")
    try:
        return bytes(typst.compile(source, font_paths=[font_dir()], ignore_system_fonts=True, pdf_standards=[STANDARD],
                                   sys_inputs={"data": data, "item": json.dumps(item or {}, ensure_ascii=False)}))
    except Exception as exc:  # typst raises its own error types for layout problems
        raise OutputError(f"could not print the {name} sheet: {str(exc).splitlines()[0]}",
                          "report this as a bug with the profile folder attached") from None
