"""A Dask distributed cluster runs the same task function; results stream back to the one writer.

``--dask-scheduler ADDRESS`` connects to a running scheduler (workers must see
the input files, and the ``--out-parquet`` folder, at the same paths);
``--executor dask`` alone starts a LocalCluster of ``--workers`` processes here.
At most a few tasks per worker thread are in flight, so results never pile up.
A task whose worker dies is run again by the scheduler on another worker (the
nanny restarts the dead one); a task that fails, or whose workers keep dying
under it (``KilledWorker``), is retried (``retries``) and then reported as a
``crash`` failure, as the local pool reports a task whose worker died. No wait
on the cluster is unbounded: the run waits ``WAIT_SECONDS`` at a time and checks
the scheduler connection between waits; a lost connection ends the run
``incomplete`` (``ClusterLost``), to be resumed by the same command.

The workers of a LocalCluster started here are restarted after
``tasks_per_worker`` tasks each (the local pool retires its workers by memory instead), so
what an extractor accumulates cannot creep up over millions of records. The
restart waits until no task is in flight and no data is held on the cluster,
so it costs no task a retry. Workers of a cluster named by ``--dask-scheduler``
belong to whoever runs it and are left alone (``dask worker --lifetime`` does
the same job there).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from ...errors import ExtractorError
from .. import tasks as task_work
from ..events import Event
from ..options import ExtractOptions, RunCutShort
from ..tasks import Task, crashed

RESTART_TIMEOUT_S = 120  # a worker that takes longer to come back than this is an error of the run
WAIT_SECONDS = 5.0  # the longest the run waits on the cluster before it checks the client is still connected


class ClusterLost(RunCutShort):
    """The connection to the scheduler is gone in the middle of a run."""


class SchedulerUnreachable(ExtractorError):
    kind = "scheduler"
    hint = "check the address (tcp://host:8786) and that the scheduler is running"


def _run_piece(task: Task, piece: bytes | None, *args: Any) -> list[Event]:
    """``run_task`` on a worker, with the piece of the file put back into the task."""
    return task_work.run_task(replace(task, data=piece) if piece is not None else task, *args)


def restart_workers(client: Any, notice: Callable[[str], None], tasks_run: int) -> bool:
    """Restart every worker (each through its nanny) while none holds a task or data; wait until all are back.

    False, with a notice, when they cannot be restarted: the run goes on with the workers it has.
    """
    workers = list(client.nthreads())
    try:
        client.restart_workers(workers, timeout=RESTART_TIMEOUT_S)
        client.wait_for_workers(len(workers), timeout=RESTART_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - a failed restart must not end the batch
        notice(f"dask: could not restart the workers ({type(error).__name__}: {error}); "
               "going on without restarts")
        return False
    notice(f"dask: restarted {len(workers)} workers after {tasks_run} tasks")
    return True


def dask_events(tasks: Iterable[Task], options: ExtractOptions, run_id: int,
                notice: Callable[[str], None]) -> Iterator[list[Event]]:
    """Event lists of each task as it finishes on the cluster (any order)."""
    import dask
    from distributed import Client, LocalCluster
    from distributed import wait as wait_for

    cluster = None
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {options.scheduler} ({error})") from None
    else:
        # No dashboard, so no use for the workers' sampling profiler, whose history grew ~2 MB a worker per
        # 1,000 records; one malloc arena (the worker runs one task thread) keeps ~60 MB less a worker and
        # grows slower. The nannies keep both for the workers they restart.
        try:
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX": 1}):
                cluster = LocalCluster(n_workers=max(1, options.workers), threads_per_worker=1, processes=True,
                                       dashboard_address=None)
        except Exception as error:  # noqa: BLE001 - e.g. a worker killed while it starts ("Nanny failed to start")
            raise ClusterLost(f"the Dask LocalCluster could not start ({type(error).__name__}: {error})") from None
        client = Client(cluster)
    try:
        threads = sum(client.nthreads().values()) or 1
        notice(f"dask: {len(client.nthreads())} workers, {threads} threads at {client.scheduler.address}")
        limit = 2 * threads + 1
        # tasks between restarts of all the workers of our own LocalCluster (0: never)
        restart_every = options.tasks_per_worker * len(client.nthreads()) if cluster is not None else 0
        run = uuid.uuid4().hex[:8]
        plan = iter(tasks)
        futures: dict[Any, Task] = {}
        pieces: dict[Any, Any] = {}  # task future -> future of its scattered piece
        since_restart = 0

        def submit() -> bool:
            nonlocal since_restart, restart_every
            due = 0 < restart_every <= since_restart + len(futures)
            if due and futures:
                return False  # the workers restart once the tasks in flight are back
            task = next(plan, None)
            if task is None:
                return False
            if due:
                if not restart_workers(client, notice, since_restart):
                    restart_every = 0
                since_restart = 0
            # A piece of a large file travels as scattered data, not inside the task: the scheduler keeps
            # something of every graph it is sent, and pieces (~170 KiB each) made that grow with the corpus.
            piece = client.scatter(task.data, hash=False) if task.data is not None else None
            future = client.submit(_run_piece, replace(task, data=None), piece, options.limits, options.use_models,
                                   options.parquet_dir, run_id, key=f"extract-{run}-{task.number}",
                                   retries=options.retries, pure=False)
            futures[future] = task
            pieces[future] = piece
            return True

        while len(futures) < limit and submit():
            pass
        for future in _completed(futures, client, wait_for):
            task = futures.pop(future)
            try:
                events = future.result()
            except Exception as error:  # the worker died (KilledWorker) or the task could not run
                events = crashed(task, f"the task failed on the cluster after {options.retries} retries "
                                            f"({type(error).__name__}: {error})")
            future.release()
            piece = pieces.pop(future)
            if piece is not None:
                piece.release()
            since_restart += 1
            yield events
            while len(futures) < limit and submit():
                pass
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _completed(futures: dict[Any, Task], client: Any, wait_for: Callable[..., Any]) -> Iterator[Any]:
    """Each future of ``futures`` as it finishes (new ones may join while this runs), waiting at most
    ``WAIT_SECONDS`` at a time and checking between waits that the client is still connected."""
    while futures:
        try:
            done, _ = wait_for(list(futures), timeout=WAIT_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:
            if client.status not in ("running", "connecting"):
                raise ClusterLost(f"the connection to the Dask scheduler was lost (client {client.status}); "
                                  f"{len(futures)} tasks in flight") from None
            continue
        # those finished together in the order they were sent, as a local run would have them
        yield from sorted((future for future in done if future in futures), key=lambda future: futures[future].number)
