"""Files handed out: an attachment to whoever may see its case, always as a download (never
shown inline, so a file cannot run as part of Patron's pages) and written to the audit trail;
and CSV exports, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.files import path_of
from patron.cases.models import Attachment
from patron.errors import NotFound
from patron.privacy import audit


def attachment_response(attachment: Attachment, agent: Agent) -> HttpResponseBase:
    if not attachment.is_stored:
        raise NotFound(
            "This attachment was too large to keep on its own; download the original email it came in instead."
        )
    path = path_of(attachment.sha256)
    if not path.exists():
        raise NotFound("The file of this attachment is missing from the data folder.")
    audit.record(
        actor=agent,
        action="download_attachment",
        object_type="case",
        object_id=attachment.message.case_id,
        data={"attachment": attachment.pk},
        personal={"filename": attachment.filename},
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = attachment.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def csv_response(lines: Iterator[str], *, filename: str = "cases.csv") -> StreamingHttpResponse:
    """A CSV file streamed as it is written; a download, never a page."""
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stamp}-{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
