"""Outputs are written to a temporary file beside the target and moved into place,
so an interrupted or failed run never leaves a half-written file behind.

Each output is locked while it is written (:mod:`ctc.io.lock`): a second run into the
same output fails at once, and the temp files of a killed run are cleaned by the next."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import OutputError
from .lock import Held, hold


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = True, held: list[Held] | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success move it onto ``target``.

    With ``overwrite=False`` an existing target is an error (files users edit are
    never silently replaced). ``held``: receives the target's lock (with what it cleaned).
    """
    target = Path(target)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists", "choose another output or pass --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist", "create it first or choose another path")
    with hold(target) as lock:
        if held is not None:
            held.append(lock)
        with _atomic_file(target, folder) as tmp:
            yield tmp


@contextmanager
def _atomic_file(target: Path, folder: Path) -> Iterator[Path]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_dir(target: str | Path, *, force: bool = False, held: Held | None = None) -> Iterator[Path]:
    """Build a whole output folder in a temporary sibling and swap it in at the end.

    An existing non-empty folder is refused unless ``force``; with ``force`` the old
    folder is replaced only after the new one is complete. ``held``: the folder's lock,
    when the caller holds it for longer (a whole run); else it is held for the block.
    """
    target = Path(target)
    if held is None:
        parent = target.parent if str(target.parent) else Path(".")
        parent.mkdir(parents=True, exist_ok=True)
        with hold(target) as lock, atomic_dir(target, force=force, held=lock) as tmp:
            yield tmp
        return
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder", "choose another output folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputError(
            f"output folder {target} already exists and is not empty",
            "choose a new folder, or pass --force to replace it (edited planning workbooks are kept and updated)",
        )
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def atomic_paths(targets: list[Path], *, overwrite: bool = True, held: list[Held] | None = None) -> Iterator[list[Path]]:
    """Several outputs that appear together or not at all (e.g. scored data + its reports)."""
    targets = [Path(t) for t in targets]
    if not overwrite:
        existing = [str(t) for t in targets if t.exists()]
        if existing:
            raise OutputError(f"{', '.join(existing)} already exist(s)", "choose another output or pass --force to replace")
    with ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(t, held=held)) for t in targets]
        yield temps


def free_name(path: Path, tag: str) -> Path:
    """The first free ``<stem>.<tag>-<N><suffix>`` beside ``path`` (backups, kept edits)."""
    n = 1
    while True:
        candidate = path.with_name(f"{path.stem}.{tag}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1
