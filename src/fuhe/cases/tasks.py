"""Background timers of the closed loop, run by the huey consumer (`fuhe serve` starts one)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fuhe.cases.events import ImportJobQueued
from fuhe.cases.services.import_jobs import import_job_run, import_jobs_recover
from fuhe.cases.services.lifecycle import cases_overdue_sweep, cases_unrated_close


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> dict[str, int]:
    """Every minute: warn owners before the resolution deadline, escalate cases past it, and close as 未评价 the
    replied cases nobody rated within the rating window."""
    return {**cases_overdue_sweep(), **cases_unrated_close()}


@db_periodic_task(crontab(minute="*"))
def recover_import_jobs() -> list[int]:
    """Every minute: queue again the imports whose worker died (silent for ``ImportJob.STALLED_AFTER``); each
    resumes after its committed batches."""
    return import_jobs_recover()


@db_task()
def run_import_job(job_id: int) -> None:
    import_job_run(job_id)


def on_import_job_queued(event: ImportJobQueued) -> None:
    """Queue the import for the worker (runs it now when tasks run immediately)."""
    run_import_job(event.job_id)
