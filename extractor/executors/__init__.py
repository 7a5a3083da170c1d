"""Executors: where ``pipeline.process_task`` runs. Each yields lists of events for the one writer.

- in this process (one worker, or a single small file),
- a pool of worker processes on this machine (``--workers N``),
- a Dask distributed cluster (``--executor dask`` / ``--dask-scheduler ADDRESS``).

All run the same task function, so records and failures are the same whichever runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..pipeline import ExtractOptions, Task

Event = tuple[Any, ...]
EVENTS_PER_MESSAGE = 50  # events a worker sends at a time


def task_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int, notice: Callable[[str], None],
                parallel: bool = True) -> Iterator[list[Event]]:
    """Event lists of every task, from the executor the options name."""
    if options.executor == "dask" or options.scheduler:
        from .cluster import dask_events

        return dask_events(tasks, options, run_id, notice)
    from .local import in_process_events, pool_events

    if parallel:
        return pool_events(tasks, options, run_id, notice)
    return in_process_events(tasks, options, run_id)


def crash_events(task: Task, message: str) -> list[Event]:
    """What a task that never reported back leaves: one failure and its end."""
    from ..types import Failure

    failure = Failure(task.path, "crash", message, "report this file as a bug; the rest of the batch went on",
                      record=task.records)
    return [("failure", failure), ("done", task.path, task.fmt, 0, 1, task.chunks, task.number)]
