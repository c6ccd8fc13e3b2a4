"""One BLAS thread for the toolkit's own work.

The matrices ``ctc`` multiplies are small (the protection's line nodes, a
municipality's PSUs × indicators), and the work that is worth parallelising is
already split across processes (rendering, the Dask engine). OpenBLAS's own threads
then only compete: on a loaded two-core machine they spin against each other and the
render processes, and the same 10,000 × 100 profile took 43 s instead of 15 s
(bench/bench_stages.py; the audit's certificate alone 16.5 s instead of 0.8 s).
threadpoolctl sets the limit of whatever BLAS numpy and scipy loaded, for the
duration of a run, and restores it afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def one_blas_thread() -> Iterator[None]:
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def thread_map(work: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[work(x) for x in items]`` on up to ``workers`` threads, results in the order of ``items``.

    For independent numpy-heavy pieces (a municipality's estimate or bootstrap): numpy and
    BLAS release the GIL, so two cores take two municipalities at a time. Each piece is
    computed exactly as on its own (its own arrays, its own random stream), so the
    results do not depend on the number of threads."""
    if workers <= 1 or len(items) <= 1:
        return [work(x) for x in items]
    with ThreadPoolExecutor(min(workers, len(items))) as pool:
        return list(pool.map(work, items))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Around a pool of forked worker processes: the parent's objects are moved out of
    the garbage collector's reach (``gc.freeze``) while the pool runs.

    A forked child shares the parent's memory until it writes to a page; a garbage
    collection in the child walks every object it inherited and writes to each header,
    so it copies the parent's whole heap page by page (with a million-row survey in the
    parent, rendering 100 municipalities took about 18 s on 2 workers instead of 13 s).
    Frozen objects are left alone by the children's collections; the parent unfreezes
    them when its workers are done."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
