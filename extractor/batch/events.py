"""What a task reports, in order, to the one writer: small frozen records, picklable and cheap to send.

A task yields ``DocumentDone`` (or ``PartWritten`` when it writes Parquet parts
itself, or ``DocumentKept`` for a record stored unchanged already) and ``Failed`` as it reads, ``RecordsDeleted`` for a PubMed update
file's DeleteCitation, and ``TaskDone`` last. Executors send them across
processes and from Dask workers unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import PreparedRecord
from ..types import Failure


def as_arguments(event: Any) -> tuple[type, tuple[Any, ...]]:
    """``__reduce__`` of the events: the class and its fields in order.

    A frozen dataclass with slots otherwise pickles through ``dataclasses.fields()`` on both ends, which cost
    more than the rest of a small event's trip to the writer.
    """
    return type(event), tuple(getattr(event, name) for name in event.__slots__)


@dataclass(frozen=True, slots=True)
class DocumentDone:
    """A document read and extracted, as ready-to-insert rows."""

    __reduce__ = as_arguments

    record: PreparedRecord


@dataclass(frozen=True, slots=True)
class DocumentKept:
    """A document read again whose record is stored already, unchanged (same content, same extraction version):
    not extracted again. A run stopped part-way through a large file resumes this way at its first record
    not yet stored."""

    __reduce__ = as_arguments

    doc_id: str


@dataclass(frozen=True, slots=True)
class PartWritten:
    """``documents`` records the task wrote as a Parquet part (they do not travel to the writer)."""

    __reduce__ = as_arguments

    documents: int


@dataclass(frozen=True, slots=True)
class Failed:
    """A file, or one record of it, that could not be read."""

    __reduce__ = as_arguments

    failure: Failure


@dataclass(frozen=True, slots=True)
class RecordsDeleted:
    """PMIDs a PubMed update file (``path``) deletes."""

    __reduce__ = as_arguments

    path: str
    pmids: list[str]


@dataclass(frozen=True, slots=True)
class TaskDone:
    """The end of a task: what it read of its file (``chunks``: how many pieces the file was cut into, 0 if not
    known yet)."""

    __reduce__ = as_arguments

    path: str
    format: str | None
    documents: int
    failures: int
    chunks: int
    number: int  # the task's position in the run


Event = DocumentDone | DocumentKept | PartWritten | Failed | RecordsDeleted | TaskDone
