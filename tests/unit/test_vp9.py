"""VP9 pieces: a still picture is one key frame, its repeats one-byte "show existing frame"
headers; IVF pieces join frame by frame."""

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.colour import yuv420_frame
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.vp9 import (
    SHOW_EXISTING_FRAME,
    IvfWriter,
    VP9Segment,
    ivf_frames,
    join_ivf,
    write_holds,
)
from reelflow.errors import RenderFailed

SETTINGS = EncoderSettings(64, 48, 24, "standard")


def _picture(seed: int) -> Image.Image:
    noise = np.random.default_rng(seed).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    return Image.fromarray(noise)


def _decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path), format="ivf") as container:
        return [frame.to_ndarray() for frame in container.decode(video=0)]


def test_a_hold_is_one_key_frame_per_picture_and_one_byte_per_repeat(tmp_path: Path) -> None:
    target = tmp_path / "still.ivf"
    frames = [yuv420_frame(_picture(1)), yuv420_frame(_picture(2))]
    write_holds(frames, [5, 3], target, SETTINGS)
    packets = list(ivf_frames(target))
    assert len(packets) == 8
    assert [p == SHOW_EXISTING_FRAME for p in packets] == [False, *[True] * 4, False, True, True]
    decoded = _decoded(target)
    assert len(decoded) == 8
    assert all(np.array_equal(decoded[n], decoded[0]) for n in range(5))
    assert all(np.array_equal(decoded[n], decoded[5]) for n in range(5, 8))
    assert not np.array_equal(decoded[0], decoded[5])


def test_a_hold_longer_than_the_keyframe_interval_repeats_its_key_frame(tmp_path: Path) -> None:
    target = tmp_path / "long.ivf"
    write_holds([yuv420_frame(_picture(3))], [45], target, EncoderSettings(64, 48, 2))
    keys = [n for n, packet in enumerate(ivf_frames(target)) if packet != SHOW_EXISTING_FRAME]
    assert keys == [0, 20, 40]


def test_moving_frames_are_one_packet_each_and_pieces_join_in_order(tmp_path: Path) -> None:
    moving = VP9Segment(tmp_path / "moving.ivf", SETTINGS)
    for seed in range(6):
        moving.add(yuv420_frame(_picture(seed)).to_ndarray().tobytes())
    assert moving.close() == 6
    write_holds([yuv420_frame(_picture(9))], [4], tmp_path / "still.ivf", SETTINGS)
    joined = tmp_path / "joined.ivf"
    assert join_ivf([tmp_path / "moving.ivf", tmp_path / "still.ivf"], joined, SETTINGS) == 10
    assert len(_decoded(joined)) == 10


def test_a_frame_of_the_wrong_size_and_a_cut_file_are_refused(tmp_path: Path) -> None:
    moving = VP9Segment(tmp_path / "bad.ivf", SETTINGS)
    with pytest.raises(RenderFailed, match="a frame of 3 bytes"):
        moving.add(b"abc")
    writer = IvfWriter(tmp_path / "cut.ivf", SETTINGS)
    writer.write(b"0123456789")
    writer.close()
    data = (tmp_path / "cut.ivf").read_bytes()
    (tmp_path / "cut.ivf").write_bytes(data[:-3])
    with pytest.raises(RenderFailed, match="ends inside a frame"):
        list(ivf_frames(tmp_path / "cut.ivf"))
