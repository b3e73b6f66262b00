"""The user's own media through the real flow: a clip plays, recorded narration speaks and
sets its scene's length, a stock picture is shown whole on a blurred fill, used by two jobs
from one stored file that retention keeps while a video uses it; and every file a script names
is judged before a job exists."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from sqlalchemy import func, select

from reelflow.db.models import MediaAsset, VideoGenerationJob, video_assets
from reelflow.db.repositories import INGEST_KEY
from reelflow.db.session import Database
from reelflow.db.states import AssetType, SourceType, StorageType
from reelflow.engine.timeline import plan_timeline
from reelflow.flows.generate_video import generate_video
from reelflow.services import stock
from reelflow.services.removal import remove_video
from reelflow.services.reports import job_detail
from reelflow.settings import Settings
from reelflow.storage.cleanup import execute
from reelflow.storage.inventory import scan, snapshot
from reelflow.storage.layout import MediaLayout
from reelflow.storage.retention import Policy, plan_cleanup
from tests.footage import PALETTE, decoded_audio, palette_clip, peak_frequency, portrait, tone_wav
from tests.integration.seeding import age

pytestmark = pytest.mark.usefixtures("prefect_server")
FPS = 24


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24").astype(float)
                for frame in container.decode(video=0)]


def assets_of(settings: Settings, job_id: str) -> list[MediaAsset]:
    with Database.open(settings.database_url).unit_of_work() as uow:
        return uow.assets.for_job(uuid.UUID(job_id))


def scene_starts(settings: Settings, job_id: str) -> list[int]:
    """Each scene's first frame, from the job's recorded narration lengths."""
    spoken = sorted((a.asset_metadata["scene"], a.duration) for a in assets_of(settings, job_id)
                    if a.asset_type == AssetType.AUDIO)
    return [slot.start_frame for slot in plan_timeline([d for _, d in spoken], fps=FPS,
                                                        pause_seconds=0.6)]


@pytest.fixture
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of the user's own media that scripts there may read (REELFLOW_SCRIPT_DIRS)."""
    folder = tmp_path / "show"
    folder.mkdir()
    monkeypatch.setenv("REELFLOW_SCRIPT_DIRS", str(folder))
    palette_clip(folder / "surf.mp4", fps=6, tone=440.0)
    tone_wav(folder / "voice.wav", seconds=1.5, frequency=660.0)
    portrait(folder / "tall.png")
    (folder / "notes.txt").write_text("not a video\n")
    return folder


def test_a_recorded_narration_sets_its_scene_and_a_clip_plays_its_own_frames(
        settings: Settings, show: Path) -> None:
    script = show / "own.yaml"
    script.write_text("""title: Own media
settings: {resolution: 320x180, quality: draft, captions: off, clip_audio: mix}
scenes:
  - narration: Words I recorded myself.
    audio: voice.wav
  - narration: A clip of the sea.
    clip: surf.mp4
""")
    result: dict[str, Any] = generate_video(script_path=str(script))
    assets = assets_of(settings, result["job_id"])
    voice = next(a for a in assets if a.asset_type == AssetType.AUDIO
                 and a.asset_metadata["scene"] == 1)
    assert voice.source_type == SourceType.USER_UPLOADED
    assert voice.duration == pytest.approx(1.5, abs=0.01)
    assert voice.asset_metadata["source"] == "voice.wav"
    clip = next(a for a in assets if a.asset_type == AssetType.VIDEO_CLIP)
    assert clip.source_type == SourceType.USER_UPLOADED and clip.duration == pytest.approx(1.0)
    assert (clip.asset_metadata["resolution"], clip.asset_metadata["codec"]) == ("64x48", "h264")
    assert clip.asset_metadata["fps"] == pytest.approx(6.0)
    assert Path(clip.file_path).parent == MediaLayout(settings.media_root).folder(
        StorageType.VIDEOS) / result["job_id"]

    video = Path(result["video"]["file_path"])
    frames = frames_of(video)
    start = round((1.5 + 0.6) * FPS)  # the recording, then the pause: scene 2's first frame
    assert scene_starts(settings, result["job_id"])[1] == start
    for n in range(len(frames) - start):
        expected = np.array(PALETTE[(n // 4) % len(PALETTE)])
        assert np.abs(frames[start + n].mean(axis=(0, 1)) - expected).max() < 20, n
    before = np.array([frame.mean(axis=(0, 1)) for frame in frames[:start]])
    assert all(min(np.abs(colour - np.array(p)).max() for p in PALETTE) > 40
               for colour in before)
    sound = decoded_audio(video)
    assert abs(peak_frequency(sound[int(0.1 * 48000):int(1.4 * 48000)], 48000) - 660) < 5
    # The clip's 440 Hz is mixed under the spoken narration of scene 2.
    scene_two = sound[int(2.2 * 48000):]
    spectrum = np.abs(np.fft.rfft(scene_two))
    freqs = np.fft.rfftfreq(scene_two.size, 1 / 48000)
    near = spectrum[(freqs > 430) & (freqs < 450)].max()
    assert near > 20 * np.median(spectrum[(freqs > 300) & (freqs < 600)])


def test_a_clip_scene_crossfades_into_and_out_of_its_neighbours(settings: Settings,
                                                               show: Path) -> None:
    script = show / "fade.yaml"
    script.write_text("""title: Fade
settings: {resolution: 320x180, quality: draft, captions: off, transition: crossfade,
           transition_seconds: 0.25}
scenes:
  - narration: A clip of the sea, fading out.
    clip: surf.mp4
  - narration: A still slide between two clips.
  - narration: The sea again, fading in.
    clip: surf.mp4
""")
    result: dict[str, Any] = generate_video(script_path=str(script))
    frames = frames_of(Path(result["video"]["file_path"]))
    starts = scene_starts(settings, result["job_id"])
    fade = 6  # 0.25 s at 24 fps, taken from the end of the scene each crossfade leaves
    slide = frames[starts[1]].mean(axis=(0, 1))
    assert min(np.abs(slide - np.array(p)).max() for p in PALETTE) > 40  # the slide, alone

    def colour(n: int) -> np.ndarray:
        return frames[n].mean(axis=(0, 1))

    def played(n: int) -> np.ndarray:  # a clip's frame at frame n of its scene
        return np.array(PALETTE[(n // 4) % len(PALETTE)], float)

    def weight(shown: np.ndarray, leaving: np.ndarray, entering: np.ndarray) -> float:
        assert np.abs(shown - leaving - np.dot(shown - leaving, entering - leaving)
                      / np.dot(entering - leaving, entering - leaving)
                      * (entering - leaving)).max() < 15  # on the line between the two
        return float(np.dot(shown - leaving, entering - leaving)
                     / np.dot(entering - leaving, entering - leaving))

    for n in range(starts[1] - fade):  # the first clip plays untouched up to its crossfade
        assert np.abs(colour(n) - played(n)).max() < 20, n
    for i in range(fade):  # then its own frames, blended into the slide
        n = starts[1] - fade + i
        assert weight(colour(n), played(n), slide) == pytest.approx((i + 1) / (fade + 1),
                                                                     abs=0.06), n
    for n in range(starts[1], starts[2] - fade):  # the cut where scene 2's narration starts
        assert np.abs(colour(n) - slide).max() < 3, n
    for i in range(fade):  # the slide blended into the second clip's first frame
        n = starts[2] - fade + i
        assert weight(colour(n), slide, played(0)) == pytest.approx((i + 1) / (fade + 1),
                                                                     abs=0.06), n
    for n in range(starts[2], len(frames)):  # the clip from its start where its scene starts
        assert np.abs(colour(n) - played(n - starts[2])).max() < 20, n

    assets = assets_of(settings, result["job_id"])
    drawn = {a.asset_metadata["scene"] for a in assets
             if a.asset_type == AssetType.IMAGE and "role" not in a.asset_metadata}
    assert drawn == {2}  # no slide is drawn for a clip scene
    poster = next(a for a in assets if a.asset_metadata.get("role") == "poster")
    with av.open(poster.file_path) as container:  # the first clip's first frame, in the video
        picture = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(float)
    assert np.abs(picture.mean(axis=(0, 1)) - np.array(PALETTE[0])).max() < 20


def test_a_stock_picture_used_by_two_jobs_is_stored_once_and_kept_while_a_video_uses_it(
        settings: Settings, show: Path) -> None:
    item = stock.add(settings, show / "tall.png", stock.parse_tags("portrait, red"))
    media = MediaLayout(settings.media_root)
    script = ("---\nresolution: 320x180\nquality: draft\ncaptions: 'off'\nfit: contain\n---\n"
              "# Stock\n\n## One\nHello.\n\n## Two\n![x](stock:portrait)\n\nA picture.\n")
    first = generate_video(script=script)
    second = generate_video(script=script.replace("stock:portrait", f"stock:{item.asset_id}"))

    assert [p.name for p in media.folder(StorageType.STOCK).iterdir()] == [
        Path(item.file_path).name]
    assert not list(media.folder(StorageType.IMAGES).rglob("*-source*"))
    listed = stock.listing(settings)
    assert [(row["id"], row["uses"], row["tags"]) for row in listed] == [
        (str(item.asset_id), 2, ["portrait", "red"])]
    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        linked = set(uow.session.scalars(select(video_assets.c.video_id)
                                         .where(video_assets.c.asset_id == item.asset_id)))
    assert linked == {uuid.UUID(first["video"]["id"]), uuid.UUID(second["video"]["id"])}
    detail = job_detail(settings, uuid.UUID(first["job_id"]))
    assert [(row["id"], row["source_type"]) for row in detail["library"]] == [
        (str(item.asset_id), "STOCK")]

    # Contain: the whole picture (60x180) sharp in the middle, a blurred copy in the bands.
    frame = frames_of(Path(first["video"]["file_path"]))[scene_starts(settings,
                                                                      first["job_id"])[1] + 2]

    def steepest(column: int) -> float:
        values = frame[60:120, column, 0]
        return float(np.abs(np.diff(values)).max() / max(1.0, abs(values[-1] - values[0])))

    assert frame[60:80, 150:170, 0].mean() > frame[60:80, 150:170, 2].mean() + 40  # red top
    assert frame[100:120, 150:170, 2].mean() > frame[100:120, 150:170, 0].mean() + 40
    assert steepest(160) > 0.3
    assert frame[60:70, 5:15, 0].mean() > frame[110:120, 5:15, 0].mean() + 30  # the fill
    assert steepest(10) < 0.15

    # Retention: stock that may live a day, 40 days old, is kept while videos use it...
    item_path = Path(item.file_path)
    age(item_path, 40)

    def clean() -> None:
        records = snapshot(database, media)
        policies = {**records.policies, StorageType.STOCK: Policy(1, None, True)}
        execute(plan_cleanup(now=time.time(), policies=policies, files=scan(media),
                             assets=records.assets, videos=records.videos, jobs=records.jobs),
                database, media)

    clean()
    assert item_path.is_file()
    remove_video(settings, uuid.UUID(first["video"]["id"]))
    clean()
    assert item_path.is_file() and stock.listing(settings)[0]["uses"] == 1
    # ... and expires like any stock once no video does.
    remove_video(settings, uuid.UUID(second["video"]["id"]))
    clean()
    assert not item_path.exists()


@pytest.mark.parametrize(("field", "written", "words"), [
    ("clip", "/etc/passwd", "clip '/etc/passwd' is an absolute path outside the allowed"),
    ("clip", "notes.txt", "clip 'notes.txt' cannot be used: not an image, audio or video"),
    ("clip", "tall.png", "clip 'tall.png' is not a video clip (MP4 or WebM): its content is an "
                         "image file"),
    ("audio", "surf.mp4", "audio 'surf.mp4' is not an audio file"),
    ("audio", "../elsewhere.wav", "audio '../elsewhere.wav' leaves the allowed folders"),
    ("clip", "stock:waves", "clip 'stock:waves': not found: no stock video clip has this tag"),
])
def test_a_clip_or_recording_that_cannot_be_used_is_refused_before_a_job_exists(
        settings: Settings, show: Path, field: str, written: str, words: str) -> None:
    tone_wav(show.parent / "elsewhere.wav", seconds=0.5, frequency=300)
    script = show / "bad.yaml"
    script.write_text(f"title: Bad\nscenes:\n  - narration: Hello.\n  - narration: Again.\n"
                      f"    {field}: '{written}'\n")
    state = generate_video(script_path=str(script), return_state=True)
    assert state.is_failed()
    message = state.message or ""
    assert message.startswith("invalid script: scene 2 (line 5): "), message
    assert words in message and "\n" not in message, message
    with Database.open(settings.database_url).unit_of_work() as uow:
        jobs = uow.session.scalar(
            select(func.count()).select_from(VideoGenerationJob)
            .where(VideoGenerationJob.composition_settings[INGEST_KEY].as_string().is_(None)))
    assert jobs == 0


def test_music_from_the_stock_library_is_found_by_tag_and_counted_as_a_use(
        settings: Settings, show: Path) -> None:
    song = stock.add(settings, tone_wav(show / "calm.wav", seconds=2.0, frequency=220),
                     ["calm"])
    result = generate_video(script="---\nresolution: 320x180\nquality: draft\ncaptions: 'off'\n"
                                   "music: stock:calm\n---\n# Calm\n\nA quiet scene.\n")
    assert [(row["id"], row["uses"]) for row in stock.listing(settings)] == [
        (str(song.asset_id), 1)]
    detail = job_detail(settings, uuid.UUID(result["job_id"]))
    assert [row["id"] for row in detail["library"]] == [str(song.asset_id)]
