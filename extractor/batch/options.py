"""A run's settings (``ExtractOptions``), its tally (``RunSummary``) and the callbacks that show it (``Progress``).

Apart from ``run`` so that the executors, the writer and ``parquet`` can take
them without importing the run.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from ..readers.base import Limits
from ..types import Failure


@dataclass
class ExtractOptions:
    """How a run reads and writes."""

    force: bool = False
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    batch_size: int = 500
    flush_seconds: float = 2.0
    use_models: bool = True  # False: rules alone (for ablations)
    executor: str = "local"  # "local" (this process or a process pool) or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None with "dask": a LocalCluster here
    parquet_dir: str | None = None  # write records as Parquet parts there instead of into the store
    chunk_records: int = 250  # PubMed XML files with more records are cut into tasks of this many
    retries: int = 2  # how often a Dask task whose worker died is tried again
    follow_links: bool = False  # read what links in a folder lead to outside it (skipped with a notice otherwise)
    tasks_per_worker: int = 100  # our Dask LocalCluster's workers are restarted after this many tasks each
    worker_memory_mb: int = 1024  # a pool worker whose memory grew this much over its warmed-up level retires
    documents_per_worker: int = 0  # ... and one that extracted this many documents (0: no such limit)


@dataclass
class RunSummary:
    """What a run did, for the summary table and the ``runs`` row."""

    run_id: int = 0
    files_seen: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    documents_written: int = 0
    documents_unchanged: int = 0
    failures: int = 0
    duration_s: float = 0.0
    status: str = "running"
    documents_superseded: int = 0  # older versions of a PubMed record that a newer one replaced
    documents_deleted: int = 0  # records marked deleted by an update file's DeleteCitation
    files_read: int = 0  # files to read that were read to their end (stored, or their failures recorded)
    files_unread: int = 0  # files to read that the run never finished: the same command resumes them

    @property
    def documents(self) -> int:
        return self.documents_written + self.documents_unchanged

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("run_id")
        for name in ("files_failed", "status", "documents_superseded", "documents_deleted", "files_read",
                     "files_unread"):
            data.pop(name)
        return data


class RunCutShort(RuntimeError):
    """An executor cannot go on (workers that never start, a cluster gone): the run ends incomplete, and the same
    command resumes it."""


class NothingToRead(Exception):
    """The inputs of a run give no file at all (an empty folder, a glob matching nothing): nothing is started."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


class Progress:
    """Callbacks a front end implements to show a run; the default shows nothing."""

    def start(self, total_files: int, total_bytes: int) -> None: ...

    def records_expected(self, total: int) -> None:
        """About how many records the files to read hold (called after ``start`` when a cheap count is known)."""

    def file_done(self, path: str, size: int, documents: int) -> None: ...

    def failure(self, failure: Failure) -> None: ...

    def documents(self, count: int) -> None: ...

    def notice(self, message: str) -> None: ...


def worker_count(requested: int | None) -> int:
    """``--workers 0`` means one per core."""
    if requested is None or requested < 0:
        return 1
    return requested or (os.cpu_count() or 1)
