"""Metadata verification as a task."""

from __future__ import annotations

from prefect import task

from reelflow.services.compose import RenderPlan
from reelflow.services.verify import verify
from reelflow.settings import Settings


@task(name="verify-video", retries=1, retry_delay_seconds=1)
def verify_video(settings: Settings, plan: RenderPlan) -> list[dict[str, object]]:
    """Probes every rendered file and completes their rows; raises VerificationFailed."""
    return verify(settings, plan)
