"""Media generation: narration and a slide per scene, each recorded as a MediaAsset row."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from reelflow.db.states import AssetType, SourceType
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech import Narration, SpeechChain, build_engine
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import counted_publisher, record_asset


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


def draw(settings: Settings, job_id: uuid.UUID, index: int, count: int, title: str,
         scene: Scene, render: RenderSettings, script_dir: str | None) -> Path:
    """Draws scene ``index``'s slide (over the scene's own image, if it names one) and records
    it; returns the slide's path. Raises RenderFailed when the scene's image is missing or
    unreadable.
    """
    media = layout(settings)
    background = None
    if scene.image:
        source = _resolve_image(scene.image, script_dir)
        background = media.scene_image(job_id, index, source.suffix)
        background.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(background) as temp:
            shutil.copyfile(source, temp)
        record_file(settings, job_id, background, AssetType.IMAGE, SourceType.USER_UPLOADED, None,
                {"dimensions": _dimensions(background), "format": source.suffix.lstrip("."),
                 "generation_method": "user-provided", "scene": index + 1,
                 "original": str(source)})
    target = media.slide(job_id, index)
    slide = Slide(title=title, heading=scene.heading, body=scene.narration, index=index,
                  count=count, background=background, language=render.language)
    metadata = render_slide(slide, target, render.width, render.height)
    record_file(settings, job_id, target, AssetType.IMAGE, SourceType.GENERATED, None,
            {**metadata, "scene": index + 1})
    return target


def _resolve_image(hint: str, script_dir: str | None) -> Path:
    path = Path(hint).expanduser()
    if not path.is_absolute() and script_dir:
        path = Path(script_dir) / path
    if not path.is_file():
        raise RenderFailed(f"scene image not found: {hint}")
    return path


def _dimensions(path: Path) -> list[int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return [image.width, image.height]
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderFailed(f"not a readable image: {path.name}") from exc


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
