"""Giving freed memory back to the operating system between the stages of a run.

glibc's allocator keeps the pages of freed objects (the read buffers, the scored
chunks, the per-municipality temporaries) for reuse, so the process's resident size stays
at its peak and the render processes forked afterwards inherit it. ``malloc_trim(0)``
returns them; elsewhere (macOS, Windows, musl) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
from functools import cache


@cache
def _malloc_trim():  # noqa: ANN202 - a ctypes function or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)  # glibc only


#: below this resident size a trim has little to give back and its full collection
#: (about 0.1 s over a run's heap) would cost more than it saves
TRIM_FROM = 512 * 2**20


def resident() -> int | None:
    """This process's resident size in bytes (None where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def trim() -> None:
    """Collect garbage and return the freed heap to the OS where the C library allows it
    (not when the process is small: see TRIM_FROM)."""
    rss = resident()
    if rss is not None and rss < TRIM_FROM:
        return
    gc.collect()
    fn = _malloc_trim()
    if fn is not None:
        fn(0)
