"""Storage accounting: the closing check of a job's files, and the counters it reports."""

from __future__ import annotations

import uuid

from prefect import get_run_logger, task

from deployments.settings import Settings
from storage.accounting import check_job_files
from tasks.runtime import database, layout


@task(name="account-storage", retries=2, retry_delay_seconds=1)
def account_storage(settings: Settings,
                    job_id: uuid.UUID | None = None) -> dict[str, dict[str, int]]:
    """Returns the MediaStorage counters per type after the job's files were counted.

    Each file was counted when it was recorded (storage.accounting), so nothing is rescanned;
    given the job, its recorded files are checked against the disk and any that changed after
    being counted is counted again (with a warning).
    """
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        corrections = check_job_files(uow, media, job_id) if job_id is not None else []
        usage = {str(row.storage_type): {"bytes": row.total_size_bytes or 0,
                                         "files": row.file_count or 0}
                 for row in uow.storage.all()}
        uow.commit()
    for line in corrections:
        get_run_logger().warning("recounted a file that changed after it was recorded: %s", line)
    return usage
