"""This machine: the tasks in this process, or in a pool of worker processes.

The pool is fed lazily through a bounded task queue and sends results through
a bounded queue, so neither the plan nor the results pile up in memory; a
worker that dies is reported (the task it held becomes a ``crash`` failure)
and replaced.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import tasks as task_work
from ..events import Event, TaskDone
from ..options import ExtractOptions
from ..tasks import Task, crashed

PARENT_CHECK_SECONDS = 2.0  # how often a worker checks that the run it serves is still there
EVENTS_PER_MESSAGE = 50  # events a worker sends at a time


@dataclass(frozen=True, slots=True)
class TaskStarted:
    """A worker's message: it took task ``number``."""

    worker: int
    number: int


@dataclass(frozen=True, slots=True)
class WorkerRetired:
    """A worker's message: it ran its ``tasks_per_worker`` tasks and ends; a new one takes its place."""

    worker: int


def in_process_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int) -> Iterator[list[Event]]:
    """Each task in turn, in this process."""
    for task in tasks:
        chunk: list[Event] = []
        for event in task_work.process_task(task, options.limits, options.use_models, options.parquet_dir, run_id):
            chunk.append(event)
            if len(chunk) >= EVENTS_PER_MESSAGE:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _worker(tasks: Any, results: Any, options: ExtractOptions, run_id: int, worker_id: int) -> None:
    """A worker process: take tasks until told to stop, send their events in small lists."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _exit_with(os.getppid())
    for _ in range(options.tasks_per_worker if options.tasks_per_worker > 0 else 1 << 62):
        task = tasks.get()
        if task is None:
            return
        results.put([TaskStarted(worker_id, task.number)])
        chunk: list[Event] = []
        for event in task_work.process_task(task, options.limits, options.use_models, options.parquet_dir, run_id):
            chunk.append(event)
            if len(chunk) >= EVENTS_PER_MESSAGE or isinstance(event, TaskDone):
                results.put(chunk)
                chunk = []
    results.put([WorkerRetired(worker_id)])  # what an extractor accumulates (caches, vocabularies) goes with it


def _exit_with(parent: int) -> None:
    """Watch from a daemon thread: end this worker once its parent is gone.

    A parent killed without cleaning up (SIGKILL, a crash) would otherwise leave
    its workers blocked for ever, on a queue or on a message cut off mid-write.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def pool_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int,
                notice: Callable[[str], None]) -> Iterator[list[Event]]:
    """Events from ``options.workers`` worker processes; a worker that dies is reported and replaced."""
    workers = options.workers
    context = multiprocessing.get_context("spawn")
    task_queue = context.Queue(maxsize=2 * workers)
    results = context.Queue(maxsize=8 * workers)
    plan = iter(tasks)
    held: Task | None = None
    planned_all = False
    stops_owed = 0  # stop signals to send once the plan is done: one per worker that did not retire
    outstanding: dict[int, Task] = {}  # sent and not done, by task number
    processes: dict[int, Any] = {}
    current: dict[int, int | None] = {}  # worker -> task number it is on
    next_id = 0

    def spawn() -> None:
        nonlocal next_id, stops_owed
        process = context.Process(target=_worker, args=(task_queue, results, options, run_id, next_id), daemon=True)
        process.start()
        processes[next_id] = process
        current[next_id] = None
        next_id += 1
        stops_owed += 1

    def feed() -> None:
        """Fill the task queue without blocking; then send the stop signals."""
        nonlocal held, planned_all, stops_owed
        try:
            while not planned_all:
                if held is None:
                    held = next(plan, None)
                    if held is None:
                        planned_all = True
                        break
                task_queue.put_nowait(held)
                outstanding[held.number] = held
                held = None
            while stops_owed:
                task_queue.put_nowait(None)
                stops_owed -= 1
        except queue.Full:
            pass

    for _ in range(workers):
        spawn()
    try:
        while True:
            feed()
            if planned_all and not outstanding:
                return
            try:
                chunk = results.get(timeout=0.5)
            except queue.Empty:
                for worker_id, process in list(processes.items()):
                    if process.is_alive():
                        continue
                    del processes[worker_id]
                    number = current.pop(worker_id, None)
                    if number is not None and process.exitcode != 0:
                        task = outstanding.pop(number)
                        yield crashed(task, f"the reader crashed (worker exit code {process.exitcode})")
                        spawn()
                    elif process.exitcode == 0 and not planned_all:  # no stop signal was sent yet
                        stops_owed = max(0, stops_owed - 1)  # it retired; its message may still be on the way
                        spawn()
                if not processes and (outstanding or not planned_all):
                    notice("all workers stopped before the batch ended")
                    return
                continue
            events: list[Event] = []  # the writer's; the workers' own messages stay here
            for event in chunk:
                if isinstance(event, WorkerRetired):
                    retired = processes.pop(event.worker, None)
                    current.pop(event.worker, None)
                    if retired is not None:  # else it was seen gone and replaced already
                        retired.join(timeout=5)
                        stops_owed = max(0, stops_owed - 1)  # it takes no stop signal (extra ones are harmless)
                        spawn()
                elif isinstance(event, TaskStarted):
                    current[event.worker] = event.number
                else:
                    if isinstance(event, TaskDone):
                        outstanding.pop(event.number, None)
                        for worker_id, number in current.items():
                            if number == event.number:
                                current[worker_id] = None
                    events.append(event)
            if events:
                yield events
    finally:
        for process in processes.values():
            if process.is_alive():
                process.terminate()
        for process in processes.values():
            process.join(timeout=5)
        # tasks still buffered for workers now gone must not hold this process at exit
        task_queue.cancel_join_thread()
        results.cancel_join_thread()
