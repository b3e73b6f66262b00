"""The join: a video's pieces put end to end without re-encoding, muxed once with its sound.

Pieces (engine/shots.py) share one set of encoder settings, so each format's pieces join by
stream copy (engine/outputs.py, engine/segments.py). The narration, already joined
sample-exactly over the whole timeline, is encoded once per format before the join
(``encode_sounds``), so its encoder's priming happens once, at the very start, and the sound
starts on the exact frame of every cut. A file appears at its target only when every target is
complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.outputs import encode_audio, join_pieces, mux, output_format
from reelflow.engine.shots import Piece
from reelflow.errors import RenderFailed
from reelflow.files import partial_path, publish
from reelflow.vocabulary import VideoFormat


def encode_sounds(audio: Path, work: Path, formats: Sequence[VideoFormat]
                  ) -> dict[VideoFormat, Path]:
    """Encodes the whole narration WAV ``audio`` once per format into ``work``; returns the
    file of each format. Raises RenderFailed."""
    work.mkdir(parents=True, exist_ok=True)
    return {fmt: encode_audio(audio, work / f"sound-{fmt}", fmt) for fmt in formats}


def join_video(pieces: Sequence[Piece], targets: Sequence[Path], settings: EncoderSettings, *,
               work: Path, sounds: Mapping[VideoFormat, Path] | None = None,
               subtitles: Path | None = None, title: str | None = None,
               language: str = "en") -> None:
    """Joins ``pieces``, in order, into each of ``targets`` (an .mp4 or a .webm, one per
    format), with the encoded sound of its format from ``sounds`` and the SubRip
    ``subtitles`` as a soft subtitle track in ``language`` (BCP 47); intermediate files go to
    ``work``.

    Raises RenderFailed for no pieces, a piece without a file of a target's format, a frame
    count that is off or a failed mux; no target is written then.
    """
    formats = [output_format(target) for target in targets]
    if not targets or len(set(formats)) != len(formats):
        raise RenderFailed("a render needs one target per format: .mp4, .webm or both")
    if not pieces:
        raise RenderFailed("nothing to join: the plan has no scenes")
    missing = [fmt for fmt in formats for piece in pieces if fmt not in piece.files]
    if missing:
        raise RenderFailed(f"a piece has no {missing[0]} file to join")
    if sounds is not None and any(fmt not in sounds for fmt in formats):
        raise RenderFailed("the sound is not encoded for every format")
    work.mkdir(parents=True, exist_ok=True)
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    temps = [partial_path(target) for target in targets]
    try:
        frames = [piece.frames for piece in pieces]
        for fmt, temp in zip(formats, temps, strict=True):
            video = join_pieces(fmt, [piece.files[fmt] for piece in pieces], frames, settings,
                                work)
            mux(fmt, video, sounds[fmt] if sounds is not None else None, subtitles, title,
                temp, language)
        for temp, target in zip(temps, targets, strict=True):
            publish(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
