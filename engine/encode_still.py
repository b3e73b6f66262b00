"""Still shots at the cheapest correct cost: each distinct picture encoded once.

A still shot is a run of pictures, each held for some frames (a slide; or a slide, then the
slide with its first caption, ...). x264 encodes every distinct picture as an IDR frame, and
each remaining frame of a hold is a skipped frame (engine/h264.py): a copy of the frame
before, a few bytes long and never encoded. A hold longer than the keyframe interval repeats
its IDR picture at that interval so that players can seek into it. The shot is written as an
MP4 segment with the same encoder headers as every other segment of the video.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from engine.bitstream import START_CODE, split_nal_units
from engine.encoder import EncoderSettings, encode_frames, wrap_annexb
from engine.errors import RenderFailed
from engine.h264 import (
    NAL_IDR,
    NAL_PPS,
    NAL_SPS,
    PictureHeader,
    SequenceHeader,
    access_units,
    is_slice,
    nal_type,
    read_pps,
    read_sps,
    skip_frame,
    with_idr_pic_id,
)


def encode_holds(pictures: Iterable[bytes], lengths: Sequence[int], target: Path,
                 settings: EncoderSettings, *, first_idr_pic_id: int | None = None,
                 what: str = "encoding a still scene") -> None:
    """Writes an MP4 segment to ``target`` in which raw RGB picture ``n`` is shown for
    ``lengths[n]`` frames; ``first_idr_pic_id`` renumbers the first picture's IDR.

    Raises RenderFailed for an empty hold or a failed encode.
    """
    if not lengths or min(lengths) < 1:
        raise RenderFailed(f"{what}: every picture needs at least one frame")
    coded_path = target.with_name(target.name + ".pictures.h264")
    stream_path = target.with_name(target.name + ".h264")
    try:
        count = encode_frames(pictures, coded_path, settings, pixel_format="rgb24",
                              every_frame_idr=True, what=what)
        coded = access_units(split_nal_units(coded_path.read_bytes()))
        if count != len(lengths) or len(coded) != len(lengths):
            raise RenderFailed(f"{what}: {len(lengths)} pictures in, {len(coded)} encoded")
        with stream_path.open("wb") as out:
            for unit in expand(coded, lengths, settings.keyframe_interval, first_idr_pic_id):
                out.write(START_CODE + unit)
        wrap_annexb(stream_path, target, settings.fps, what=what)
    finally:
        coded_path.unlink(missing_ok=True)
        stream_path.unlink(missing_ok=True)


def expand(pictures: Sequence[list[bytes]], lengths: Sequence[int], keyframe_interval: int,
           first_idr_pic_id: int | None = None) -> Iterator[bytes]:
    """Yields the NAL units of the shot: each IDR picture, then skipped frames to its length,
    the IDR picture again every ``keyframe_interval`` frames.

    Raises RenderFailed unless every picture is an IDR picture with its parameter sets before
    it or before an earlier picture.
    """
    sequence: SequenceHeader | None = None
    header: PictureHeader | None = None
    for n, (coded, length) in enumerate(zip(pictures, lengths, strict=True)):
        for unit in coded:
            if nal_type(unit) == NAL_SPS:
                sequence = read_sps(unit)
            elif nal_type(unit) == NAL_PPS:
                header = read_pps(unit)
        if sequence is None or header is None:
            raise RenderFailed("the encoder's first picture has no parameter sets")
        if not any(nal_type(unit) == NAL_IDR for unit in coded):
            raise RenderFailed("the encoder made a still picture that is not an IDR picture")
        picture = coded
        if n == 0 and first_idr_pic_id is not None:
            picture = [with_idr_pic_id(unit, sequence, header, first_idr_pic_id)
                       if is_slice(unit) else unit for unit in coded]
        since_idr = 0
        for _ in range(length):
            if since_idr % keyframe_interval == 0:
                since_idr = 0
                yield from picture
            else:
                yield skip_frame(sequence, header, since_idr)
            since_idr += 1
