"""Web imports of hotline tickets: upload → map columns → import in the background, in batches, with progress.

The upload only stores the file and peeks at its header and size; the background worker reads it (with the row
cap ``FUHE_IMPORT_MAX_ROWS``), checks every row and writes the tickets in batches (``tickets_import``). Each batch
commits together with the job's counters, so the page shows progress as it is committed and a job whose worker
died resumes after its last committed batch: the minute's recovery (``import_jobs_recover``) queues it again once
its heartbeat is older than ``ImportJob.STALLED_AFTER``, and its starter may resume it from the page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.cases.events import ImportJobQueued
from fuhe.cases.models import ImportJob, ImportJobStatus
from fuhe.cases.services.ticket_import import (
    BATCH_SIZE,
    FIELDS,
    BatchDone,
    TicketImportError,
    guess_mapping,
    read_table,
    resolve_mapping,
    table_peek,
    tickets_import,
)
from fuhe.common.events import publish

MAX_BYTES = 20 * 1024 * 1024
MAX_LISTED_ERRORS = 200


class ImportSupersededError(Exception):
    """Another run claimed the job (it was recovered while this one still ran): this run stops, its batch undone."""


def import_job_create(*, actor, upload) -> ImportJob:
    """Store the upload with its header and (estimated) number of rows; the worker reads the rest."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": "the file is larger than 20 MB; split it"})
    data = upload.read()
    header, count = table_peek(_Bytes(data, upload.name), upload.name, max_rows=settings.FUHE_IMPORT_MAX_ROWS)
    return ImportJob.objects.create(
        created_by=actor,
        filename=upload.name[:200],
        content=data,
        header=header,
        mapping=guess_mapping(header),
        total=count,
    )


class _Bytes:
    """A file-like wrapper so ``read_table`` can read an upload already in memory."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def import_job_start(*, actor, job: ImportJob, mapping: dict[str, str] | None) -> ImportJob:
    """Check the mapping now (clear errors at once), then queue the import for the background worker.

    A job that committed batches already (failed half way, or stalled because its worker died) is resumed with
    the mapping it started with (``mapping`` is ignored): its remaining batches follow the same rows."""
    job.refresh_from_db()
    if job.status not in (ImportJobStatus.UPLOADED, ImportJobStatus.FAILED) and not job.is_stalled:
        raise ValidationError({"job": _("this import has already started")})
    if mapping is None or job.batches_done:
        mapping = job.mapping
    mapping = {field: column for field, column in (mapping or {}).items() if field in FIELDS and column}
    resolve_mapping(job.header, mapping)  # raises ValidationError naming the field
    changes = {"mapping": mapping, "status": ImportJobStatus.QUEUED, "errors": [], "heartbeat_at": timezone.now()}
    if not job.batches_done:
        changes.update(processed=0, created_count=0, skipped_count=0, batch_size=BATCH_SIZE)
    ImportJob.objects.filter(pk=job.pk).update(**changes)
    # the background worker listens (cases/apps.py); an error queueing it reaches the user as before
    transaction.on_commit(lambda: publish(ImportJobQueued(job.pk)))
    job.refresh_from_db()
    return job


def import_job_run(job_id: int) -> ImportJob:
    """Claim a queued job and import it, resuming after the batches an earlier run committed."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, attempt=F("attempt") + 1, heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job  # not queued (anymore): another run has it, or it was done meanwhile
    mine = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt)

    def record(batch: BatchDone) -> None:
        # in the batch's transaction: the batch commits only while the job is this run's, and with its counters
        moved = mine.filter(batches_done=batch.number - 1).update(
            batches_done=batch.number,
            processed=F("processed") + batch.rows,
            created_count=F("created_count") + batch.created,
            skipped_count=F("skipped_count") + batch.skipped_existing,
            heartbeat_at=timezone.now(),
        )
        if not moved:
            raise ImportSupersededError(job.pk)

    try:
        header, rows = read_table(
            _Bytes(bytes(job.content), job.filename), job.filename, max_rows=settings.FUHE_IMPORT_MAX_ROWS
        )
        mine.update(total=sum(1 for row in rows if any(row)), heartbeat_at=timezone.now())
        tickets_import(
            actor=job.created_by,
            header=header,
            rows=rows,
            mapping=job.mapping,
            source=f"upload {job.filename}",
            batch_size=job.batch_size,
            skip_batches=job.batches_done,
            on_batch=record,
        )
    except ImportSupersededError:
        return ImportJob.objects.get(pk=job.pk)
    except (TicketImportError, ValidationError) as exc:
        mine.update(status=ImportJobStatus.FAILED, errors=_error_lines(exc)[:MAX_LISTED_ERRORS])
    else:
        mine.update(status=ImportJobStatus.DONE, processed=F("total"), heartbeat_at=timezone.now())
    return ImportJob.objects.get(pk=job.pk)


def _error_lines(exc: TicketImportError | ValidationError) -> list:
    if isinstance(exc, TicketImportError):  # stored as data, said in the reader's language on the page
        return [error.as_dict() for error in exc.errors]
    if hasattr(exc, "error_dict"):
        return [f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
    return list(exc.messages)


def import_jobs_recover() -> list[int]:
    """Queue again every job whose worker died (running or queued, no heartbeat for ``STALLED_AFTER``); each
    resumes after its committed batches. A queued job whose task is in fact still waiting is harmless to queue
    twice: only one run can claim it."""
    stale = timezone.now() - ImportJob.STALLED_AFTER
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    recovered = []
    active = (ImportJobStatus.RUNNING, ImportJobStatus.QUEUED)
    for job in ImportJob.objects.filter(silent, status__in=active).only("pk", "attempt"):
        # the same attempt and still silent: nothing moved since this query read the job
        moved = ImportJob.objects.filter(silent, pk=job.pk, attempt=job.attempt, status__in=active).update(
            status=ImportJobStatus.QUEUED, heartbeat_at=timezone.now()
        )
        if moved:
            recovered.append(job.pk)
            transaction.on_commit(lambda pk=job.pk: publish(ImportJobQueued(pk)))
    return recovered


def import_job_progress(job: ImportJob) -> int:
    """Rows of the committed batches (the job's counters commit with each batch)."""
    return job.processed
