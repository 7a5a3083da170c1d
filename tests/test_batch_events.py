"""The events a task reports: named, frozen, and unchanged by a trip to another process (pickle)."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from conftest import CORPUS
from extractor.batch.events import DocumentDone, Failed, PartWritten, RecordsDeleted, TaskDone
from extractor.batch.executors.local import Ready, TaskStarted, WorkerRetired
from extractor.batch.tasks import Task, crashed, process_task
from extractor.readers.base import Limits
from extractor.types import Failure

FAILURE = Failure("paper.pdf", "encrypted", "the PDF is encrypted", "decrypt it first", page=2)


@pytest.mark.parametrize(
    "event",
    [
        PartWritten(500),
        Failed(FAILURE),
        RecordsDeleted("pubmed24n0002.xml", ["1", "2"]),
        TaskDone("pubmed24n0001.xml", "pubmed_xml", 250, 1, 0, 3),
        TaskStarted(1, 3),
        WorkerRetired(1, 312.0, 5000),
        Ready(2),
    ],
)
def test_an_event_arrives_from_a_worker_process_equal_to_what_was_sent(event: object) -> None:
    assert pickle.loads(pickle.dumps(event)) == event


@pytest.mark.parametrize("event", [PartWritten(500), TaskDone("a.txt", "text", 1, 0, 1, 1)])
def test_an_event_cannot_be_changed_on_its_way(event: object) -> None:
    field = dataclasses.fields(event)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, field, 0)


@pytest.mark.parametrize("path", [CORPUS / "example_pubmed_page.txt"])
def test_a_task_reports_its_documents_then_one_task_done_that_counts_them(path: Path) -> None:
    events = list(process_task(Task(str(path), 7), Limits()))
    documents = [e for e in events if isinstance(e, DocumentDone)]
    assert documents and all(pickle.loads(pickle.dumps(e)).record.doc_id == e.record.doc_id for e in documents)
    assert events[-1] == TaskDone(str(path), "text", len(documents), 0, 1, 7)


@pytest.mark.parametrize("message", ["the reader crashed (worker exit code -9)"])
def test_a_task_that_never_reported_back_leaves_one_crash_failure_and_its_end(message: str) -> None:
    task = Task("big.xml", 4, "pubmed_xml", first=251, stop=501, chunk=2, chunks=0)
    failed, done = crashed(task, message)
    assert (failed.failure.kind, failed.failure.message, failed.failure.record) == ("crash", message,
                                                                                    "records 251-500")
    assert done == TaskDone("big.xml", "pubmed_xml", 0, 1, 0, 4)
