"""A job with background music and crossfades, run by the real flow with the real voice: the
music is an asset of the job, counted in storage, and every video meets the loudness targets
and keeps every cut on its frame."""

from __future__ import annotations

import re
import subprocess
import uuid
from itertools import pairwise
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from sqlalchemy import select

from reelflow.db.models import MediaStorage
from reelflow.db.session import Database
from reelflow.db.states import AssetType, SourceType
from reelflow.engine.ffmpeg import ffmpeg_exe, run_ffmpeg
from reelflow.engine.probe import probe
from reelflow.flows.generate_video import generate_video
from reelflow.services.library import ingest
from reelflow.settings import Settings
from reelflow.storage.accounting import measure
from reelflow.storage.layout import MediaLayout

pytestmark = pytest.mark.usefixtures("prefect_server")


def ebur128(path: Path) -> tuple[float, float]:
    report = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
         "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True,
        check=True).stderr
    summary = report[report.rindex("Summary:"):]
    loudness = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert loudness is not None and peak is not None
    return float(loudness.group(1)), float(peak.group(1))


def test_a_job_with_music_and_crossfades_records_its_music_and_meets_the_targets(
        settings: Settings, tmp_path: Path) -> None:
    song = tmp_path / "theme.flac"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=3",
                "-ac", "2", "-c:a", "flac", str(song)], what="making music")
    upload = ingest(settings, song, original_name="theme.flac", session_id="s",
                    keep_source=True)
    script = (f"---\nmusic: asset:{upload.asset_id}\nmusic_volume: -15\n"
              "transition: crossfade\ntransition_seconds: 0.4\nformats: [mp4, webm]\n---\n"
              "# Music\n\n## One\nHello there.\n\n## Two\nAnd a second scene.\n")
    result: dict[str, Any] = generate_video(script=script, custom_resolution="320x180",
                                            quality_preset="draft")
    assert result["status"] == "COMPLETED"
    for video in result["videos"]:
        path = Path(video["file_path"])
        loudness, peak = ebur128(path)
        assert -17.0 <= loudness <= -15.0 and peak <= -1.0, video["format"]
        with av.open(str(path)) as container:
            assert container.streams.audio[0].codec_context.channels == 2
        found = probe(path)
        assert abs(found.audio_duration - found.video_duration) < 0.1
    database = Database.open(settings.database_url)
    media = MediaLayout(settings.media_root)
    job_id = uuid.UUID(result["job_id"])
    with database.unit_of_work() as uow:
        music = [a for a in uow.assets.for_job(job_id)
                 if a.asset_type == AssetType.AUDIO and a.asset_metadata.get("role") == "music"]
        assert len(music) == 1
        asset = music[0]
        assert asset.source_type == SourceType.USER_UPLOADED
        assert asset.file_path == str(media.music(job_id, ".flac"))
        assert Path(asset.file_path).read_bytes() == Path(upload.file_path).read_bytes()
        assert asset.duration == pytest.approx(3.0, abs=0.05)
        assert asset.asset_metadata["source"] == f"asset:{upload.asset_id}"
        job = uow.jobs.get(job_id)
        assert job.composition_settings is not None
        assert (job.composition_settings["music_volume"], job.composition_settings["transition"],
                job.composition_settings["transition_seconds"]) == (-15.0, "crossfade", 0.4)
        rows = {row.storage_type: row for row in uow.session.scalars(select(MediaStorage))}
        spoken = sorted((a.asset_metadata["scene"], a.duration) for a in uow.assets.for_job(
            job_id) if a.asset_type == AssetType.AUDIO and "scene" in a.asset_metadata)
    for kind, row in rows.items():  # the copy is counted like every other file
        assert (row.total_size_bytes, row.file_count) == measure(media.folder(kind)), kind
    # Scene 2 starts where scene 1's narration and pause end; the 0.4 s (10 frames) before
    # it blend scene 1's slide into scene 2's, a little more at every frame.
    cut, fade = round((spoken[0][1] + 0.6) * 24), round(0.4 * 24)
    for video in result["videos"]:
        with av.open(video["file_path"]) as container:
            frames = [f.to_ndarray(format="gray").astype(float)
                      for f in container.decode(video=0)]
        leaving, entering = frames[cut - fade - 1], frames[cut]
        towards = entering - leaving
        weights = [float(((frames[cut - fade + i] - leaving) * towards).sum()
                         / (towards * towards).sum()) for i in range(fade)]
        assert all(b > a for a, b in pairwise(weights)), weights
        assert abs(weights[0] - 1 / 11) < 0.05 and abs(weights[-1] - 10 / 11) < 0.05, weights
        assert np.abs(frames[cut - fade - 2] - leaving).mean() < 1  # still scene 1 before
