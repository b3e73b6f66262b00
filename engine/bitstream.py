"""Bits of an H.264 Annex B stream: NAL units, emulation prevention, Exp-Golomb fields.

Just the generic layer that engine/h264.py reads and writes headers with. A NAL unit here is
its bytes without the start code, header byte included; an RBSP is a NAL unit's payload with
the emulation-prevention bytes removed.
"""

from __future__ import annotations

import re

START_CODE = b"\x00\x00\x00\x01"
_START = re.compile(b"\x00\x00\x01")
_EMULATION = re.compile(b"\x00\x00\x03")
_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")


def split_nal_units(stream: bytes) -> list[bytes]:
    """Returns the NAL units of an Annex B byte stream, in order, without start codes."""
    starts = [match.end() for match in _START.finditer(stream)]
    units = []
    for n, begin in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(stream)
        units.append(stream[begin:end].rstrip(b"\x00"))  # trailing zeros belong to a start code
    return [unit for unit in units if unit]


def to_rbsp(payload: bytes) -> bytes:
    """Removes emulation-prevention bytes (00 00 03 -> 00 00)."""
    return _EMULATION.sub(b"\x00\x00", payload)


def from_rbsp(rbsp: bytes) -> bytes:
    """Inserts emulation-prevention bytes so no start code can appear inside a NAL unit."""
    escaped = _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)
    # An RBSP can end in cabac_zero_words (00 00); a NAL unit must not end in a zero byte.
    return escaped + b"\x03" if escaped.endswith(b"\x00\x00") else escaped


class BitReader:
    """Reads fixed-width and Exp-Golomb fields from an RBSP, most significant bit first."""

    def __init__(self, rbsp: bytes) -> None:
        self._value = int.from_bytes(rbsp, "big")
        self.size = len(rbsp) * 8
        self.position = 0

    def u(self, width: int) -> int:
        if self.position + width > self.size:
            raise ValueError("read past the end of the RBSP")
        self.position += width
        return (self._value >> (self.size - self.position)) & ((1 << width) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("malformed Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)

    def skip(self, *fields: int | str) -> None:
        """Reads and drops fields: a width in bits, or "ue" / "se" for Exp-Golomb codes."""
        for field in fields:
            if field == "ue":
                self.ue()
            elif field == "se":
                self.se()
            else:
                self.u(int(field))

    def rest(self) -> tuple[int, int]:
        """Returns (value, width) of the bits not read yet."""
        width = self.size - self.position
        return self._value & ((1 << width) - 1), width


class BitWriter:
    """Builds an RBSP field by field."""

    def __init__(self) -> None:
        self._value = 0
        self.size = 0

    def u(self, width: int, value: int) -> BitWriter:
        if value < 0 or value >> width:
            raise ValueError(f"{value} does not fit in {width} bits")
        self._value = (self._value << width) | value
        self.size += width
        return self

    def ue(self, value: int) -> BitWriter:
        code = value + 1
        return self.u(code.bit_length() - 1, 0).u(code.bit_length(), code)

    def se(self, value: int) -> BitWriter:
        return self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_with_ones(self) -> BitWriter:
        return self.u(-self.size % 8, (1 << (-self.size % 8)) - 1)

    def to_bytes(self) -> bytes:
        """Returns the bits so far, which must fill whole bytes."""
        if self.size % 8:
            raise ValueError("the RBSP does not end on a byte boundary")
        return self._value.to_bytes(self.size // 8, "big")

    def with_trailing_bits(self) -> bytes:
        """Appends rbsp_trailing_bits (a one, then zeros to the byte boundary); returns bytes."""
        self.u(1, 1)
        return self.u(-self.size % 8, 0).to_bytes()
