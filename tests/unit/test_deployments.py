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
from reelflow.vocabulary import (
    CAPTIONS,
    DEFAULT_CAPTIONS,
    DEFAULT_MOTION,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    MOTIONS,
    QUALITIES,
    RESOLUTIONS,
)


def _properties(flow: Any) -> dict[str, Any]:
    return dict(parameter_schema(flow.fn).model_dump()["properties"])


@pytest.mark.parametrize("flow", [generate_video, cleanup_media])
def test_every_parameter_has_a_description_in_the_run_form(flow: Any) -> None:
    for name, spec in _properties(flow).items():
        assert len(spec.get("description") or "") > 10, name


def test_the_run_form_has_no_none_toggles_and_every_field_starts_on_its_default() -> None:
    props = _properties(generate_video)
    for name, spec in props.items():
        assert "anyOf" not in spec, name
        assert spec.get("type") in ("string", "boolean", "integer", "number", "array"), name
        assert "default" in spec, name
    expected = {"resolution": (RESOLUTIONS, DEFAULT_RESOLUTION),
                "quality_preset": (QUALITIES, DEFAULT_QUALITY),
                "captions": (CAPTIONS, DEFAULT_CAPTIONS), "motion": (MOTIONS, DEFAULT_MOTION)}
    for name, (choices, default) in expected.items():
        assert props[name]["enum"] == list(choices), name
        assert props[name]["default"] == default, name
    assert props["resolution"]["enum"][0] == "1280x720" and props["quality_preset"]["enum"] == [
        "draft", "standard", "high"]
    assert props["session_id"]["default"] == "default"
    assert props["include_audio"]["default"] is True
    assert props["formats"]["default"] == ["mp4"]
    assert props["formats"]["items"]["enum"] == ["mp4", "webm"]
    assert props["caption_position"]["default"] == "bottom"
    assert props["poster_scene"]["default"] == 1
    assert props["language"]["default"] == "en" and "pattern" in props["language"]


def test_an_empty_script_is_refused_by_the_schema_before_a_run_exists() -> None:
    import jsonschema

    schema = parameter_schema(generate_video.fn).model_dump_for_openapi()
    with pytest.raises(jsonschema.ValidationError, match=r"should be non-empty|is too short"):
        jsonschema.validate({"script": "", "session_id": "x"}, schema)
    jsonschema.validate({"script": "# Hi\n\nHello."}, schema)
    jsonschema.validate({"script_path": "/srv/scripts/hello.md"}, schema)  # the API's way
    jsonschema.validate({"script": "# Hi\n\nHello.", "language": "zh-Hant"}, schema)
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        jsonschema.validate({"script": "# Hi\n\nHello.", "language": "Japanese!"}, schema)


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


def test_one_cleanup_at_a_time_holds_in_every_mode_and_agrees_with_the_cleanup_lock() -> None:
    from reelflow.tasks.cleanup import CLEANUP_LOCK_SLOTS

    served = {d.name: d for d in deployments()}
    assert served[CLEANUP].concurrency_limit == 1
    # The deployment's limit queues its own runs; the lock, taken inside the flow, also
    # covers `reelflow cleanup` and the other mode's deployment: both allow one.
    assert _pool_deployments()[CLEANUP].concurrency_limit == CLEANUP_LOCK_SLOTS == 1


def test_the_served_runner_asks_for_new_runs_more_than_once_a_second_and_holds_the_flows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect's runner polls every ten seconds by default, and its setting is read when Prefect
    is imported: a run created over the API must not wait for that. Each deployment is added
    with its flow, so runs fork from the warm server instead of starting a new interpreter."""
    import prefect.runner

    import reelflow.deployments.serve as serving

    seen: dict[str, Any] = {"flows": []}

    class Runner:
        def __init__(self, **options: Any) -> None:
            seen.update(options)

        def add_flow(self, flow: Any, **options: Any) -> None:
            seen["flows"].append((flow.name, options["name"], options["concurrency_limit"]))

        async def start(self) -> None:
            seen["started"] = True

    monkeypatch.setattr(serving, "start_warm_runs", lambda: None)
    monkeypatch.setattr(prefect.runner, "Runner", Runner)
    serving.serve_deployments(limit=3)
    assert [name for _, name, _ in seen["flows"]] == [GENERATE, CLEANUP]
    assert [flow for flow, _, _ in seen["flows"]] == ["generate-video", "cleanup-media"]
    assert dict((name, limit) for _, name, limit in seen["flows"])[CLEANUP] == 1
    assert 0 < seen["query_seconds"] <= 1 and seen["limit"] == 3 and seen["started"]
    assert seen["pause_on_shutdown"] is False


def test_a_served_flow_reaches_its_run_process_by_reference_not_as_a_copy() -> None:
    """A copy of the flow's function keeps only the globals its code uses: its parameters'
    Annotated would not resolve in the run's process, and Prefect's check would fail."""
    import cloudpickle

    from reelflow.deployments.serve import _sent_by_reference
    from reelflow.flows.generate_video import generate_video

    function = _sent_by_reference(generate_video).fn
    assert cloudpickle.loads(cloudpickle.dumps(function)) is function
    assert _sent_by_reference(generate_video).fn.__qualname__ == "generate_video.fn"
