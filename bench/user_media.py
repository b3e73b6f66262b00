"""``python -m bench.user_media``: what a scene of the user's own media costs, in seconds per
minute of video, at 1080p and the standard quality.

Each case renders one 60 s scene in its own process (engine only, silent, MP4):
- ``still``: a slide, the reference (one encoded picture, the rest skipped frames);
- ``clip``: a 10 s 1920x1080 24 fps clip, played six times over (every frame decoded, covered
  to the frame, converted and encoded by x264), untagged (taken as BT.709, as players take an
  untagged HD clip: scaled only);
- ``clip-709``: the same, tagged BT.709 (scaled only);
- ``clip-601``: the same, tagged BT.601 (scaled and converted to BT.709 in the same pass);
- ``clip-4:3``, ``c-4:3-709``: the same at 1440x1080, scaled to cover (cropped top and
  bottom);
- ``contain``: drawing the slide over a portrait picture with fit contain, against cover
  (the blurred fill), timed in this process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from bench.measure import run_measured
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.slides import Slide, render_slide

FPS, SECONDS, SIZE = 24, 60, (1920, 1080)


def make_clip(path: Path, size: tuple[int, int], seconds: int = 10, matrix: str | None = None
              ) -> Path:
    """A moving test clip: a gradient sky with a sun crossing it, converted with ``matrix``
    and tagged so ("bt709", as phones and cameras tag HD video, or "smpte170m", BT.601), or
    untagged (None)."""
    if path.exists():
        return path
    sky = Image.linear_gradient("L").resize(size).convert("RGB")
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"preset": "veryfast"}
        if matrix is not None:
            stream.options["x264-params"] = f"colorprim={matrix}:transfer={matrix}:" \
                                            f"colormatrix={matrix}"
        for n in range(seconds * FPS):
            frame = sky.copy()
            x = size[0] * n / (seconds * FPS)
            ImageDraw.Draw(frame).ellipse((x - 120, 200, x + 120, 440), fill=(255, 230, 90))
            picture = av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")
            if matrix == "bt709":
                picture = picture.reformat(format="yuv420p", dst_colorspace="ITU709")
            picture.pts = n
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def render_one(slide: str, target: str, clip: str) -> None:
    """The measured child: one 60 s shot."""
    shot = Shot(Path(slide), SECONDS * FPS, clip=Path(clip) if clip else None)
    render_video([shot], Path(target), fps=FPS, quality="standard", size=SIZE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.user_media", description=__doc__)
    parser.add_argument("--workdir", type=Path, default=Path(".bench"))
    args = parser.parse_args(argv)
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    slide = work / "user-media-slide.png"
    render_slide(Slide("Bench", "A still", "One slide for a minute.", 1, 2), slide, *SIZE)
    cases = {"still": "", "clip": str(make_clip(work / "clip-1080p.mp4", SIZE)),
             "clip-709": str(make_clip(work / "clip-1080p-709.mp4", SIZE, matrix="bt709")),
             "clip-601": str(make_clip(work / "clip-1080p-601.mp4", SIZE, matrix="smpte170m")),
             "clip-4:3": str(make_clip(work / "clip-4x3.mp4", (1440, 1080))),
             "c-4:3-709": str(make_clip(work / "clip-4x3-709.mp4", (1440, 1080), matrix="bt709"))}
    print(f"{'case':9} {'wall s':>7} {'cpu s':>7} {'peak MB':>8}  (per minute of video)")
    for name, clip in cases.items():
        cost = run_measured([sys.executable, "-m", "bench.user_media", "--child", str(slide),
                             str(work / f"user-media-{name.replace(':', 'x')}.mp4"), clip])
        print(f"{name:9} {cost.wall:7.2f} {cost.cpu:7.2f} {cost.peak_mb:8.0f}")
    portrait = work / "portrait.png"
    Image.linear_gradient("L").resize((1080, 1920)).convert("RGB").save(portrait)
    for fit in ("cover", "contain"):
        started = time.perf_counter()
        for _ in range(5):
            render_slide(Slide("Bench", None, "A picture.", 1, 2, portrait, fit=fit),
                         work / f"fit-{fit}.png", *SIZE)
        print(f"slide over a portrait, fit {fit}: {(time.perf_counter() - started) / 5:.3f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        render_one(*sys.argv[2:5])
    else:
        main()
