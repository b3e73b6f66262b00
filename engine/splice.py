"""Splicing neighbouring still shots into one H.264 stream by copying their bytes.

Every shot starts on an IDR picture with the video's one set of parameter sets, so a run of
still shots is their concatenation. One rule needs care: two IDR pictures in a row must differ
in idr_pic_id, or a decoder may take the second for more slices of the first. x264 alternates
the id within one encode but starts every encode at 0, so where a shot ends on a one-frame
hold and the next begins, the ids are rewritten; a run of such IDR pictures is settled from
its end, since a zooming shot after the run always starts with id 0 and cannot be changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from reelflow.engine.bitstream import START_CODE, split_nal_units
from reelflow.engine.h264 import (
    NAL_IDR,
    NAL_PPS,
    NAL_SPS,
    PictureHeader,
    SequenceHeader,
    access_units,
    idr_pic_id,
    is_slice,
    nal_type,
    read_pps,
    read_sps,
    with_idr_pic_id,
)
from reelflow.errors import RenderFailed


class _Splicer:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.sequence: SequenceHeader | None = None
        self.picture: PictureHeader | None = None
        self.idr_run: list[list[bytes]] = []  # consecutive IDR pictures not yet written
        self.frames = 0

    def add(self, picture: list[bytes]) -> None:
        for unit in picture:
            if nal_type(unit) == NAL_SPS:
                self.sequence = read_sps(unit)
            elif nal_type(unit) == NAL_PPS:
                self.picture = read_pps(unit)
        if any(nal_type(unit) == NAL_IDR for unit in picture):
            self.idr_run.append(picture)
        else:
            self.settle(None)
            self._write(picture)

    def settle(self, next_id: int | None) -> None:
        """Writes the pending IDR pictures, each with an id unlike the one after it."""
        if self.idr_run and (self.sequence is None or self.picture is None):
            raise RenderFailed("an IDR picture before any parameter sets")
        settled = []
        for coded in reversed(self.idr_run):
            assert self.sequence is not None and self.picture is not None
            first = next(unit for unit in coded if is_slice(unit))
            current = idr_pic_id(first, self.sequence)
            fixed = coded
            if current == next_id:
                current = 0 if current else 1
                fixed = [with_idr_pic_id(unit, self.sequence, self.picture, current)
                         if is_slice(unit) else unit for unit in coded]
            settled.append(fixed)
            next_id = current
        for picture in reversed(settled):
            self._write(picture)
        self.idr_run = []

    def _write(self, picture: list[bytes]) -> None:
        self.out.write(b"".join(START_CODE + unit for unit in picture))
        self.frames += 1


def splice(pieces: Sequence[Path], target: Path, *, followed_by_idr: bool) -> int:
    """Writes the Annex B streams ``pieces`` one after another to ``target``; returns the
    number of frames. ``followed_by_idr``: the next segment starts with an IDR picture of id 0.
    """
    with target.open("wb") as out:
        splicer = _Splicer(out)
        for piece in pieces:
            for picture in access_units(split_nal_units(piece.read_bytes())):
                splicer.add(picture)
        splicer.settle(0 if followed_by_idr else None)
    return splicer.frames
