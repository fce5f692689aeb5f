"""Web imports of hotline tickets: upload → map columns → import in the background with progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from fuhe.cases.events import ImportJobQueued
from fuhe.cases.models import ImportJob, ImportJobStatus
from fuhe.cases.services.ticket_import import (
    FIELDS,
    TicketImportError,
    guess_mapping,
    read_table,
    resolve_mapping,
    tickets_import,
)
from fuhe.common.events import publish

MAX_BYTES = 20 * 1024 * 1024


def import_job_create(*, actor, upload) -> ImportJob:
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": "the file is larger than 20 MB; split it"})
    data = upload.read()
    header, rows = read_table(_Bytes(data, upload.name), upload.name)
    return ImportJob.objects.create(
        created_by=actor,
        filename=upload.name[:200],
        content=data,
        header=header,
        mapping=guess_mapping(header),
        total=len(rows),
    )


class _Bytes:
    """A file-like wrapper so ``read_table`` can read an upload already in memory."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def import_job_start(*, actor, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Check the mapping now (clear errors at once), then queue the import for the background worker."""
    if job.status not in (ImportJobStatus.UPLOADED, ImportJobStatus.FAILED):
        raise ValidationError({"job": "this import has already started"})
    mapping = {field: column for field, column in mapping.items() if field in FIELDS and column}
    resolve_mapping(job.header, mapping)  # raises ValidationError naming the field
    ImportJob.objects.filter(pk=job.pk).update(mapping=mapping, status=ImportJobStatus.QUEUED, errors=[], processed=0)
    # the background worker listens (cases/apps.py); an error queueing it reaches the user as before
    transaction.on_commit(lambda: publish(ImportJobQueued(job.pk)))
    job.refresh_from_db()
    return job


def import_job_run(job_id: int) -> ImportJob:
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJobStatus.QUEUED:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING)
    header, rows = read_table(_Bytes(bytes(job.content), job.filename), job.filename)

    done = 0

    def progress(n: int) -> None:
        # the import runs in one transaction, so progress goes beside the database where a poll can see it
        nonlocal done
        done += n
        progress_path(job.pk).write_text(str(done))

    try:
        result = tickets_import(
            actor=job.created_by,
            header=header,
            rows=rows,
            mapping=job.mapping,
            progress=progress,
            source=f"upload {job.filename}",
        )
    except (TicketImportError, ValidationError) as exc:
        errors = (
            [str(e) for e in exc.errors]
            if isinstance(exc, TicketImportError)
            else [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
        )
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.FAILED, errors=errors[:200], processed=0)
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJobStatus.DONE,
            created_count=result.created,
            skipped_count=result.skipped_existing,
            processed=result.total,
        )
    progress_path(job.pk).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def progress_path(job_id: int) -> Path:
    folder = Path(settings.DATA_DIR) / "import-progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.txt"


def import_job_progress(job: ImportJob) -> int:
    """Rows written so far by a running import (the database shows them only when it commits)."""
    if job.status != ImportJobStatus.RUNNING:
        return job.processed
    try:
        return int(progress_path(job.pk).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0
