"""Where a job's tasks run, chosen from the settings when each run starts.

Prefect 3 fixes a flow's task runner where the flow is defined, and one deployment serves
every run. Prefect starts each run on ``task_runner.duplicate()``, a fresh runner "with the
same configuration"; ``SettingsTaskRunner`` answers that call with the runner the settings
name at that moment (reelflow/settings.py): a ThreadPoolTaskRunner (the default), or
prefect-dask's DaskTaskRunner on the scheduler at REELFLOW_DASK_ADDRESS, or on a LocalCluster
of REELFLOW_DASK_WORKERS processes made for the run and closed with it. So one deployment
serves both, and the choice is the operator's, per machine, without code.
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from reelflow.errors import InvalidArgument
from reelflow.settings import Settings


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """Returns a new task runner as ``settings`` ask. Raises InvalidArgument when they ask for
    Dask and prefect-dask is not installed (the ``dask`` extra)."""
    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner()
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError as exc:
        raise InvalidArgument("REELFLOW_TASK_RUNNER=dask needs prefect-dask: install reelflow "
                              "with its dask extra (pip install 'reelflow[dask]')") from exc
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    # Processes, one thread each: the encoders and the voice hold the GIL in places, and a
    # task per CPU is what the machine can run. No dashboard: it would claim a fixed port.
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": settings.dask_workers, "threads_per_worker": 1, "processes": True,
        "dashboard_address": None})


class SettingsTaskRunner(TaskRunner[Any]):
    """A placeholder whose ``duplicate`` is the task runner the settings name when a run
    starts; it never runs a task itself."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def duplicate(self) -> TaskRunner[Any]:  # type: ignore[override]
        # Why not Self: the run's runner is another class (threads or Dask); Prefect enters
        # and uses whatever duplicate returns.
        return task_runner(Settings.from_env())

    def submit(self, task: Any, parameters: dict[str, Any], wait_for: Any = None,
               dependencies: Any = None) -> Any:
        raise RuntimeError("SettingsTaskRunner only chooses a runner; Prefect runs the tasks "
                           "of a run on its duplicate()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SettingsTaskRunner)

    def __hash__(self) -> int:
        return hash(SettingsTaskRunner)
