from datetime import UTC, datetime, timedelta

import pytest

from reelflow.services.reconcile import verdict

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TIMEOUT = timedelta(seconds=120)


@pytest.mark.parametrize(("kind", "expected"), [
    ("CRASHED", "crashed: Prefect reports the flow run Crashed"),
    ("CANCELLED", "cancelled: Prefect reports the flow run Cancelled"),
    ("FAILED", "failed: Prefect reports the flow run Failed"),
    ("COMPLETED", "failed: the flow run ended without completing the job"),
])
def test_a_run_prefect_reports_ended_fails_its_job_at_once(kind: str, expected: str) -> None:
    assert verdict((kind, kind.title()), NOW, NOW, TIMEOUT) == expected


def test_a_running_run_with_a_fresh_heartbeat_is_left_alone() -> None:
    assert verdict(("RUNNING", "Running"), NOW - timedelta(seconds=30), NOW, TIMEOUT) is None


def test_a_silent_job_is_failed_once_its_heartbeat_is_older_than_the_timeout() -> None:
    reason = verdict(("RUNNING", "Running"), NOW - timedelta(seconds=121), NOW, TIMEOUT)
    assert reason is not None and "no heartbeat for 121 s" in reason


def test_without_word_from_prefect_only_the_heartbeat_decides() -> None:
    assert verdict(None, NOW - timedelta(seconds=10), NOW, TIMEOUT) is None
    assert verdict(None, NOW - timedelta(hours=1), NOW, TIMEOUT) is not None
