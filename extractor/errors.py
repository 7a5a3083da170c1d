"""Typed errors for bad input. Only the CLI turns them into a line for the user."""

from __future__ import annotations


class ExtractorError(Exception):
    """Base of every error the library raises on purpose."""

    kind = "error"
    hint = "check the file and try again"

    def __init__(self, message: str, *, hint: str | None = None, page: int | None = None):
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint
        self.page = page


class UnreadableDocument(ExtractorError):
    """The file or record exists but its content cannot be turned into a document."""

    kind = "unreadable"
    hint = "check that the file is complete and in the format its name suggests"


class EmptyDocument(UnreadableDocument):
    kind = "empty"
    hint = "the file holds no text; remove it or replace it with a complete copy"


class MalformedDocument(UnreadableDocument):
    kind = "malformed"
    hint = "the file is damaged or not valid for its format; re-export or re-download it"


class TruncatedDocument(MalformedDocument):
    kind = "truncated"
    hint = "the file ends early; re-download or re-export it"


class PartiallyRead(TruncatedDocument):
    """A file or record read only in part (cut off, or damaged part-way): what it held whole was kept. Its kind
    names the ``failures`` rows that salvaging readers record beside the documents they salvaged."""

    kind = "partial"
    hint = "the file was cut or damaged; get it again to read the rest"


class EncryptedPDF(UnreadableDocument):
    kind = "encrypted"
    hint = "save an unprotected copy (or remove the password) and run again"


class NoTextLayer(UnreadableDocument):
    kind = "no_text"
    hint = "the PDF is a scan with no text layer; run OCR on it (e.g. ocrmypdf) first"


class UnsupportedFormat(ExtractorError):
    kind = "unsupported_format"
    hint = (
        "supported: plain text, tagged citations, MEDLINE/nbib, PubMed XML, PMC JATS XML, "
        "RIS, BibTeX, CSV/TSV/XLSX, PDF, PPTX"
    )


class BadEncoding(UnreadableDocument):
    kind = "encoding"
    hint = "save the file as UTF-8 and run again"


class LimitExceeded(ExtractorError):
    kind = "limit"
    hint = "raise the limit with --max-mb / --max-pages / --timeout if the file is genuine"


class DocumentTimeout(LimitExceeded):
    kind = "timeout"
    hint = "raise --timeout if the file is genuine, or split it"
