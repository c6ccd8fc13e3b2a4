"""Access to the data shipped with the package (instruments, profiles, catalogues).

In a wheel the repository's data folders are installed under ``ctc/_data``; in a
source checkout (editable install, tests) they are read from the repository root.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_KINDS = ("instruments", "profiles", "catalogues")


def data_dir(kind: str) -> Path:
    """Folder holding the shipped files of one kind."""
    if kind not in _KINDS:
        raise ValueError(f"unknown data kind {kind!r}")
    packaged = Path(str(resources.files("ctc"))) / "_data" / kind
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / kind


def shipped_files(kind: str, suffixes: tuple[str, ...]) -> list[Path]:
    folder = data_dir(kind)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in suffixes)
