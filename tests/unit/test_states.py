"""The job and video lifecycles: every move the spec allows, and every one it does not."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from reelflow.db import states
from reelflow.db.states import (
    JOB_TRANSITIONS,
    TERMINAL_JOB_STATES,
    TERMINAL_VIDEO_STATES,
    VIDEO_TRANSITIONS,
    JobStatus,
    VideoStatus,
    transition_job,
    transition_video,
)
from reelflow.errors import InvalidTransition

# The arrows of spec/data-model.md's diagrams, written out independently of states.py.
JOB_ARROWS = {
    (JobStatus.PENDING, JobStatus.MEDIA_GENERATION),
    (JobStatus.PENDING, JobStatus.FAILED),
    (JobStatus.MEDIA_GENERATION, JobStatus.VIDEO_COMPOSITION),
    (JobStatus.MEDIA_GENERATION, JobStatus.FAILED),
    (JobStatus.VIDEO_COMPOSITION, JobStatus.COMPLETED),
    (JobStatus.VIDEO_COMPOSITION, JobStatus.FAILED),
}
VIDEO_ARROWS = {
    (VideoStatus.PENDING, VideoStatus.GENERATING),
    (VideoStatus.PENDING, VideoStatus.FAILED),
    (VideoStatus.GENERATING, VideoStatus.COMPLETED),
    (VideoStatus.GENERATING, VideoStatus.FAILED),
}
JOB_PAIRS = list(itertools.product(JobStatus, repeat=2))
VIDEO_PAIRS = list(itertools.product(VideoStatus, repeat=2))


def _id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.mark.parametrize("pair", [p for p in JOB_PAIRS if p in JOB_ARROWS], ids=_id)
def test_a_job_moves_along_every_arrow_of_its_diagram(pair: tuple[JobStatus, JobStatus]) -> None:
    current, target = pair
    assert transition_job(current, target) is target


@pytest.mark.parametrize(
    "pair",
    [
        p
        for p in JOB_PAIRS
        if p not in JOB_ARROWS and not (p[0] == p[1] and p[0] not in TERMINAL_JOB_STATES)
    ],
    ids=_id,
)
def test_a_job_refuses_every_move_its_diagram_lacks(pair: tuple[JobStatus, JobStatus]) -> None:
    current, target = pair
    with pytest.raises(InvalidTransition) as refused:
        transition_job(current, target)
    assert str(current) in str(refused.value) and str(target) in str(refused.value)


@pytest.mark.parametrize("pair", [p for p in VIDEO_PAIRS if p in VIDEO_ARROWS], ids=_id)
def test_a_video_moves_along_every_arrow_of_its_diagram(
    pair: tuple[VideoStatus, VideoStatus],
) -> None:
    current, target = pair
    assert transition_video(current, target) is target


@pytest.mark.parametrize(
    "pair",
    [
        p
        for p in VIDEO_PAIRS
        if p not in VIDEO_ARROWS and not (p[0] == p[1] and p[0] not in TERMINAL_VIDEO_STATES)
    ],
    ids=_id,
)
def test_a_video_refuses_every_move_its_diagram_lacks(
    pair: tuple[VideoStatus, VideoStatus],
) -> None:
    current, target = pair
    with pytest.raises(InvalidTransition) as refused:
        transition_video(current, target)
    assert str(current) in str(refused.value) and str(target) in str(refused.value)


@pytest.mark.parametrize(
    "status", [JobStatus.PENDING, JobStatus.MEDIA_GENERATION, JobStatus.VIDEO_COMPOSITION]
)
def test_moving_a_running_job_to_its_own_status_is_a_no_op(status: JobStatus) -> None:
    assert transition_job(status, status) is status


@pytest.mark.parametrize("status", [VideoStatus.PENDING, VideoStatus.GENERATING])
def test_moving_a_running_video_to_its_own_status_is_a_no_op(status: VideoStatus) -> None:
    assert transition_video(status, status) is status


def test_completed_and_failed_are_the_terminal_job_states() -> None:
    assert {JobStatus.COMPLETED, JobStatus.FAILED} == TERMINAL_JOB_STATES


def test_completed_and_failed_are_the_terminal_video_states() -> None:
    assert {VideoStatus.COMPLETED, VideoStatus.FAILED} == TERMINAL_VIDEO_STATES


@pytest.mark.parametrize(
    "pair", list(itertools.product(sorted(TERMINAL_JOB_STATES), JobStatus)), ids=_id
)
def test_a_finished_job_can_never_change_status(pair: tuple[JobStatus, JobStatus]) -> None:
    with pytest.raises(InvalidTransition, match="terminal"):
        transition_job(*pair)


@pytest.mark.parametrize(
    "pair", list(itertools.product(sorted(TERMINAL_VIDEO_STATES), VideoStatus)), ids=_id
)
def test_a_finished_video_can_never_change_status(pair: tuple[VideoStatus, VideoStatus]) -> None:
    with pytest.raises(InvalidTransition, match="terminal"):
        transition_video(*pair)


def test_the_transition_tables_cover_every_status() -> None:
    assert set(JOB_TRANSITIONS) == set(JobStatus)
    assert set(VIDEO_TRANSITIONS) == set(VideoStatus)


def test_the_transition_tables_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        JOB_TRANSITIONS[JobStatus.COMPLETED] = frozenset({JobStatus.PENDING})  # type: ignore[index]


def test_a_failed_job_cannot_be_completed() -> None:
    with pytest.raises(InvalidTransition, match="FAILED to COMPLETED"):
        transition_job(JobStatus.FAILED, JobStatus.COMPLETED)


def test_a_job_cannot_skip_media_generation() -> None:
    with pytest.raises(InvalidTransition, match="allowed from PENDING: FAILED, MEDIA_GENERATION"):
        transition_job(JobStatus.PENDING, JobStatus.VIDEO_COMPOSITION)


def test_statuses_are_their_own_names_as_strings() -> None:
    assert JobStatus("MEDIA_GENERATION") is JobStatus.MEDIA_GENERATION
    assert f"{VideoStatus.GENERATING}" == "GENERATING"


def test_the_lifecycle_module_imports_no_database_or_orchestration_library() -> None:
    tree = ast.parse(Path(states.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in {"sqlalchemy", "prefect"}}
