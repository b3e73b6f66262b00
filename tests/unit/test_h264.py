"""Skipped frames are written for the encoder's own parameter sets; read them back."""

import pytest

from reelflow.engine.bitstream import BitReader, BitWriter, from_rbsp, to_rbsp
from reelflow.engine.cabac import CABAC_INIT_IDC, SKIP_SLICE_QP, skip_slice_data
from reelflow.engine.h264 import PictureHeader, SequenceHeader, read_sps, skip_frame
from reelflow.errors import RenderFailed

SEQUENCE = SequenceHeader(sps_id=0, frame_num_bits=4, poc_type=0, poc_lsb_bits=6, chroma=True,
                          macroblocks=40)


def _picture(*, cabac: bool, weighted: bool) -> PictureHeader:
    return PictureHeader(pps_id=0, cabac=cabac, field_poc=False, weighted=weighted, init_qp=26,
                         deblocking_control=True, redundant_pic_cnt=False)


def test_a_cavlc_skipped_frame_skips_every_macroblock_with_deblocking_off() -> None:
    unit = skip_frame(SEQUENCE, _picture(cabac=False, weighted=False), since_idr=17)
    assert unit[0] == 0x41  # a reference slice of a non-IDR picture
    bits = BitReader(to_rbsp(unit[1:]))
    assert [bits.ue(), bits.ue(), bits.ue()] == [0, 5, 0]  # first macroblock, P, PPS 0
    assert bits.u(4) == 17 % 16  # frame_num wraps at 2^4
    assert bits.u(6) == 34  # picture order: two per frame
    assert [bits.u(1), bits.ue(), bits.u(1), bits.u(1)] == [1, 0, 0, 0]  # one reference
    assert [bits.se(), bits.ue()] == [0, 1]  # QP delta, deblocking disabled
    assert bits.ue() == 40  # mb_skip_run covers the picture


def test_a_cabac_skipped_frame_carries_weights_init_idc_and_the_cached_slice_data() -> None:
    unit = skip_frame(SEQUENCE, _picture(cabac=True, weighted=True), since_idr=3)
    rbsp = to_rbsp(unit[1:])
    bits = BitReader(rbsp)
    bits.skip("ue", "ue", "ue", 4, 6, 1, "ue", 1)
    assert [bits.ue(), bits.ue(), bits.u(1), bits.u(1)] == [0, 0, 0, 0]  # no explicit weights
    assert bits.u(1) == 0
    assert [bits.ue(), bits.se(), bits.ue()] == [CABAC_INIT_IDC, SKIP_SLICE_QP - 26, 1]
    assert rbsp.endswith(skip_slice_data(40))


def test_cabac_slice_data_ends_with_the_stop_bit_on_a_byte_boundary() -> None:
    for macroblocks in (40, 3600, 8160):
        data = skip_slice_data(macroblocks)
        # The stop bit is the last one bit: the final byte is not zero (nothing appended after
        # it), and the slice data decodes to exact copies (tests/unit/test_h264_decode.py).
        assert data and data[-1] != 0, macroblocks
    assert len(skip_slice_data(8160)) < 64  # 16,320 certain decisions cost a few bytes
    assert len(skip_slice_data(8160)) > len(skip_slice_data(40))


def test_a_sequence_with_an_unsupported_picture_order_is_refused() -> None:
    # High profile, level 4.0, sps 0, 4:2:0 8-bit, frame_num 4 bits, pic_order_cnt_type 1.
    bits = BitWriter().u(8, 100).u(16, 40).ue(0).ue(1).ue(0).ue(0).u(1, 0).u(1, 0).ue(0).ue(1)
    with pytest.raises(RenderFailed, match="picture order type 1"):
        read_sps(bytes([0x67]) + from_rbsp(bits.u(16, 0xFFFF).with_trailing_bits()))
