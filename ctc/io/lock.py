"""Locks on outputs, and the clean-up of what a killed run left behind.

* :func:`refuse_open` — a workbook open in LibreOffice (``.~lock.NAME#``) or Excel
  (``~$NAME``) is never rewritten under the user's feet.
* :func:`hold` — one run at a time per output (a folder of ``ctc profile``, a file of
  ``ctc score``): an OS lock (``flock``/``msvcrt.locking``) on ``.NAME.lock`` beside the
  output. The kernel releases it when the process dies, even by SIGKILL, so a lock is
  never stale; the lock file is removed when the run ends.
* While the lock is held no other run can be using the output's staging names, so the
  staging folders and temp files of a killed run (``.NAME.XXXXXXXX.part``,
  ``.NAME.old``; the exact names :mod:`ctc.io.atomic` makes) are cleaned then.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError

#: tempfile.mkstemp/mkdtemp names: 8 characters of this alphabet between prefix and suffix
_RANDOM = r"[a-z0-9_]{8}"
FIX_OPEN = "close the workbook in Excel/LibreOffice, or delete the lock file if no one has it open"


@dataclass
class Held:
    """A held output lock; ``cleaned``: what a killed earlier run left and this run removed
    (``restored``: a previous version put back in place)."""

    target: Path
    lock: Path
    cleaned: list[Path] = field(default_factory=list)
    restored: list[Path] = field(default_factory=list)


def office_locks(path: Path) -> list[Path]:
    """Lock files LibreOffice and Excel keep beside a document while it is open."""
    names = [f".~lock.{path.name}#", f"~${path.name}"]
    if len(path.name) > 2:
        names.append(f"~${path.name[2:]}")  # Word/Excel shorten long names this way
    return [path.with_name(n) for n in names if path.with_name(n).exists()]


def refuse_open(path: str | Path) -> None:
    """Raise :class:`OutputError` when ``path`` is open in Excel or LibreOffice."""
    found = office_locks(Path(path))
    if found:
        raise OutputError(f"{path} is open in another program (lock file {found[0]})", FIX_OPEN)


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _acquire(path: Path, target: Path) -> int:
    """Open and lock ``path``; the inode check makes removing the file on release safe
    (a run that opened the file just before it was removed retries on the new one)."""
    for _ in range(20):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # an OSError gets its errno's hint in the CLI
        if not _try_lock(fd):
            os.close(fd)
            raise OutputError(f"{target} is being written by another ctc run (lock {path})",
                              "wait for that run to finish, or write to another output")
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
    raise OutputError(f"cannot take the lock {path}", "try again")  # pragma: no cover


def _stale(target: Path) -> tuple[list[Path], Path]:
    name = re.escape(target.name)
    pattern = re.compile(rf"^\.{name}\.{_RANDOM}\.part$")
    folder = target.parent
    parts = [p for p in folder.iterdir() if pattern.match(p.name)] if folder.is_dir() else []
    return sorted(parts), target.with_name(f".{target.name}.old")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def clean_stale(target: Path, held: Held) -> None:
    """Remove what a killed run left for ``target``; call only while holding its lock.

    A ``.NAME.old`` without ``NAME`` is the complete previous output of a run killed
    between its two renames: it is put back rather than deleted."""
    parts, old = _stale(target)
    for p in parts:
        _remove(p)
        held.cleaned.append(p)
    if old.is_dir() and not old.is_symlink():  # only atomic_dir makes .old, and only folders
        if not target.exists():
            os.replace(old, target)
            held.restored.append(target)
        else:
            _remove(old)
            held.cleaned.append(old)


@contextmanager
def hold(target: str | Path) -> Iterator[Held]:
    """Hold the lock of ``target`` (a folder or file) for the block; clean stale staging."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist", "create it first or choose another path")
    path = lock_path(target)
    fd = _acquire(path, target)
    held = Held(target, path)
    try:
        clean_stale(target, held)
        yield held
    finally:
        if sys.platform == "win32":  # pragma: no cover - an open file cannot be removed there
            os.close(fd)
        try:
            path.unlink()
        except OSError:  # pragma: no cover - removed by hand, or still open on Windows
            pass
        if sys.platform != "win32":
            os.close(fd)
