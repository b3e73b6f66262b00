import pytest

from reelflow.engine.bitstream import BitReader, BitWriter, from_rbsp, split_nal_units, to_rbsp


def test_exp_golomb_codes_read_back_what_was_written() -> None:
    values = [0, 1, 2, 7, 8, 255, 8160]
    signed = [0, 1, -1, 5, -17]
    writer = BitWriter()
    for value in values:
        writer.ue(value)
    for value in signed:
        writer.se(value)
    reader = BitReader(writer.with_trailing_bits())
    assert [reader.ue() for _ in values] == values
    assert [reader.se() for _ in signed] == signed


def test_small_exp_golomb_codes_have_their_textbook_bits() -> None:
    assert BitWriter().ue(0).with_trailing_bits() == bytes([0b11000000])  # "1" then stop bit
    assert BitWriter().ue(3).with_trailing_bits() == bytes([0b00100100])  # "00100"


def test_escaping_never_leaves_a_start_code_and_unescaping_restores_the_payload() -> None:
    for payload in [b"\x80\x00\x00\x00\x80", b"\x00\x00\x01\x00\x00\x02\x80",
                    b"\x05\x80\x00\x00", b"\x00\x00\x03\x00\x80", bytes(range(4)) * 3]:
        escaped = from_rbsp(payload)
        assert b"\x00\x00\x00" not in escaped and b"\x00\x00\x01" not in escaped
        assert b"\x00\x00\x02" not in escaped
        assert to_rbsp(escaped) == payload


def test_an_annex_b_stream_splits_into_its_nal_units() -> None:
    stream = b"\x00\x00\x00\x01\x67\x64\x00\x00\x01\x68\xee\x00\x00\x00\x01\x65\x88\x80"
    assert split_nal_units(stream) == [b"\x67\x64", b"\x68\xee", b"\x65\x88\x80"]


def test_a_writer_refuses_a_value_wider_than_its_field() -> None:
    with pytest.raises(ValueError):
        BitWriter().u(3, 8)


def test_skipping_fields_moves_past_them() -> None:
    reader = BitReader(BitWriter().u(5, 3).ue(9).se(-2).u(4, 11).with_trailing_bits())
    reader.skip(5, "ue", "se")
    assert reader.u(4) == 11
