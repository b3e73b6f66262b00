"""A job's heartbeat: while a worker runs the job, it stamps heartbeat_at every few seconds.

A job whose heartbeat stops (its worker was killed outright, so no hook could run) is failed by
the reconciler once the heartbeat is older than the timeout.
"""

from __future__ import annotations

import threading
import uuid
from types import TracebackType

from reelflow.services.runtime import database, utcnow
from reelflow.settings import Settings

DEFAULT_INTERVAL_SECONDS = 10.0


class JobHeartbeat:
    """Beats for ``job_id`` in a background thread from ``__enter__`` to ``__exit__``."""

    def __init__(self, settings: Settings, job_id: uuid.UUID,
                 interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._settings = settings
        self._job_id = job_id
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-heartbeat", daemon=True)

    def beat(self) -> None:
        """Stamps the job's heartbeat now, unless the job has ended."""
        with database(self._settings).unit_of_work() as uow:
            job = uow.jobs.find(self._job_id)
            if job is not None and not job.is_finished:
                job.heartbeat_at = utcnow()
                uow.commit()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.beat()
            except Exception:  # a missed beat is harmless; the next one may get through
                continue

    def __enter__(self) -> JobHeartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
