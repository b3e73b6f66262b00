"""Metadata verification as a task."""

from __future__ import annotations

from prefect import task

from reelflow.services.compose import RenderPlan
from reelflow.services.verify import verify
from reelflow.settings import Settings


@task(name="verify-video", retries=1, retry_delay_seconds=1)
def verify_video(settings: Settings, plan: RenderPlan) -> dict[str, object]:
    """Probes the rendered file and completes its row; raises VerificationFailed."""
    return verify(settings, plan)
