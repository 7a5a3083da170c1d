"""The Dask executor (issue 8): a LocalCluster in this process gives the records and failures of a local run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_scale import article, baseline, failures, pubmed_file, records, update_file

from conftest import CORPUS
from extractor.batch import tasks
from extractor.batch.options import ExtractOptions, Progress
from extractor.batch.run import run_extract
from extractor.store import Store

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out; `make test` runs them

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of an in-process LocalCluster of two single-thread workers."""
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def inputs(folder: Path) -> Path:
    """The bundled corpus, two unreadable files, a PubMed file cut into chunks with a bad record, an update file."""
    shutil.copytree(CORPUS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    articles = [article(pmid, f"Dim evening light for insomnia: trial {pmid}") for pmid in range(1, 9)]
    articles.insert(5, article(77, "", with_citation=False))
    pubmed_file(folder / "pubmed24n0001.xml.gz", articles, gzipped=True)
    update_file(folder)
    return folder


class Heard(Progress):
    """Progress that keeps the run's notices."""

    def __init__(self, notices: list[str]) -> None:
        self.notices = notices

    def notice(self, message: str) -> None:
        self.notices.append(message)


def sources(store: Store) -> list[tuple]:
    """Each input file as the store records it."""
    return sorted((r["path"], r["documents"], r["failures"], r["status"]) for r in store.db.query("select * from sources"))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_on_a_local_cluster_stores_what_a_local_run_stores(tmp_path: Path, scheduler: str,
                                                                 workers: int) -> None:
    folder = inputs(tmp_path / "in")
    local, cluster = Store(tmp_path / "local.db"), Store(tmp_path / "cluster.db")
    here = run_extract([str(folder)], local, ExtractOptions(workers=workers, chunk_records=3))
    notices: list[str] = []
    there = run_extract([str(folder)], cluster, ExtractOptions(executor="dask", scheduler=scheduler, chunk_records=3,
                                                               tasks_per_worker=2), progress=Heard(notices))
    assert not [n for n in notices if "restarted" in n]  # the workers of a named cluster are its owner's
    assert records(cluster) == records(local)
    assert failures(cluster) == failures(local)
    assert {kind for _, _, kind, _ in failures(local)} == {"empty", "malformed"}
    assert (there.documents_written, there.failures, there.documents_deleted) == (
        here.documents_written, here.failures, here.documents_deleted)
    assert sources(cluster) == sources(local)


def test_the_workers_of_its_own_local_cluster_are_restarted_between_tasks_and_nothing_is_lost(
        tmp_path: Path) -> None:
    folder = inputs(tmp_path / "in")
    notices: list[str] = []
    local, cluster = Store(tmp_path / "local.db"), Store(tmp_path / "cluster.db")
    run_extract([str(folder)], local, ExtractOptions(workers=2, chunk_records=3))
    run_extract([str(folder)], cluster, ExtractOptions(executor="dask", workers=2, chunk_records=3,
                                                       tasks_per_worker=4), progress=Heard(notices))
    restarts = [n for n in notices if "restarted" in n]
    assert restarts and all(n.endswith("restarted 2 workers after 8 tasks") for n in restarts), notices
    assert records(cluster) == records(local)
    assert failures(cluster) == failures(local)
    assert sources(cluster) == sources(local)


def test_workers_that_cannot_be_restarted_leave_the_run_going(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def without_nannies(*args, **kwargs):  # in-process workers have no nanny to restart them
        return real(*args, **{**kwargs, "processes": False})

    real = distributed.LocalCluster
    monkeypatch.setattr(distributed, "LocalCluster", without_nannies)
    folder = inputs(tmp_path / "in")
    notices: list[str] = []
    local, cluster = Store(tmp_path / "local.db"), Store(tmp_path / "cluster.db")
    run_extract([str(folder)], local, ExtractOptions(workers=2, chunk_records=3))
    summary = run_extract([str(folder)], cluster, ExtractOptions(executor="dask", workers=2, chunk_records=3,
                                                                 tasks_per_worker=2), progress=Heard(notices))
    assert [n for n in notices if "could not restart" in n] and not [n for n in notices if "restarted" in n]
    assert summary.status == "complete"
    assert records(cluster) == records(local) and failures(cluster) == failures(local)


def test_a_task_that_fails_on_the_cluster_is_retried_then_reported(tmp_path: Path, scheduler: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tries = tmp_path / "tries.log"  # the task may be pickled on its way to the worker: count in a file
    original = tasks.run_task

    def dies_on_one_file(task, *args):
        if task.path.endswith("pubmed24n0002.xml"):
            with open(tries, "a") as log:
                log.write(task.path + "\n")
            raise SystemError("the worker fell over")
        return original(task, *args)

    monkeypatch.setattr(tasks, "run_task", dies_on_one_file)
    first = baseline(tmp_path / "in", range(1, 5))
    update = update_file(tmp_path / "in")
    store = Store(tmp_path / "x.db")
    summary = run_extract([str(first), str(update)], store,
                          ExtractOptions(executor="dask", scheduler=scheduler, retries=1))
    assert len(tries.read_text().splitlines()) == 2  # the first try and one retry
    [(path, record, kind, message)] = failures(store)
    assert (path, kind) == (str(update), "crash") and "SystemError" in message
    assert summary.documents_written == 4
    assert store.db["sources"].get(str(update))["status"] == "failed"


def test_an_unreachable_scheduler_is_one_typed_error_and_a_failed_run(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.batch.executors.cluster import SchedulerUnreachable

    def refuse(address, timeout=None):
        raise OSError(f"Timed out trying to connect to {address} after {timeout}")

    monkeypatch.setattr(distributed, "Client", refuse)
    store = Store(tmp_path / "x.db")
    path = baseline(tmp_path / "in", range(1, 3))
    with pytest.raises(SchedulerUnreachable, match="cannot reach the Dask scheduler at tcp://nowhere:8786"):
        run_extract([str(path)], store, ExtractOptions(scheduler="tcp://nowhere:8786"))
    assert store.db["runs"].get(1)["status"] == "failed"
