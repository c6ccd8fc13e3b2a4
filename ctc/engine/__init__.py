"""Where the work of ``ctc score`` and ``ctc profile`` runs: in this process (the
default, no extra dependency) or on a Dask cluster (``--engine dask``, the ``dask`` extra).

:func:`open_engine` gives ``None`` for the in-process engine, else a session whose
methods the score and profile jobs call at their seams (chunk scoring, the
per-municipality estimate and bootstrap, the per-municipality rendering); the results
are the same numbers in the same order (tests/engine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import UsageError

if TYPE_CHECKING:
    from .dask_engine import DaskSession

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Engine:
    """``name``: local (in process) or dask; ``scheduler``: a Dask scheduler address
    (``tcp://host:8786``), or None to start a LocalCluster on this machine."""

    name: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    workers: int = 2  # LocalCluster workers (one thread each) when no scheduler is given

    def __post_init__(self) -> None:
        if self.scheduler is not None and self.name != "dask":
            raise UsageError("--scheduler applies to the Dask engine only", "add --engine dask, or leave out --scheduler")


@contextmanager
def open_engine(engine: Engine | None) -> Iterator[DaskSession | None]:
    """None for the in-process engine; a connected Dask session (closed afterwards) for dask."""
    if engine is None or engine.name == "local":
        yield None
        return
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("--engine dask needs Dask, which is not installed",
                         "pip install 'ctc-toolkit[dask]' (dask[dataframe] and distributed)") from None
    from .dask_engine import DaskSession

    with DaskSession.connect(engine.scheduler, engine.workers) as session:
        yield session
