"""Scene timing: each scene lasts as long as its measured narration plus a pause.

Scene boundaries are placed on whole frames of the output, computed from the cumulative time so
that rounding never drifts: the video's length equals the sum of the scene durations to within
half a frame, and every cut falls exactly where the narration audio switches scenes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SceneSlot:
    """Where one scene sits on the timeline, in frames and in seconds."""

    index: int
    start_frame: int
    frames: int
    fps: int

    @property
    def start(self) -> float:
        return self.start_frame / self.fps

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    @property
    def end(self) -> float:
        return (self.start_frame + self.frames) / self.fps

    def samples(self, sample_rate: int) -> int:
        """Returns the exact number of audio samples that cover this scene at ``sample_rate``."""
        return round(self.end * sample_rate) - round(self.start * sample_rate)


def plan_timeline(
    narration_seconds: Sequence[float],
    *,
    fps: int,
    pause_seconds: float,
    minimum_seconds: Sequence[float | None] | None = None,
) -> tuple[SceneSlot, ...]:
    """Given each scene's measured narration length, returns the scene slots.

    A scene lasts its narration plus ``pause_seconds``, or its minimum duration hint when that is
    longer, and at least one frame. Raises ValueError for a negative length or a bad fps.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    minimums = list(minimum_seconds) if minimum_seconds is not None else []
    slots: list[SceneSlot] = []
    elapsed = 0.0
    start_frame = 0
    for index, spoken in enumerate(narration_seconds):
        if spoken < 0:
            raise ValueError(f"scene {index + 1}: negative narration length {spoken}")
        wanted = spoken + pause_seconds
        hint = minimums[index] if index < len(minimums) else None
        if hint is not None:
            wanted = max(wanted, hint)
        elapsed += wanted
        end_frame = max(start_frame + 1, round(elapsed * fps))
        slots.append(SceneSlot(index, start_frame, end_frame - start_frame, fps))
        start_frame = end_frame
    return tuple(slots)


def total_seconds(slots: Sequence[SceneSlot]) -> float:
    """Returns the length of the whole timeline in seconds."""
    return slots[-1].end if slots else 0.0
