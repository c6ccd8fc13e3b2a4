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

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def one_blas_thread() -> Iterator[None]:
    with threadpool_limits(limits=1, user_api="blas"):
        yield
