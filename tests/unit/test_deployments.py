"""Every deployment loads, and the run form Prefect builds from it is usable by a person."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.utilities.callables import parameter_schema

from reelflow.deployments.definitions import CLEANUP, GENERATE
from reelflow.deployments.serve import deployments
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


ROOT = Path(__file__).resolve().parents[2]


def _pool_deployments() -> dict[str, Any]:
    # Read the way `prefect deploy --all` reads it, with Prefect's own model of the file.
    config = PrefectYamlModel.model_validate(yaml.safe_load((ROOT / "prefect.yaml").read_text()))
    return {d.name: d for d in config.deployments}


def test_both_deployments_load_with_their_names_and_the_daily_cleanup() -> None:
    built = {d.name: d for d in deployments()}
    assert set(built) == {GENERATE, CLEANUP}
    assert built[GENERATE].flow_name == "generate-video"
    assert built[CLEANUP].flow_name == "cleanup-media"
    schedules = built[CLEANUP].schedules or []
    assert [s.schedule.cron for s in schedules] == ["0 3 * * *"]  # type: ignore[union-attr]
    assert not built[GENERATE].schedules


def test_the_served_deployments_agree_with_the_work_pool_ones_in_prefect_yaml() -> None:
    served = {d.name: d for d in deployments()}
    pool = _pool_deployments()
    assert set(served) == set(pool)
    for name, declared in pool.items():
        mine = served[name]
        assert mine.entrypoint == declared.entrypoint, name
        assert mine.description == " ".join((declared.description or "").split()), name
        assert sorted(mine.tags) == sorted(declared.tags or []), name
        assert mine.parameters == (declared.parameters or {}), name
        limit = mine.concurrency_limit
        assert limit == declared.concurrency_limit, name
        assert [(s.schedule.cron, s.schedule.timezone)  # type: ignore[union-attr]
                for s in mine.schedules or []] == [
            (s.cron, s.timezone or "UTC") for s in declared.schedules or []], name


def test_one_cleanup_at_a_time_holds_in_the_embedded_mode_too() -> None:
    served = {d.name: d for d in deployments()}
    assert served[CLEANUP].concurrency_limit == 1
