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


def trim() -> None:
    """Collect garbage and return the freed heap to the OS where the C library allows it."""
    gc.collect()
    fn = _malloc_trim()
    if fn is not None:
        fn(0)
