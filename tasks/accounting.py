"""Storage accounting: MediaStorage counters set to what each folder really holds."""

from __future__ import annotations

from prefect import task

from deployments.settings import Settings
from storage.accounting import measure
from tasks.runtime import database, layout


@task(name="account-storage", retries=2, retry_delay_seconds=1)
def account_storage(settings: Settings) -> dict[str, dict[str, int]]:
    """Rescans every storage folder and stores its bytes and file count; returns them per type."""
    media = layout(settings)
    usage: dict[str, dict[str, int]] = {}
    with database(settings).unit_of_work() as uow:
        uow.storage.ensure_defaults(media.root)
        for row in uow.storage.all():
            size, files = measure(media.folder(row.storage_type))
            uow.storage.set_usage(row.storage_type, size, files)
            usage[str(row.storage_type)] = {"bytes": size, "files": files}
        uow.commit()
    return usage
