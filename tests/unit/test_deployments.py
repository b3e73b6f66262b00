"""Every deployment loads, and the run form Prefect builds from it is usable by a person."""

from typing import Any

import pytest
from prefect.utilities.callables import parameter_schema

from reelflow.deployments.serve import CLEANUP, CLEANUP_CRON, GENERATE, deployments
from reelflow.flows.cleanup_media import cleanup_media
from reelflow.flows.generate_video import generate_video


def _properties(flow: Any) -> dict[str, Any]:
    return dict(parameter_schema(flow.fn).model_dump()["properties"])


@pytest.mark.parametrize("flow", [generate_video, cleanup_media])
def test_every_parameter_has_a_description_in_the_run_form(flow: Any) -> None:
    for name, spec in _properties(flow).items():
        assert len(spec.get("description") or "") > 10, name


def test_resolution_and_quality_are_choices_with_the_defaults_first() -> None:
    props = _properties(generate_video)
    choices = {name: next(option["enum"] for option in props[name]["anyOf"] if "enum" in option)
               for name in ("resolution", "quality_preset")}
    assert choices["resolution"][0] == "1280x720" and "1920x1080" in choices["resolution"]
    assert choices["quality_preset"] == ["draft", "standard", "high"]
    assert props["session_id"]["default"] == "default"
    assert props["script"]["format"] == "text"


def test_both_deployments_load_with_their_names_and_the_daily_cleanup() -> None:
    built = {d.name: d for d in deployments()}
    assert set(built) == {GENERATE, CLEANUP}
    assert built[GENERATE].flow_name == "generate-video"
    assert built[CLEANUP].flow_name == "cleanup-media"
    schedules = built[CLEANUP].schedules or []
    assert [s.schedule.cron for s in schedules] == [CLEANUP_CRON]  # type: ignore[union-attr]
    assert not built[GENERATE].schedules
