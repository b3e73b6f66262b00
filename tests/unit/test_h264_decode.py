"""The skip-frame writer, the IDR renumbering and the splicer, checked by a real decoder.

Pictures come from x264 (through PyAV, in memory): the draft preset writes CAVLC slices, the
standard one CABAC. What this module writes is decoded by ffmpeg's H.264 decoder with error
detection set to fail loudly, and every decoded frame is compared with the picture it copies.
Each refusal is checked too: a stream the writer cannot extend raises StreamNotExtendable, the
signal for composition to encode the shot frame by frame instead.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.bitstream import START_CODE, BitWriter, from_rbsp, split_nal_units
from reelflow.engine.colour import yuv420_frame
from reelflow.engine.compose import Shot, encode_shot
from reelflow.engine.encode_still import expand
from reelflow.engine.encoder import EncoderSettings, idr_pictures
from reelflow.engine.h264 import (
    NAL_IDR,
    NAL_PPS,
    NAL_SPS,
    access_units,
    idr_pic_id,
    nal_type,
    read_pps,
    read_sps,
    skip_frame,
    with_idr_pic_id,
)
from reelflow.engine.splice import splice
from reelflow.errors import StreamNotExtendable

WIDTH, HEIGHT = 96, 64
CODINGS = {"cavlc": "draft", "cabac": "standard"}


def _settings(coding: str) -> EncoderSettings:
    return EncoderSettings(WIDTH, HEIGHT, 24, CODINGS[coding])  # type: ignore[arg-type]


def _picture(seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _coded(coding: str, *seeds: int) -> list[list[bytes]]:
    return [split_nal_units(unit)
            for unit in idr_pictures([yuv420_frame(_picture(s)) for s in seeds],
                                     _settings(coding))]


def _decode(units: list[bytes]) -> list[np.ndarray]:
    codec = av.CodecContext.create("h264", "r")
    codec.options = {"err_detect": "crccheck+bitstream+buffer+explode"}
    stream = b"".join(START_CODE + unit for unit in units)
    frames = []
    # parse(None) flushes the parser, which holds the last access unit until the stream ends.
    for packet in [*codec.parse(stream), *codec.parse(None), None]:
        frames += [frame.to_ndarray(format="gray") for frame in codec.decode(packet)]
    return frames


def _headers(picture: list[bytes]) -> tuple[object, object]:
    sps = next(u for u in picture if nal_type(u) == NAL_SPS)
    pps = next(u for u in picture if nal_type(u) == NAL_PPS)
    return read_sps(sps), read_pps(pps)


@pytest.mark.parametrize("coding", CODINGS)
def test_skipped_frames_decode_to_exact_copies_of_the_picture(coding: str) -> None:
    picture = _coded(coding, 1)[0]
    sequence, header = _headers(picture)
    units = [*picture, *(skip_frame(sequence, header, n) for n in range(1, 30))]  # type: ignore[arg-type]
    frames = _decode(units)
    assert len(frames) == 30
    assert all(np.array_equal(frame, frames[0]) for frame in frames)


@pytest.mark.parametrize("coding", CODINGS)
def test_a_hold_longer_than_the_keyframe_interval_repeats_its_idr_picture(coding: str) -> None:
    units = list(expand(_coded(coding, 2), [25], keyframe_interval=10))
    assert sum(nal_type(u) == NAL_IDR for u in units) == 3  # frames 0, 10 and 20
    frames = _decode(units)
    assert len(frames) == 25 and all(np.array_equal(f, frames[0]) for f in frames)


@pytest.mark.parametrize("coding", CODINGS)
def test_a_renumbered_idr_picture_decodes_to_the_same_picture(coding: str) -> None:
    first, second = _coded(coding, 3, 4)
    sequence, header = _headers(first)
    slice_unit = next(u for u in second if nal_type(u) == NAL_IDR)
    old = idr_pic_id(slice_unit, sequence)  # type: ignore[arg-type]
    new = 0 if old else 1
    renumbered = with_idr_pic_id(slice_unit, sequence, header, new)  # type: ignore[arg-type]
    assert idr_pic_id(renumbered, sequence) == new  # type: ignore[arg-type]
    original = _decode([*first, *second])
    changed = _decode([*first, *(renumbered if u is slice_unit else u for u in second)])
    assert len(changed) == 2
    assert all(np.array_equal(a, b) for a, b in zip(original, changed, strict=True))


@pytest.mark.parametrize("coding", CODINGS)
def test_spliced_still_shots_decode_frame_by_frame_to_their_pictures(coding: str,
                                                                    tmp_path: Path) -> None:
    settings = _settings(coding)
    pieces, alone = [], []
    for n, length in enumerate((1, 1, 4)):  # two one-frame shots: back-to-back IDR pictures
        coded = _coded(coding, 10 + n)
        units = list(expand(coded, [length], settings.keyframe_interval))
        piece = tmp_path / f"shot-{n}.h264"
        piece.write_bytes(b"".join(START_CODE + u for u in units))
        pieces.append(piece)
        alone += _decode(units)
    joined = tmp_path / "joined.h264"
    assert splice(pieces, joined, followed_by_idr=False) == 6
    units = split_nal_units(joined.read_bytes())
    ids = [idr_pic_id(u, _headers(access_units(units)[0])[0])  # type: ignore[arg-type]
           for u in units if nal_type(u) == NAL_IDR]
    assert all(a != b for a, b in itertools.pairwise(ids))
    frames = _decode(units)
    assert len(frames) == 6
    assert all(np.array_equal(a, b) for a, b in zip(frames, alone, strict=True))


def _sps(*, high: bool = True, planes: bool = False, scaling: bool = False, poc_type: int = 0,
         progressive: bool = True) -> bytes:
    bits = BitWriter().u(8, 100 if high else 66).u(16, 40).ue(0)
    if high:
        bits.ue(3 if planes else 1)
        if planes:
            bits.u(1, 1)
        bits.ue(0).ue(0).u(1, 0).u(1, int(scaling))
    bits.ue(0).ue(poc_type)
    if poc_type == 0:
        bits.ue(2)
    bits.ue(1).u(1, 0).ue(5).ue(3).u(1, int(progressive))
    return bytes([0x67]) + from_rbsp(bits.u(16, 0xFFFF).with_trailing_bits())


@pytest.mark.parametrize(("sps", "named"), [
    (_sps(planes=True), "separate colour planes"),
    (_sps(scaling=True), "scaling matrices"),
    (_sps(poc_type=1), "picture order type 1"),
    (_sps(progressive=False), "interlaced"),
])
def test_a_sequence_the_writer_cannot_extend_is_refused_by_name(sps: bytes, named: str) -> None:
    with pytest.raises(StreamNotExtendable, match=named):
        read_sps(sps)


def test_an_ordinary_sequence_is_read() -> None:
    header = read_sps(_sps())
    assert (header.poc_type, header.frame_num_bits, header.macroblocks) == (0, 4, 6 * 4)


def test_a_picture_parameter_set_with_slice_groups_is_refused() -> None:
    pps = BitWriter().ue(0).ue(0).u(1, 0).u(1, 0).ue(1)
    with pytest.raises(StreamNotExtendable, match="slice groups"):
        read_pps(bytes([0x68]) + from_rbsp(pps.u(16, 0xFFFF).with_trailing_bits()))


def test_renumbering_a_slice_that_is_not_intra_is_refused() -> None:
    picture = _coded("cavlc", 5)[0]
    sequence, header = _headers(picture)
    skipped = skip_frame(sequence, header, 1)  # type: ignore[arg-type]
    with pytest.raises(StreamNotExtendable, match="not intra"):
        with_idr_pic_id(bytes([0x65]) + skipped[1:], sequence, header, 1)  # type: ignore[arg-type]


def test_a_still_picture_without_parameter_sets_or_not_idr_is_refused() -> None:
    picture = _coded("cabac", 6)[0]
    bare = [u for u in picture if nal_type(u) not in (NAL_SPS, NAL_PPS)]
    with pytest.raises(StreamNotExtendable, match="no parameter sets"):
        list(expand([bare], [3], keyframe_interval=10))
    sequence, header = _headers(picture)
    not_idr = [u for u in picture if nal_type(u) != NAL_IDR] + [
        skip_frame(sequence, header, 1)]  # type: ignore[arg-type]
    with pytest.raises(StreamNotExtendable, match="not an IDR picture"):
        list(expand([not_idr], [3], keyframe_interval=10))


def test_a_refused_stream_is_encoded_frame_by_frame_instead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "slide.png"
    _picture(7).save(image)
    settings = _settings("cabac")

    def refuse(unit: bytes) -> object:
        raise StreamNotExtendable("H.264 stream with scaling matrices: cannot add still frames")

    monkeypatch.setattr("reelflow.engine.encode_still.read_sps", refuse)
    written, pictures = encode_shot(Shot(image, 12), {"mp4": tmp_path / "shot-0000.h264"},
                                    settings)
    piece = written["mp4"]
    assert piece.suffix == ".mp4" and pictures == 1
    assert not (tmp_path / "shot-0000.h264").exists()
    with av.open(str(piece)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(frames) == 12
    assert all(np.abs(f.astype(int) - frames[0]).mean() < 1.0 for f in frames)


def test_an_extendable_stream_costs_one_encoded_frame_per_picture(tmp_path: Path) -> None:
    image = tmp_path / "slide.png"
    _picture(8).save(image)
    written, pictures = encode_shot(Shot(image, 12), {"mp4": tmp_path / "shot-0000.h264"},
                                    _settings("cavlc"))
    piece = written["mp4"]
    assert piece.suffix == ".h264" and pictures == 1
    assert len(_decode(split_nal_units(piece.read_bytes()))) == 12
