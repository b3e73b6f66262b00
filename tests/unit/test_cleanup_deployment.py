"""The cleanup-media deployment in prefect.yaml: a daily schedule and a flow that loads."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import yaml
from prefect.cli.deploy._models import PrefectYamlModel

ROOT = Path(__file__).resolve().parents[2]


def test_cleanup_media_is_deployed_daily_at_three_on_the_reelflow_pool_one_run_at_a_time(
) -> None:
    config = PrefectYamlModel.model_validate(yaml.safe_load((ROOT / "prefect.yaml").read_text()))
    deployment = next(d for d in config.deployments if d.name == "cleanup-media")
    assert deployment.entrypoint == "reelflow.flows.cleanup_media.cleanup_media"
    assert deployment.work_pool is not None and deployment.work_pool.name == "reelflow"
    assert [s.cron for s in deployment.schedules or []] == ["0 3 * * *"]
    assert deployment.concurrency_limit == 1


def test_the_cleanup_flow_takes_only_json_parameters_with_defaults() -> None:
    from reelflow.flows.cleanup_media import cleanup_media

    assert cleanup_media.name == "cleanup-media"
    parameters = inspect.signature(cleanup_media.fn).parameters.values()
    defaults = {p.name: p.default for p in parameters}
    assert inspect.Parameter.empty not in defaults.values()
    assert json.loads(json.dumps(defaults)) == defaults
    assert (defaults["dry_run"], defaults["grace_hours"]) == (False, 1.0)
