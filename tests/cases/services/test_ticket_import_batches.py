"""Ticket imports in batches: each batch commits alone, a crash leaves whole batches and a re-run or a recovered
job resumes after them; rows outside the importer's regions are refused; the row cap."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, ImportJob, ImportJobStatus
from fuhe.cases.services import ticket_import
from fuhe.cases.services.import_jobs import (
    import_job_create,
    import_job_run,
    import_job_start,
    import_jobs_recover,
)
from fuhe.cases.services.ticket_import import (
    TicketImportError,
    read_table,
    row_error_text,
    table_peek,
    tickets_import,
)

HEADER = ["工单编号", "诉求内容", "诉求地址", "区划代码"]


def rows(count: int, *, numbered: bool = True, code: str = "120101001001") -> list[list[str]]:
    return [[f"T{i}" if numbered else "", f"楼道堆物{i}", f"花园路社区{i}号楼", code] for i in range(count)]


def csv_bytes(table: list[list[str]], header=HEADER) -> bytes:
    return "\n".join(",".join(row) for row in [header, *table]).encode()


class CrashError(Exception):
    """The worker dies in the middle of a batch."""


def crash_in_batch(monkeypatch, number: int) -> None:
    """Make batch ``number`` fail after writing its rows (as a killed worker would: nothing of it commits)."""
    original = ticket_import._batch_write

    def write(batch, **kwargs):
        if kwargs["number"] == number:
            on_batch = kwargs["on_batch"]

            def crash(done):
                if on_batch is not None:
                    on_batch(done)
                raise CrashError

            kwargs["on_batch"] = crash
        return original(batch, **kwargs)

    monkeypatch.setattr(ticket_import, "_batch_write", write)


def test_each_batch_commits_alone_and_a_rerun_resumes_after_a_crash(tree, monkeypatch):
    table = rows(7)
    seen = []
    crash_in_batch(monkeypatch, 2)
    with pytest.raises(CrashError):
        tickets_import(actor=None, header=HEADER, rows=table, mapping=None, batch_size=3, progress=seen.append)
    assert seen == [3]  # batch 1 committed, batch 2 undone whole
    assert sorted(Case.objects.values_list("idempotency_key", flat=True)) == ["import:T0", "import:T1", "import:T2"]
    assert AuditEvent.objects.filter(action="case.receive").count() == 3
    monkeypatch.undo()
    seen.clear()
    result = tickets_import(actor=None, header=HEADER, rows=table, mapping=None, batch_size=3, progress=seen.append)
    assert (result.created, result.skipped_existing, result.total, result.batches) == (4, 3, 7, 3)
    assert seen == [3, 3, 1] and Case.objects.count() == 7
    assert AuditEvent.objects.filter(action="case.tickets_imported").count() == 1 + 2  # batch 1, then 2 and 3
    again = tickets_import(actor=None, header=HEADER, rows=table, mapping=None, batch_size=3)
    assert (again.created, again.skipped_existing) == (0, 7) and Case.objects.count() == 7


def test_a_bad_row_anywhere_writes_no_batch(tree):
    table = rows(7)
    table[6][1] = ""  # the last batch's row has no text
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=None, header=HEADER, rows=table, mapping=None, batch_size=2)
    assert [(e.row, e.field) for e in info.value.errors] == [(8, "text")]
    assert not Case.objects.exists()


def test_rows_outside_the_importers_regions_are_refused(tree):
    dispatcher = tree.people["dispatcher"]  # 劝业场街道
    table = [
        ["A1", "井盖缺失", "", "120101001001"],  # 花园路社区: in the street
        ["A2", "路灯不亮", "", "120101002001"],  # 五大道社区: the other street of 和平区
        ["A3", "垃圾清运", "西关村5号", ""],  # found from the address: 蓟州区
    ]
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=dispatcher, header=HEADER, rows=table, mapping=None)
    refused = {(e.row, e.field): row_error_text(e) for e in info.value.errors}
    assert set(refused) == {(3, "region_code"), (4, "region_code")}
    assert "五大道社区（120101002001）不在您可以导入的区域范围内" in refused[(3, "region_code")]
    assert "lies outside the regions you may import into" in info.value.errors[0].reason  # the log's English
    assert not Case.objects.exists()
    admin = tree.people["admin"]  # the administrator of 和平区 imports anywhere in the district, not beyond
    with pytest.raises(TicketImportError) as info:
        tickets_import(actor=admin, header=HEADER, rows=table, mapping=None)
    assert [(e.row, e.field) for e in info.value.errors] == [(4, "region_code")]
    result = tickets_import(actor=admin, header=HEADER, rows=table[:2], mapping=None)
    assert result.created == 2
    assert tickets_import(actor=None, header=HEADER, rows=table, mapping=None).created == 1  # the operator: all


def test_the_row_cap_names_itself(tree, settings):
    data = csv_bytes([*rows(3), ["", "", "", ""]])
    header, table = read_table(SimpleUploadedFile("t.csv", data), "t.csv", max_rows=3)  # blank rows do not count
    assert len([row for row in table if row]) == 3
    with pytest.raises(ValidationError) as info:
        read_table(SimpleUploadedFile("t.csv", data), "t.csv", max_rows=2)
    assert "file" in info.value.message_dict and "超过 2 行" in info.value.message_dict["file"][0]
    assert table_peek(SimpleUploadedFile("t.csv", data), "t.csv") == (HEADER, 3)
    settings.FUHE_IMPORT_MAX_ROWS = 2
    with pytest.raises(ValidationError, match="超过 2 行"):  # a CSV upload over the cap: refused at once
        import_job_create(actor=tree.people["admin"], upload=SimpleUploadedFile("t.csv", data))


def test_the_worker_applies_the_row_cap(tree, settings, django_capture_on_commit_callbacks):
    job = import_job_create(actor=tree.people["admin"], upload=SimpleUploadedFile("t.csv", csv_bytes(rows(3))))
    settings.FUHE_IMPORT_MAX_ROWS = 2  # lowered after the upload: the worker reads the file and refuses it
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(actor=job.created_by, job=job, mapping=job.mapping)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and "超过 2 行" in job.errors[0]
    assert not Case.objects.exists()


def queued_job(tree, table, batch_size=3) -> ImportJob:
    job = import_job_create(actor=tree.people["admin"], upload=SimpleUploadedFile("t.csv", csv_bytes(table)))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED, batch_size=batch_size)
    return job


def test_a_job_whose_worker_died_is_recovered_and_resumes_after_its_batches(
    tree, monkeypatch, django_capture_on_commit_callbacks
):
    table = rows(8, numbered=False)  # no ticket numbers: only the job's batch count keeps rows from repeating
    job = queued_job(tree, table)
    crash_in_batch(monkeypatch, 2)
    with pytest.raises(CrashError):
        import_job_run(job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.status, job.batches_done, job.processed, job.created_count) == (ImportJobStatus.RUNNING, 1, 3, 3)
    assert not job.is_stalled and import_jobs_recover() == []  # alive as far as anyone can tell
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=job.heartbeat_at - timedelta(minutes=6))
    job.refresh_from_db()
    assert job.is_stalled and job.is_resumable
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.batches_done, job.processed, job.total) == (ImportJobStatus.DONE, 3, 8, 8)
    assert job.attempt == 2 and job.created_count == 8
    assert sorted(Case.objects.values_list("text", flat=True)) == sorted(row[1] for row in table)  # none twice


def test_a_run_whose_job_was_taken_over_commits_nothing_more(tree, monkeypatch):
    job = queued_job(tree, rows(6))
    original = ticket_import._batch_write

    def write(batch, **kwargs):
        if kwargs["number"] == 2:  # meanwhile the job was recovered and claimed by another run
            ImportJob.objects.filter(pk=job.pk).update(attempt=job.attempt + 5)
        return original(batch, **kwargs)

    monkeypatch.setattr(ticket_import, "_batch_write", write)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.batches_done == 1 and Case.objects.count() == 3  # batch 2 was undone: not this run's job any more
    assert job.status == ImportJobStatus.RUNNING  # the other run finishes it


def test_a_stalled_job_is_resumed_from_its_page(tree, login, monkeypatch, django_capture_on_commit_callbacks):
    job = queued_job(tree, rows(7))
    crash_in_batch(monkeypatch, 3)
    with pytest.raises(CrashError):
        import_job_run(job.pk)
    monkeypatch.undo()
    client = login(tree.people["admin"])
    url = reverse("cases:import_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'data-stalled="0"' in page and "btn-resume" not in page and 'hx-trigger="every 1s"' in page
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=job.created_at - timedelta(minutes=6))
    page = client.get(url).content.decode()
    assert 'data-stalled="1"' in page and "btn-resume" in page and 'hx-trigger="every 1s"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"resume": "1"}).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.batches_done, job.created_count) == (ImportJobStatus.DONE, 3, 7)
    assert 'data-status="done"' in client.get(url).content.decode() and Case.objects.count() == 7
