"""Storage accounting as the job's closing task."""

from __future__ import annotations

import uuid

from prefect import get_run_logger, task

from reelflow.services.accounting import Usage, account
from reelflow.settings import Settings


@task(name="account-storage", retries=2, retry_delay_seconds=1)
def account_storage(settings: Settings, job_id: uuid.UUID | None = None) -> Usage:
    """Returns the MediaStorage counters per type after checking the job's files; a file
    that changed after it was counted is counted again, with a warning."""
    usage, corrections = account(settings, job_id)
    for line in corrections:
        get_run_logger().warning("recounted a file that changed after it was recorded: %s", line)
    return usage
