"""MP4 and WebM of one job, each with its poster, and the captions as files beside them:
rendered by the real flow, checked by probing and decoding, then kept and removed by retention
together with their job."""

from __future__ import annotations

import re
import time
import uuid
from itertools import pairwise
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from reelflow.db.models import GeneratedVideo, MediaAsset, MediaStorage, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, StorageType
from reelflow.engine.poster import frame_at
from reelflow.engine.probe import probe
from reelflow.flows.generate_video import generate_video
from reelflow.settings import Settings
from reelflow.storage.accounting import measure
from reelflow.storage.cleanup import execute
from reelflow.storage.inventory import scan, snapshot
from reelflow.storage.layout import MediaLayout
from reelflow.storage.retention import Policy, plan_cleanup
from tests.integration.seeding import age

pytestmark = pytest.mark.usefixtures("prefect_server")

SCRIPT = """---
formats: [mp4, webm]
poster_scene: 2
---
# Both formats

## First
Hello there. This is the first scene.

## Second
And this is the second one. It has two sentences.
"""


@pytest.fixture
def rendered(settings: Settings) -> dict[str, Any]:
    result: dict[str, Any] = generate_video(script=SCRIPT, custom_resolution="320x180",
                                            quality_preset="draft")
    return result


def _timestamp(text: str) -> float:
    hours, minutes, seconds = text.replace(",", ".").split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)


def _cue_file(path: Path) -> list[tuple[float, float, str]]:
    cues = []
    for block in path.read_text("utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        timing = next((n for n, line in enumerate(lines) if "-->" in line), None)
        if timing is not None:
            start, end = (part.strip() for part in lines[timing].split("-->"))
            cues.append((_timestamp(start), _timestamp(end), "\n".join(lines[timing + 1:])))
    return cues


def _embedded_cues(path: Path) -> list[tuple[float, float, str]]:
    cues = []
    with av.open(str(path)) as container:
        stream = container.streams.subtitles[0]
        for packet in container.demux(stream):
            if not packet.size or packet.pts is None:
                continue
            data = bytes(packet)
            text = data[2:2 + int.from_bytes(data[:2], "big")] if stream.codec_context.name \
                == "mov_text" else data
            if not text:
                continue  # mov_text marks the gaps between cues with empty samples
            start = packet.pts * stream.time_base
            cues.append((round(float(start), 3),
                         round(float(start + packet.duration * stream.time_base), 3),
                         text.decode("utf-8")))
    return cues


def test_one_job_makes_an_mp4_and_a_webm_each_verified_with_its_poster(
        settings: Settings, rendered: dict[str, Any]) -> None:
    videos = rendered["videos"]
    assert [video["format"] for video in videos] == ["mp4", "webm"]
    assert rendered["video"] == videos[0]
    expected = {"mp4": ("h264", "aac", "mov_text"), "webm": ("vp9", "opus", "webvtt")}
    frames = set()
    for video in videos:
        found = probe(Path(video["file_path"]))
        assert (found.video_codec, found.audio_codec, found.subtitle_codec) == expected[
            video["format"]]
        assert found.colour == (1, 1, 1, 1)  # BT.709 primaries, transfer, matrix; studio range
        assert found.size == video["file_size"] and video["url_path"].endswith(video["format"])
        with av.open(video["file_path"]) as container:
            frames.add(sum(1 for _ in container.decode(video=0)))
    assert frames == {probe(Path(videos[0]["file_path"])).frames}

    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.get(uuid.UUID(rendered["job_id"]))
        rows = uow.videos.for_job(job.id)
        assert sorted(row.format for row in rows) == ["mp4", "webm"]
        assert all(row.generation_job_id == job.id for row in rows)
        slides = sorted(a.file_path for a in uow.assets.for_job(job.id)
                        if a.asset_type == AssetType.IMAGE and a.asset_metadata.get("scene") == 2
                        and a.asset_metadata.get("role") != "poster")
    # The poster of each video is the first frame of scene 2, as that video decodes it.
    posters = {item["video"]: Path(item["file_path"]) for item in rendered["files"]
               if item["kind"] == "poster"}
    assert set(posters) == {Path(video["file_path"]).name for video in videos}
    slide = np.asarray(Image.open(slides[0]).convert("RGB"), float)
    start = _first_frame_of_scene_2(Path(videos[0]["file_path"]))
    for video in videos:
        poster = np.asarray(Image.open(posters[Path(video["file_path"]).name]), float)
        assert poster.shape == (180, 320, 3)
        decoded = frame_at(Path(video["file_path"]), start).astype(float)
        assert np.abs(poster - decoded).mean() < 2  # JPEG of that very frame
        assert np.abs(poster - slide).mean() < 6  # which shows scene 2's slide
        first = frame_at(Path(video["file_path"]), 0).astype(float)
        assert np.abs(poster - first).mean() > np.abs(poster - slide).mean()  # not scene 1's


def _first_frame_of_scene_2(video: Path) -> int:
    """The frame where the picture changes: the cut between scene 1 and scene 2."""
    with av.open(str(video)) as container:
        pictures = [f.to_ndarray(format="gray").astype(float) for f in container.decode(video=0)]
    changes = [np.abs(b - a).mean() for a, b in pairwise(pictures)]
    return int(np.argmax(changes)) + 1


def test_the_caption_files_match_the_subtitle_track_of_every_video(
        settings: Settings, rendered: dict[str, Any]) -> None:
    files = {item["kind"]: Path(item["file_path"]) for item in rendered["files"]}
    assert {"captions.srt", "captions.vtt"} <= set(files)
    srt, vtt = _cue_file(files["captions.srt"]), _cue_file(files["captions.vtt"])
    assert files["captions.vtt"].read_text("utf-8").startswith("WEBVTT\n")
    assert srt == vtt
    assert [text for _, _, text in srt] == ["Hello there.", "This is the first scene.",
                                           "And this is the second one.",
                                           "It has two sentences."]
    for video in rendered["videos"]:
        assert _embedded_cues(Path(video["file_path"])) == srt, video["format"]
    with Database.open(settings.database_url).unit_of_work() as uow:
        overlays = [a for a in uow.assets.for_job(uuid.UUID(rendered["job_id"]))
                    if a.asset_type == AssetType.TEXT_OVERLAY]
    assert sorted(a.asset_metadata["format"] for a in overlays) == ["srt", "vtt"]
    for asset in overlays:
        metadata = asset.asset_metadata
        assert {"font", "size", "color", "position"} <= set(metadata)
        assert metadata["position"] == "bottom" and metadata["cues"] == 4


def test_every_file_of_the_job_is_counted_and_goes_with_its_job(
        settings: Settings, rendered: dict[str, Any]) -> None:
    database = Database.open(settings.database_url)
    media = MediaLayout(settings.media_root)
    with database.unit_of_work() as uow:
        rows = {row.storage_type: row for row in uow.session.scalars(select(MediaStorage))}
    for kind, row in rows.items():
        assert (row.total_size_bytes, row.file_count) == measure(media.folder(kind)), kind
    beside = sorted(p.name for p in media.folder(StorageType.VIDEOS).iterdir())
    stem = Path(rendered["video"]["file_path"]).stem
    assert beside == sorted(f"{stem}{suffix}" for suffix in (
        ".mp4", ".mp4.jpg", ".srt", ".vtt", ".webm", ".webm.jpg"))

    def plan(preserve: bool) -> Any:
        records = snapshot(database, media)
        policies = {**records.policies, StorageType.VIDEOS: Policy(30, None, preserve)}
        return plan_cleanup(now=time.time(), policies=policies, files=scan(media),
                            assets=records.assets, videos=records.videos, jobs=records.jobs)

    for path in media.root.rglob("*"):
        if path.is_file():
            age(path, 40)
    kept = plan(preserve=True)
    assert not any(item.storage_type == StorageType.VIDEOS for item in kept.deletions)
    gone = plan(preserve=False)
    execute(gone, database, media)
    assert list(media.folder(StorageType.VIDEOS).iterdir()) == []
    with database.unit_of_work() as uow:
        for model in (VideoGenerationJob, GeneratedVideo, MediaAsset):
            assert uow.session.scalar(select(func.count()).select_from(model)) == 0, model
        rows = {row.storage_type: row for row in uow.session.scalars(select(MediaStorage))}
    assert (rows[StorageType.VIDEOS].total_size_bytes, rows[StorageType.VIDEOS].file_count) \
        == (0, 0)


def test_a_caption_position_and_webm_alone_come_from_the_run_form(settings: Settings) -> None:
    result = generate_video(script="# Top\n\nA caption on top.", custom_resolution="320x180",
                            quality_preset="draft", captions="burned", formats=["webm"],
                            caption_position="top", include_audio=False)
    assert [video["format"] for video in result["videos"]] == ["webm"]
    found = probe(Path(result["video"]["file_path"]))
    assert (found.video_codec, found.audio_codec, found.subtitle_codec) == ("vp9", None, None)
    first = frame_at(Path(result["video"]["file_path"]), 0).astype(float)
    with Database.open(settings.database_url).unit_of_work() as uow:
        slide = next(a.file_path for a in uow.assets.for_job(uuid.UUID(result["job_id"]))
                     if a.asset_type == AssetType.IMAGE)
    change = np.abs(first - np.asarray(Image.open(slide).convert("RGB"), float)).mean(axis=2)
    # The caption changes the top fifth of the picture and leaves the bottom fifth alone.
    assert change[:36].mean() > 4 and change[-36:].mean() < 2, (change[:36].mean(),
                                                                change[-36:].mean())
    assert re.fullmatch(r"/media/videos/top-[0-9a-f]{12}\.webm", result["video"]["url_path"])
