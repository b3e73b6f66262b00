"""A picture fitted to the frame: cropped to fill it (cover), or whole on a blurred fill
(contain).

Contain keeps every pixel of the picture, scaled to fit inside the frame and centred; the
bands it leaves are filled with the same picture scaled to cover the frame and blurred, as
phones show a portrait photo in a landscape frame, so the frame has no black bars. The blur
is made at a sixteenth of the frame's area and scaled back up: it looks the same as a blur at
full size and costs a few milliseconds at 1080p.
"""

from __future__ import annotations

from PIL import Image, ImageFilter, ImageOps

from reelflow.vocabulary import Fit

_SHRINK = 4  # the fill is blurred at 1/4 of each side
_BLUR = 0.025  # the blur's radius, as a fraction of the frame's longer side


def fit_picture(picture: Image.Image, size: tuple[int, int], fit: Fit) -> Image.Image:
    """Returns ``picture`` (RGB) as an RGB image of ``size``: cropped at the centre to fill it
    ("cover"), or scaled to fit inside it and centred on a blurred copy ("contain")."""
    cover: Image.Image = ImageOps.fit(picture, size)
    if fit == "cover":
        return cover
    small = (max(1, size[0] // _SHRINK), max(1, size[1] // _SHRINK))
    radius = max(1.0, max(small) * _BLUR * _SHRINK / 2)
    fill = cover.resize(small, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(radius))
    fill = fill.resize(size, Image.Resampling.BILINEAR)
    whole = ImageOps.contain(picture, size)
    fill.paste(whole, ((size[0] - whole.width) // 2, (size[1] - whole.height) // 2))
    return fill
