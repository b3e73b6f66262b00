"""Media generation: narration and a slide per scene, each recorded as a MediaAsset row."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from reelflow.db.states import AssetType, SourceType
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech import Narration, SpeechChain, build_engine
from reelflow.engine.speech.chain import cache_key, is_cached
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output, open_regular
from reelflow.services.intake import Accepted, MusicFile, SceneImage
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import counted_publisher, record_asset
from reelflow.storage.layout import MediaLayout


def narrate(settings: Settings, job_id: uuid.UUID, index: int, scene: Scene,
            render: RenderSettings) -> Narration:
    """Narrates scene ``index`` (from 0) through the engine chain and records its AUDIO asset.

    Rerunning writes the same file and updates the same row. Raises SpeechFailed.
    """
    media = layout(settings)
    engines = [build_engine(name, language=render.language) for name in render.tts_chain]
    chain = SpeechChain(engines, cache_dir=media.speech_cache(),
                        publish=counted_publisher(database(settings), media))
    target = media.narration(job_id, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    narration = chain.narrate(scene.narration, target, speed=render.speed)
    record_file(settings, job_id, target, AssetType.AUDIO, SourceType.GENERATED,
                narration.duration, {**narration.metadata(), "scene": index + 1})
    return narration


def speak_ahead(settings: Settings, accepted: Accepted) -> int:
    """Starts speaking, in this process's background, the narrations a job of ``accepted``
    will ask for: each scene's that the offline voice, first in the script's chain, would
    speak (not a recorded one, nor one the speech cache holds). ``narrate`` in this process
    then takes them instead of speaking them again. Returns how many were started."""
    from reelflow.engine.speech.piper_engine import PiperEngine

    render = accepted.script.settings
    if render.tts_chain[:1] != ("piper",):
        return 0
    engine = PiperEngine(language=render.language)
    cache = layout(settings).speech_cache()
    sounds = accepted.sounds or (None,) * len(accepted.script.scenes)
    texts = [(scene.narration, render.speed)
             for scene, sound in zip(accepted.script.scenes, sounds, strict=True)
             if sound is None and scene.narration.strip() and not is_cached(
                 cache, cache_key(engine.name, engine.voice, render.speed, scene.narration))]
    return engine.speak_ahead(texts)


def draw(settings: Settings, job_id: uuid.UUID, index: int, count: int, title: str,
         scene: Scene, render: RenderSettings, image: SceneImage | None) -> Path:
    """Draws scene ``index``'s slide (over the scene's checked picture, if it has one, fitted
    as the scene says) and records it; returns the slide's path. A picture named by a path is
    copied into the job's folder and recorded first; a library one (``stock:``/``asset:``) is
    read where it is. Raises RenderFailed when the picture changed since it was checked.
    """
    media = layout(settings)
    background = None
    if image is not None:
        background = Path(image.path) if image.asset_id is not None else \
            _copy_picture(settings, media, job_id, index, image)
    target = media.slide(job_id, index)
    slide = Slide(title=title, heading=scene.heading, body=scene.narration, index=index,
                  count=count, background=background, language=render.language,
                  fit=scene.fit_in(render))
    metadata = render_slide(slide, target, render.width, render.height)
    record_file(settings, job_id, target, AssetType.IMAGE, SourceType.GENERATED, None,
                {**metadata, "scene": index + 1})
    return target


def _copy_picture(settings: Settings, media: MediaLayout, job_id: uuid.UUID, index: int,
                  image: SceneImage) -> Path:
    copy = media.scene_image(job_id, index, image.extension)
    _copy_checked(image.path, copy, f"scene {index + 1}: image {image.written!r}")
    source_type = SourceType.STOCK if image.stock else SourceType.USER_UPLOADED
    record_file(settings, job_id, copy, AssetType.IMAGE, source_type, None,
                {"dimensions": [image.width, image.height],
                 "format": image.extension.lstrip("."), "generation_method": "user-provided",
                 "scene": index + 1, "source": image.written})
    return copy


def bring_music(settings: Settings, job_id: uuid.UUID, music: MusicFile) -> Path:
    """Copies the script's checked music into the job's folder and records it as an AUDIO
    asset (USER_UPLOADED, or STOCK from the stock library), counted in storage; returns the
    copy. Raises RenderFailed when the file changed since it was checked."""
    media = layout(settings)
    copy = media.music(job_id, music.extension)
    _copy_checked(music.path, copy, f"settings.music {music.written!r}")
    source_type = SourceType.STOCK if music.stock else SourceType.USER_UPLOADED
    record_file(settings, job_id, copy, AssetType.AUDIO, source_type, music.duration,
                {"role": "music", "format": music.extension.lstrip("."),
                 "generation_method": "user-provided", "source": music.written,
                 "sample_rate": music.sample_rate, "channels": music.channels,
                 "codec": music.codec, "stock_asset_id": music.asset_id})
    return copy


def _copy_checked(path: str, copy: Path, named: str) -> None:
    # Why the realpath comparison and O_NOFOLLOW: the file was judged by its real path at
    # validation; if a link appeared on the way since, this is no longer that file.
    if os.path.realpath(path) != path:
        raise RenderFailed(f"{named} changed since it was checked")
    copy.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open_regular(Path(path)) as source, atomic_output(copy) as temp, \
                open(temp, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    except OSError as exc:
        raise RenderFailed(f"{named} cannot be copied: {exc.strerror or exc}") from exc


def record_file(settings: Settings, job_id: uuid.UUID, path: Path, kind: AssetType,
                source: SourceType, duration: float | None, metadata: dict[str, object]
                ) -> None:
    """Records a finished file of the job as its MediaAsset and counts it in storage."""
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        record_asset(uow, media, job_id, path, asset_type=kind, url_path=media.url_path(path),
                     duration=duration, asset_metadata=metadata, source_type=source,
                     creation_timestamp=utcnow())
        uow.commit()
