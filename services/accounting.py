"""Storage accounting at the end of a job: its files checked against the disk, the counters."""

from __future__ import annotations

import uuid

from reelflow.services.runtime import database, layout
from reelflow.settings import Settings
from reelflow.storage.accounting import check_job_files

Usage = dict[str, dict[str, int]]


def account(settings: Settings, job_id: uuid.UUID | None = None) -> tuple[Usage, list[str]]:
    """Returns the MediaStorage counters per type (bytes, files) and the corrections made.

    Each file was counted when it was recorded (storage.accounting), so nothing is rescanned;
    given the job, its recorded files are checked against the disk and any that changed after
    being counted is counted again (one line per correction).
    """
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        corrections = check_job_files(uow, media, job_id) if job_id is not None else []
        usage = {str(row.storage_type): {"bytes": row.total_size_bytes or 0,
                                         "files": row.file_count or 0}
                 for row in uow.storage.all()}
        uow.commit()
    return usage, corrections
