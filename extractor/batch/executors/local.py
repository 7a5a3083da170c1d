"""This machine: the tasks in this process, or in a pool of worker processes that survives losing one.

The pool is built so that a worker killed at any moment (the OOM killer, a
segfault in a native library, ``kill -9``) costs exactly the task it was
reading and nothing else, and never a hang:

- each worker has its own pipes, one for the tasks sent to it and one for its
  results, so no lock is shared between workers, and a worker that dies
  mid-message leaves only its own pipe, which then reads as ended;
- a worker asks for work (``Ready``) and is sent one batch of tasks at a time,
  so the pool knows which tasks each worker holds; the worker says which task
  it starts (``TaskStarted``) before it reads a byte of it;
- the pool waits on the workers' pipes and on their process sentinels together
  (``multiprocessing.connection.wait``, with a timeout), so a death is seen
  the moment it happens and no wait is unbounded;
- a dead worker's task in progress becomes one ``crash`` failure and is never
  tried again (a file that kills its reader would kill the next one too); the
  tasks of its batch it had not started go back to the queue, so no task is
  read twice and none is lost; a new worker takes its place;
- a worker that sends nothing for far longer than the per-document time limit
  while it holds a task (stuck in native code, where the alarm cannot reach)
  is killed, and its task recorded as a failure the same way.

Small files go to workers in batches of many (``batches``), so the cost of a
message, and of a worker's start, is paid per batch and not per file. Workers
retire by what they hold, not by how many tasks they ran: once a worker's
resident memory has grown ``worker_memory_mb`` over its warmed-up level (after
its first batch, with the models loaded), it finishes its batch and a fresh one
takes its place.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from .. import tasks as task_work
from ..events import Event, TaskDone, as_arguments
from ..options import ExtractOptions, RunCutShort
from ..tasks import Task, crashed

PARENT_CHECK_SECONDS = 2.0  # how often a worker checks that the run it serves is still there
EVENTS_PER_MESSAGE = 50  # events a worker sends at a time
SEND_EVERY_SECONDS = 1.0  # ... or sooner, so a worker that is alive is heard from
WAIT_SECONDS = 1.0  # the longest the pool waits for any one thing before it checks on everything
STALL_GRACE_SECONDS = 60.0  # silence allowed beyond the per-document time limit before a worker is killed
BATCH_FILES = 64  # whole files in one batch, at most
BATCH_BYTES = 16 * 1024 * 1024  # ... and at most this many bytes of them
BATCHES_PER_WORKER = 4  # a short run is cut finer, so every worker gets a share
MAX_FAILED_STARTS = 8  # workers in a row that die while starting, none ever ready: the run gives up
MAX_FAILED_STARTS_AFTER_READY = 30  # ... the same once workers have started in this run
START_SECONDS = 300.0  # a worker that cannot start (import, load the models) in this long is killed


@dataclass(frozen=True, slots=True)
class Ready:
    """A worker's message: it is idle and takes a batch."""

    __reduce__ = as_arguments

    worker: int


@dataclass(frozen=True, slots=True)
class TaskStarted:
    """A worker's message: it starts task ``number`` (sent before the task is read: alone, or after the last one's end)."""

    __reduce__ = as_arguments

    worker: int
    number: int


@dataclass(frozen=True, slots=True)
class WorkerRetired:
    """A worker's message: its memory grew over its warmed-up level (or it extracted its share), and it ends."""

    __reduce__ = as_arguments

    worker: int
    grown_mb: float
    documents: int


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


def batches(tasks: Iterable[Task], size_of: Callable[[str], int], files: int = BATCH_FILES,
            byte_limit: int = BATCH_BYTES, total_files: int = 0, workers: int = 1) -> Iterator[list[Task]]:
    """Tasks in batches: consecutive whole files together (at most ``files`` of them, ``byte_limit`` bytes);
    a piece of a large file, or a file larger than the byte limit, alone.

    Given the run's ``total_files``, batches shrink as the plan nears its end (``batch_files`` of the files not
    yet planned), so the workers finish together: a last batch of 64 files left one worker of two idle for
    up to a second at the end of every run.
    """
    batch: list[Task] = []
    held = 0
    planned = 0  # whole files in the batches yielded so far
    limit = batch_files(total_files, workers, files) if total_files else files
    for task in tasks:
        whole = task.data is None and task.chunks == 1
        size = size_of(task.path) if whole else byte_limit
        if batch and (len(batch) >= limit or held + size > byte_limit):
            yield batch
            planned += sum(1 for held_task in batch if held_task.data is None and held_task.chunks == 1)
            batch, held = [], 0
            if total_files:
                limit = batch_files(total_files - planned, workers, files)
        batch.append(task)
        held += size
    if batch:
        yield batch


def batch_files(total_files: int, workers: int, files: int = BATCH_FILES) -> int:
    """Files per batch for a run of ``total_files``: large batches, but enough of them to keep every worker busy."""
    return max(1, min(files, total_files // max(1, workers * BATCHES_PER_WORKER)))


def resident_mb() -> float:
    """This process's resident memory in MB (Linux ``/proc``; elsewhere its peak, which only grows)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 if os.uname().sysname != "Darwin" else peak / 2**20


def _worker(tasks: Any, results: Any, options: ExtractOptions, run_id: int, worker_id: int) -> None:
    """A worker process: ask for a batch, run its tasks, send their events; retire when memory has grown."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _exit_with(os.getppid())
    warmed: float | None = None  # resident MB after the first batch, models loaded
    documents = 0
    while True:
        results.send([Ready(worker_id)])
        try:
            batch = tasks.recv()
        except (EOFError, OSError):
            return  # the run is gone
        if batch is None:
            return
        if batch:
            results.send([TaskStarted(worker_id, batch[0].number)])
        for index, task in enumerate(batch):
            chunk: list[Any] = []
            sent = time.monotonic()
            for event in task_work.process_task(task, options.limits, options.use_models, options.parquet_dir,
                                                run_id):
                chunk.append(event)
                if isinstance(event, TaskDone):
                    documents += event.documents
                    if index + 1 < len(batch):
                        # The next task's start rides with this one's end: one message per task, not two, and
                        # still said before a byte of the next task is read.
                        chunk.append(TaskStarted(worker_id, batch[index + 1].number))
                if (len(chunk) >= EVENTS_PER_MESSAGE or isinstance(event, TaskDone)
                        or time.monotonic() - sent > SEND_EVERY_SECONDS):
                    results.send(chunk)
                    chunk, sent = [], time.monotonic()
        resident = resident_mb()
        warmed = resident if warmed is None else warmed
        grown = options.worker_memory_mb > 0 and resident - warmed > options.worker_memory_mb
        if grown or 0 < options.documents_per_worker <= documents:
            results.send([WorkerRetired(worker_id, round(resident - warmed), documents)])
            return


def _exit_with(parent: int) -> None:
    """Watch from a daemon thread: end this worker once its parent is gone.

    A parent killed without cleaning up (SIGKILL, a crash) would otherwise leave
    its workers blocked for ever on a message cut off mid-write.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@dataclass
class _Worker:
    """The pool's view of one worker process."""

    number: int
    process: Any
    tasks: Any  # the pipe end the pool sends batches on
    results: Any  # the pipe end the pool reads events from
    ready: bool = False
    was_ready: bool = False  # it has said it was ready at least once (it started)
    held: list[Task] = field(default_factory=list)  # tasks sent and not done, in the order they run
    started: set[int] = field(default_factory=set)  # numbers of the held tasks it said it started
    heard: float = field(default_factory=time.monotonic)
    stalled: bool = False  # killed by the pool for silence
    retired: bool = False


class PoolGaveUp(RunCutShort):
    """Workers die before they are ever ready (an install that cannot import): the run ends incomplete."""


class Pool:
    """Worker processes fed batches of tasks; a task whose worker died under it is recorded, never re-run."""

    def __init__(self, options: ExtractOptions, run_id: int, notice: Callable[[str], None]):
        self.options, self.run_id, self.notice = options, run_id, notice
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, _Worker] = {}
        self.next_number = 0
        self.queue: deque[list[Task]] = deque()  # batches sent back, to go before the plan's
        self.failed_starts = 0  # workers in a row that died before they were ready for work
        self.any_ready = False  # a worker has started in this run
        limit = options.limits.max_seconds
        self.stall_seconds = max(2 * limit, limit + STALL_GRACE_SECONDS) if limit and limit > 0 else None

    def spawn(self) -> None:
        """Start one worker with its own two pipes."""
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        number = self.next_number
        self.next_number += 1
        process = self.context.Process(target=_worker, name=f"extractor-worker-{number}", daemon=True,
                                       args=(task_read, result_write, self.options, self.run_id, number))
        process.start()
        task_read.close()  # the worker has its copies: a pipe whose only writer dies then reads as ended
        result_write.close()
        self.workers[number] = _Worker(number, process, task_write, result_read)

    def events(self, tasks: Iterable[list[Task]]) -> Iterator[list[Event]]:
        """Event lists of every batch of ``tasks``; lost tasks come out as ``crash`` failures."""
        plan = iter(tasks)
        planned_all = False
        for _ in range(self.options.workers):
            self.spawn()
        try:
            while True:
                for worker in [w for w in self.workers.values() if w.ready and not w.held]:
                    batch = self.queue.popleft() if self.queue else None
                    if batch is None and not planned_all:
                        batch = next(plan, None)
                        planned_all = batch is None
                    if batch is None:
                        break
                    self.send(worker, batch)
                if planned_all and not self.queue and not any(w.held for w in self.workers.values()):
                    return
                yield from self.step()
        finally:
            self.close()

    def send(self, worker: _Worker, batch: list[Task]) -> None:
        worker.ready = False
        worker.held = list(batch)
        worker.heard = time.monotonic()
        # If it died, its sentinel says so, and the batch goes back to the queue (none of it started).
        with contextlib.suppress(BrokenPipeError, EOFError, OSError):
            worker.tasks.send(batch)

    def step(self) -> Iterator[list[Event]]:
        """Wait (bounded) for messages or deaths; handle what came."""
        by_pipe = {w.results: w for w in self.workers.values()}
        by_sentinel = {w.process.sentinel: w for w in self.workers.values()}
        for ready in wait([*by_pipe, *by_sentinel], timeout=WAIT_SECONDS):
            worker = by_pipe.get(ready) or by_sentinel.get(ready)
            if worker is None or worker.number not in self.workers:
                continue
            if ready in by_pipe:
                yield from self.receive(worker)
            if not worker.process.is_alive():
                yield from self.lost(worker)
        self.check_silence()

    def receive(self, worker: _Worker) -> Iterator[list[Event]]:
        """Every whole message waiting on the worker's pipe (a message cut off by its death reads as ended).

        Called when ``wait`` found the pipe readable, so the first message is read without asking again
        (``poll`` is one more ``wait`` of its own, per message).
        """
        first = True
        while worker.number in self.workers:
            try:
                if not first and not worker.results.poll():
                    return
                first = False
                message = worker.results.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=WAIT_SECONDS)
                if worker.process.is_alive():
                    worker.process.kill()  # a worker whose pipe broke is no use; its death is handled below
                    worker.process.join(timeout=WAIT_SECONDS)
                yield from self.lost(worker)
                return
            worker.heard = time.monotonic()
            events = self.absorb(worker, message)
            if events:
                yield events
            if worker.retired:
                worker.process.join(timeout=30)
                self.forget(worker)
                self.spawn()
                return

    def lost(self, worker: _Worker) -> Iterator[list[Event]]:
        """A worker is gone: read what it sent before it died, record the task it was on, re-queue the rest."""
        if worker.number not in self.workers:
            return
        events: list[Event] = []
        try:
            while worker.results.poll():
                events += self.absorb(worker, worker.results.recv())
        except (EOFError, OSError):
            pass  # its last message was cut off by its death: the task it belonged to is recorded below
        if events:
            yield events
        self.forget(worker)
        worker.process.join(timeout=WAIT_SECONDS)
        if worker.retired:
            self.spawn()
            return
        code = worker.process.exitcode
        why = (f"the worker reading it sent nothing for {self.stall_seconds:.0f} s and was stopped"
               if worker.stalled else f"the worker reading it died (exit code {code}"
               + (f", signal {-code}" if isinstance(code, int) and code < 0 else "") + ")")
        unstarted = [task for task in worker.held if task.number not in worker.started]
        for task in worker.held:
            if task.number in worker.started:
                yield crashed(task, why)
        if unstarted:
            self.queue.appendleft(unstarted)
        self.failed_starts = 0 if worker.was_ready else self.failed_starts + 1
        self.notice(f"worker {worker.number} lost ({why.replace('the worker reading it ', '')}); "
                    f"{len(worker.held) - len(unstarted)} task(s) recorded as failed, {len(unstarted)} sent again")
        # Workers that die while starting: a broken install if none ever started in this run (give up soon),
        # else perhaps memory short for a moment or an operator's kills (wait longer each time, give up late).
        limit = MAX_FAILED_STARTS if not self.any_ready else MAX_FAILED_STARTS_AFTER_READY
        if self.failed_starts >= max(limit, 2 * self.options.workers):
            raise PoolGaveUp(f"{self.failed_starts} worker processes in a row died before they were ready "
                             f"(the last: {why.replace('the worker reading it ', '')})")
        if self.failed_starts > 1:
            time.sleep(min(5.0, 0.25 * 2 ** (self.failed_starts - 2)))
        self.spawn()

    def absorb(self, worker: _Worker, message: list[Any]) -> list[Event]:
        """A message's events for the writer; the worker's own messages update the pool's view of it."""
        events: list[Event] = []
        for item in message:
            if isinstance(item, Ready):
                worker.ready = worker.was_ready = self.any_ready = True
                self.failed_starts = 0
            elif isinstance(item, TaskStarted):
                worker.started.add(item.number)
            elif isinstance(item, WorkerRetired):
                worker.retired = True
                self.notice(f"worker {item.worker} retired after {item.documents} documents, its memory "
                            f"{item.grown_mb:+.0f} MB over its warmed-up level; a new one takes its place")
            else:
                if isinstance(item, TaskDone):
                    worker.held = [task for task in worker.held if task.number != item.number]
                    worker.started.discard(item.number)
                events.append(item)
        return events

    def check_silence(self) -> None:
        """Kill a worker that has held a task, or failed to start, for far too long without a word."""
        moment = time.monotonic()
        for worker in list(self.workers.values()):
            limit = self.stall_seconds if worker.held else (START_SECONDS if not worker.ready else None)
            if limit is not None and moment - worker.heard > limit and worker.process.is_alive():
                worker.stalled = True
                worker.process.kill()  # its sentinel fires: ``lost`` records its task

    def forget(self, worker: _Worker) -> None:
        self.workers.pop(worker.number, None)
        for end in (worker.tasks, worker.results):
            with contextlib.suppress(OSError):
                end.close()

    def close(self) -> None:
        """Stop every worker: a stop message, then a terminate, then a kill; none is left behind.

        A worker holding no task gets the stop message even when its Ready is not read yet (it sent it after its
        last TaskDone, and reads the stop message next): waiting for a Ready the pool had not read kept a run
        of small files waiting 5 s for the terminate, now and then. A worker still starting holds nothing and
        has done nothing: it is terminated at once rather than waited for while it imports and loads models.
        """
        for worker in self.workers.values():
            if worker.held:
                continue
            if worker.was_ready:
                with contextlib.suppress(BrokenPipeError, OSError):
                    worker.tasks.send(None)
            else:
                worker.process.terminate()
        deadline = time.monotonic() + 5
        for worker in self.workers.values():
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
        for worker in list(self.workers.values()):
            self.forget(worker)


def pool_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int,
                notice: Callable[[str], None], total_files: int = 0,
                size_of: Callable[[str], int] | None = None) -> Iterator[list[Event]]:
    """Events from ``options.workers`` worker processes, small files batched; a lost worker's task is recorded.

    Raises ``PoolGaveUp`` when workers die as fast as they start (the run then ends incomplete).
    """
    size_of = size_of or _file_size
    yield from Pool(options, run_id, notice).events(batches(tasks, size_of, total_files=total_files,
                                                           workers=options.workers))


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
