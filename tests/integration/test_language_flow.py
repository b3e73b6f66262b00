"""A script in another language through the generate-video flow, with the network out of reach.

Tests never use the network: every HTTP(S) request (gTTS's included) goes to a proxy address
where nothing listens, as on a machine without internet, while the Prefect test server stays
reachable. The job must fail at once, name the missing voice, and never narrate with the
English voice.
"""

from __future__ import annotations

import socket

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlalchemy import select

from reelflow.db.models import MediaAsset
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus
from reelflow.errors import VoiceUnavailable
from reelflow.flows.generate_video import generate_video
from reelflow.settings import Settings

JAPANESE = "title: 日本語の動画\nscenes:\n  - こんにちは。元気ですか。\n  - さようなら。\n"

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"  # closed again: nothing listens
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, closed)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost,::1")


@pytest.mark.usefixtures("offline")
def test_a_japanese_script_without_network_fails_at_once_naming_the_missing_voice(
        settings: Settings) -> None:
    state = generate_video(script=JAPANESE, language="ja", custom_resolution="320x180",
                           quality_preset="draft", return_state=True)
    assert state.is_failed()
    with pytest.raises(VoiceUnavailable, match=r"Japanese \('ja'\) voice \(gtts\) needs the "
                                               r"network and cannot reach it"):
        state.result()
    run_id = state.state_details.flow_run_id
    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.FAILED
        assert "voice (gtts) needs the network" in (job.error_message or "")
        assert (job.composition_settings or {})["language"] == "ja"
        assert (job.composition_settings or {})["tts"] == "gtts"
        audio = uow.session.scalars(select(MediaAsset).where(
            MediaAsset.generation_job_id == run_id, MediaAsset.asset_type == AssetType.AUDIO)).all()
        assert audio == []  # nothing was narrated, by the English voice or any other
        assert uow.videos.get_for_job(run_id) is None
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    narrations = [run for run in runs if run.name.startswith("narrate scene")]
    assert narrations and all(run.run_count == 1 for run in narrations)  # not retried


def test_a_run_form_language_narrates_with_gtts_and_the_piper_chain_is_refused_before_a_job(
        settings: Settings) -> None:
    state = generate_video(script=JAPANESE, language="ja", tts="gtts,piper", return_state=True)
    assert state.is_failed()
    assert "the piper voice speaks English only" in (state.message or "")
    with Database.open(settings.database_url).unit_of_work() as uow:
        assert uow.session.scalars(select(MediaAsset)).all() == []
