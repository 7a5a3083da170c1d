"""Executors: where ``tasks.process_task`` runs. Each yields lists of events for the one writer.

- in this process (one worker, or a single small file),
- a pool of worker processes on this machine (``--workers N``),
- a Dask distributed cluster (``--executor dask`` / ``--dask-scheduler ADDRESS``).

All run the same task function, so records and failures are the same whichever runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..events import Event
from ..options import ExtractOptions
from ..tasks import Task
from . import cluster, local


def task_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int, notice: Callable[[str], None],
                parallel: bool = True, total_files: int = 0,
                size_of: Callable[[str], int] | None = None) -> Iterator[list[Event]]:
    """Event lists of every task, from the executor the options name (``total_files`` and ``size_of`` let the
    local pool cut small files into batches that keep every worker busy)."""
    if options.executor == "dask" or options.scheduler:
        return cluster.dask_events(tasks, options, run_id, notice)
    if parallel:
        return local.pool_events(tasks, options, run_id, notice, total_files, size_of)
    return local.in_process_events(tasks, options, run_id)
