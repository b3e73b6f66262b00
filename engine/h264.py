"""H.264 headers, read and written: enough to repeat a picture for N frames without encoding N.

A frame that repeats its predecessor exactly is a P slice in which every macroblock is skipped
(zero motion, no residual) and deblocking is off. It takes a few bytes and no encoding, so a
still picture costs one real encode however long it stays on screen. The slice is written for
the encoder's own parameter sets, so the stream keeps exactly the headers x264 chose, CABAC
(engine/cabac.py) or CAVLC alike. Only progressive 4:2:0-style streams with
pic_order_cnt_type 0 or 2 are handled, which is what x264 writes; anything else raises
StreamNotExtendable rather than producing a broken stream, and the shot is then encoded frame
by frame (engine/compose.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from reelflow.engine.bitstream import BitReader, BitWriter, from_rbsp, to_rbsp
from reelflow.engine.cabac import CABAC_INIT_IDC, SKIP_SLICE_QP, skip_slice_data
from reelflow.errors import RenderFailed, StreamNotExtendable

NAL_SLICE, NAL_IDR, NAL_SEI, NAL_SPS, NAL_PPS = 1, 5, 6, 7, 8
_HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
_I_SLICE, _P_SLICE_ALL = 2, 5


@dataclass(frozen=True)
class SequenceHeader:
    """What slices need from a sequence parameter set."""

    sps_id: int
    frame_num_bits: int
    poc_type: int
    poc_lsb_bits: int
    chroma: bool
    macroblocks: int


@dataclass(frozen=True)
class PictureHeader:
    """What slice headers need from a picture parameter set."""

    pps_id: int
    cabac: bool
    field_poc: bool
    weighted: bool
    init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool


def nal_type(unit: bytes) -> int:
    """Returns the nal_unit_type of a NAL unit."""
    return unit[0] & 0x1F


def is_slice(unit: bytes) -> bool:
    return nal_type(unit) in (NAL_SLICE, NAL_IDR)


def read_sps(unit: bytes) -> SequenceHeader:
    """Parses a sequence parameter set; raises StreamNotExtendable for streams this module
    cannot extend."""
    bits = BitReader(to_rbsp(unit[1:]))
    profile = bits.u(8)
    bits.skip(16)  # constraint flags, level
    sps_id, chroma_format = bits.ue(), 1
    if profile in _HIGH_PROFILES:
        chroma_format = bits.ue()
        if chroma_format == 3 and bits.u(1):
            raise StreamNotExtendable("H.264 stream with separate colour planes: cannot add frames")
        bits.skip("ue", "ue", 1)  # bit depths, transform bypass
        if bits.u(1):
            raise StreamNotExtendable("H.264 stream with scaling matrices: cannot add still frames")
    frame_num_bits = bits.ue() + 4
    poc_type = bits.ue()
    if poc_type not in (0, 2):
        raise StreamNotExtendable(
            f"H.264 stream with picture order type {poc_type}: cannot add frames")
    poc_lsb_bits = bits.ue() + 4 if poc_type == 0 else 0
    bits.skip("ue", 1)  # max_num_ref_frames, gaps_in_frame_num_allowed_flag
    width, height = bits.ue() + 1, bits.ue() + 1
    if not bits.u(1):
        raise StreamNotExtendable("interlaced H.264 stream: cannot add still frames")
    return SequenceHeader(sps_id, frame_num_bits, poc_type, poc_lsb_bits, chroma_format != 0,
                          width * height)


def read_pps(unit: bytes) -> PictureHeader:
    """Parses the fields of a picture parameter set that slice headers depend on."""
    bits = BitReader(to_rbsp(unit[1:]))
    pps_id = bits.ue()
    bits.skip("ue")  # seq_parameter_set_id
    cabac, field_poc = bits.u(1), bits.u(1)
    if bits.ue() != 0:
        raise StreamNotExtendable("H.264 stream with slice groups: cannot add still frames")
    bits.skip("ue", "ue")  # default reference counts
    weighted = bits.u(1)
    bits.skip(2)  # weighted_bipred_idc
    init_qp = 26 + bits.se()
    bits.skip("se", "se")  # pic_init_qs, chroma_qp_index_offset
    deblocking = bits.u(1)
    bits.skip(1)  # constrained_intra_pred_flag
    redundant = bits.u(1)
    return PictureHeader(pps_id, bool(cabac), bool(field_poc), bool(weighted), init_qp,
                         bool(deblocking), bool(redundant))


def skip_frame(sequence: SequenceHeader, picture: PictureHeader, since_idr: int) -> bytes:
    """Returns, as one NAL unit, a reference P frame that repeats the previous frame exactly;
    ``since_idr`` is its distance in frames from the last IDR picture."""
    bits = BitWriter().ue(0).ue(_P_SLICE_ALL).ue(picture.pps_id)
    bits.u(sequence.frame_num_bits, since_idr % (1 << sequence.frame_num_bits))
    if sequence.poc_type == 0:
        bits.u(sequence.poc_lsb_bits, 2 * since_idr % (1 << sequence.poc_lsb_bits))
        if picture.field_poc:
            bits.se(0)  # delta_pic_order_cnt_bottom
    if picture.redundant_pic_cnt:
        bits.ue(0)
    bits.u(1, 1).ue(0)  # one reference: the previous frame
    bits.u(1, 0)  # no reference list modification
    if picture.weighted:
        bits.ue(0)
        if sequence.chroma:
            bits.ue(0)
        bits.u(1 + sequence.chroma, 0)  # no explicit weights for the one reference
    bits.u(1, 0)  # sliding-window reference marking
    if picture.cabac:
        bits.ue(CABAC_INIT_IDC).se(SKIP_SLICE_QP - picture.init_qp)
    else:
        bits.se(0)
    if picture.deblocking_control:
        bits.ue(1)  # deblocking off: the frame is a pure copy
    if picture.cabac:
        data = bits.align_with_ones().to_bytes() + skip_slice_data(sequence.macroblocks)
    else:
        data = bits.ue(sequence.macroblocks).with_trailing_bits()  # mb_skip_run: all of them
    return bytes([0x41]) + from_rbsp(data)  # nal_ref_idc 2, coded slice of a non-IDR picture


def idr_pic_id(unit: bytes, sequence: SequenceHeader) -> int:
    """Returns the idr_pic_id of an IDR slice."""
    bits = BitReader(to_rbsp(unit[1:]))
    bits.skip("ue", "ue", "ue", sequence.frame_num_bits)
    return bits.ue()


def with_idr_pic_id(unit: bytes, sequence: SequenceHeader, picture: PictureHeader,
                    value: int) -> bytes:
    """Returns an IDR I slice with another idr_pic_id; the slice data is moved, not re-coded.

    Two IDR pictures in a row must differ in idr_pic_id, or a decoder may take the second for
    more slices of the first; a one-frame scene followed by the next scene makes such a pair.
    """
    bits = BitReader(to_rbsp(unit[1:]))
    head = BitWriter().ue(bits.ue())
    slice_type = bits.ue()
    if slice_type % 5 != _I_SLICE:
        raise StreamNotExtendable("an IDR slice that is not intra: cannot renumber it")
    head.ue(slice_type).ue(bits.ue()).u(sequence.frame_num_bits, bits.u(sequence.frame_num_bits))
    bits.skip("ue")
    head.ue(value)
    if sequence.poc_type == 0:
        head.u(sequence.poc_lsb_bits, bits.u(sequence.poc_lsb_bits))
        if picture.field_poc:
            head.se(bits.se())
    if picture.redundant_pic_cnt:
        head.ue(bits.ue())
    head.u(2, bits.u(2)).se(bits.se())  # dec_ref_pic_marking flags, slice_qp_delta
    if picture.deblocking_control:
        idc = bits.ue()
        head.ue(idc)
        if idc != 1:
            head.se(bits.se()).se(bits.se())
    if picture.cabac:
        bits.skip(-bits.position % 8)  # cabac_alignment_one_bits; the data after is aligned
        rest, width = bits.rest()
        return unit[:1] + from_rbsp(head.align_with_ones().u(width, rest).to_bytes())
    rest, width = bits.rest()
    stop = (rest & -rest).bit_length() - 1  # rbsp_stop_one_bit, then alignment zeros
    return unit[:1] + from_rbsp(head.u(width - stop - 1, rest >> (stop + 1)).with_trailing_bits())


def access_units(units: list[bytes]) -> list[list[bytes]]:
    """Groups NAL units into pictures: a slice with first_mb_in_slice 0 starts a new one, and
    the parameter sets and SEI just before it belong to it."""
    pictures: list[list[bytes]] = []
    pending: list[bytes] = []
    for unit in units:
        if not is_slice(unit):
            pending.append(unit)
            continue
        if BitReader(to_rbsp(unit[1:8])).ue() == 0 or not pictures:
            pictures.append([*pending, unit])
        else:
            pictures[-1].extend([*pending, unit])
        pending = []
    if not pictures:
        raise RenderFailed("an H.264 stream without pictures")
    pictures[-1].extend(pending)
    return pictures
