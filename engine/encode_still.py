"""Still shots at the cheapest correct cost: each distinct picture encoded once.

A still shot is a run of pictures, each held for some frames (a slide; or a slide, then the
slide with its first caption, ...). x264 encodes every distinct picture as an IDR picture, and
each remaining frame of a hold is a skipped frame (engine/h264.py): a copy of the frame
before, a few bytes long and never encoded. A hold longer than the keyframe interval repeats
its IDR picture at that interval so that players can seek into it. The shot is written as an
Annex B stream; engine/splice.py joins neighbouring still shots and wraps them as one segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import av

from reelflow.engine.bitstream import START_CODE, split_nal_units
from reelflow.engine.encoder import EncoderSettings, idr_pictures
from reelflow.engine.h264 import (
    NAL_IDR,
    NAL_PPS,
    NAL_SPS,
    PictureHeader,
    SequenceHeader,
    nal_type,
    read_pps,
    read_sps,
    skip_frame,
)
from reelflow.errors import RenderFailed, StreamNotExtendable


def encode_holds(frames: Iterable[av.VideoFrame], lengths: Sequence[int], target: Path,
                 settings: EncoderSettings, *, what: str = "encoding a still scene") -> None:
    """Writes an Annex B H.264 stream to ``target`` in which yuv420p frame ``n``
    (engine/colour.py) is shown for ``lengths[n]`` frames. Raises RenderFailed for an empty
    hold or a failed encode."""
    if not lengths or min(lengths) < 1:
        raise RenderFailed(f"{what}: every picture needs at least one frame")
    coded = [split_nal_units(unit) for unit in idr_pictures(frames, settings, what=what)]
    if len(coded) != len(lengths):
        raise RenderFailed(f"{what}: {len(lengths)} pictures in, {len(coded)} encoded")
    with target.open("wb") as out:
        for unit in expand(coded, lengths, settings.keyframe_interval):
            out.write(START_CODE + unit)


def expand(pictures: Sequence[list[bytes]], lengths: Sequence[int], keyframe_interval: int
           ) -> Iterator[bytes]:
    """Yields the NAL units of the shot: each IDR picture, then skipped frames to its length,
    the IDR picture again every ``keyframe_interval`` frames.

    Raises StreamNotExtendable unless every picture is an IDR picture with its parameter sets
    before it or before an earlier picture.
    """
    sequence: SequenceHeader | None = None
    header: PictureHeader | None = None
    for picture, length in zip(pictures, lengths, strict=True):
        for unit in picture:
            if nal_type(unit) == NAL_SPS:
                sequence = read_sps(unit)
            elif nal_type(unit) == NAL_PPS:
                header = read_pps(unit)
        if sequence is None or header is None:
            raise StreamNotExtendable("the encoder's first picture has no parameter sets")
        if not any(nal_type(unit) == NAL_IDR for unit in picture):
            raise StreamNotExtendable("the encoder made a still picture that is not an IDR picture")
        since_idr = 0
        for _ in range(length):
            if since_idr % keyframe_interval == 0:
                since_idr = 0
                yield from picture
            else:
                yield skip_frame(sequence, header, since_idr)
            since_idr += 1
