"""The CABAC-coded data of a P slice in which every macroblock is skipped.

H.264's arithmetic coder (ITU-T H.264 clause 9.3.4.2), reduced to what such a slice needs:
one mb_skip_flag = 1 and one end_of_slice_flag per macroblock. A skipped macroblock's
neighbours are skipped too, so every flag uses context 11, and with cabac_init_idc 0 at slice
QP 51 that context starts in state 42 with 1 as its most probable symbol. Only most probable
symbols are coded, so the state only climbs to 62 and the rows of rangeTabLPS below 42 are
never reached; the table holds rows 42-62 only.
"""

from __future__ import annotations

from functools import lru_cache

SKIP_SLICE_QP = 51
CABAC_INIT_IDC = 0
_SKIP_CONTEXT_INIT = (23, 33)  # (m, n) of ctxIdx 11 for cabac_init_idc 0 (Table 9-13)
_FIRST_ROW = 42
# rangeTabLPS (Table 9-44), rows 42..62, indexed by (codIRange >> 6) & 3.
_RANGE_LPS = (
    (16, 20, 23, 27), (15, 19, 22, 25), (14, 18, 21, 24), (14, 17, 20, 23), (13, 16, 19, 22),
    (12, 15, 18, 21), (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18), (10, 12, 15, 17),
    (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14), (8, 9, 11, 13),
    (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11), (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9),
)


class _Encoder:
    """The arithmetic encoding engine: low, range and outstanding bits (9.3.4.2)."""

    def __init__(self) -> None:
        self.low, self.range, self.outstanding, self.first = 0, 510, 0, True
        self.bits: list[int] = []

    def _put(self, bit: int) -> None:
        if self.first:
            self.first = False
        else:
            self.bits.append(bit)
        self.bits.extend([1 - bit] * self.outstanding)
        self.outstanding = 0

    def _renormalise(self) -> None:
        while self.range < 256:
            if self.low < 256:
                self._put(0)
            elif self.low >= 512:
                self.low -= 512
                self._put(1)
            else:
                self.low -= 256
                self.outstanding += 1
            self.range <<= 1
            self.low <<= 1

    def most_probable(self, state: int) -> int:
        """Codes the most probable symbol in a context at ``state``; returns the next state."""
        self.range -= _RANGE_LPS[state - _FIRST_ROW][(self.range >> 6) & 3]
        self._renormalise()
        return min(state + 1, 62)

    def terminate(self, last: bool) -> None:
        """Codes end_of_slice_flag; the last one flushes, ending with the RBSP stop bit."""
        self.range -= 2
        if not last:
            self._renormalise()
            return
        self.low += self.range
        self.range = 2
        self._renormalise()
        self._put((self.low >> 9) & 1)
        self.bits.extend([(self.low >> 8) & 1, 1])


@lru_cache(maxsize=8)
def skip_slice_data(macroblocks: int) -> bytes:
    """Returns the byte-aligned slice data, rbsp_slice_trailing_bits included, of a P slice
    at SKIP_SLICE_QP with CABAC_INIT_IDC whose ``macroblocks`` macroblocks are all skipped."""
    m, n = _SKIP_CONTEXT_INIT
    state = max(1, min(126, ((m * SKIP_SLICE_QP) >> 4) + n)) - 64  # most probable symbol: 1
    coder = _Encoder()
    for index in range(macroblocks):
        state = coder.most_probable(state)
        coder.terminate(last=index == macroblocks - 1)
    bits = coder.bits + [0] * (-len(coder.bits) % 8)
    return int("".join(map(str, bits)), 2).to_bytes(len(bits) // 8, "big")
