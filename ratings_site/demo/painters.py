"""The demo pictures: development only; production never imports this module.

`demo_image(index)` gives a deterministic picture for any index: a few dozen kinds of picture
(sunsets, landscapes, bokeh, stripes, tiles, fractals, marble, city lights, auroras) and some
deliberately ugly ones (glitches, murk, neon clashes, static, broken "AI" artifacts), so that raters
of a site tried offline have a real range to judge. Only `manage.py seed_demo` (a development
command, which imports this module inside its function), the tests and the benchmarks use it; the web
process and the production commands never import it (tests/test_demo_code_never_imported_by_production.py).

The painters that captchas draw their backgrounds with stay in `ratings_site.datasets.drawing`
(production: `make_captchas`); the ones only the demo uses, the order of the demo's pictures and the
PNGs live here. Everything is seeded from the index: the same call gives the same bytes with the same
Pillow.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from ratings_site.datasets.drawing import (
    DEFAULT_SIZE,
    NEON,
    Painter,
    Size,
    _corner_gradient,
    _font,
    _glow,
    _grain,
    _hex,
    _mix,
    _paint_aurora,
    _paint_bauhaus,
    _paint_beach,
    _paint_bokeh,
    _paint_city,
    _paint_clash,
    _paint_fractal,
    _paint_glitch,
    _paint_landscape,
    _paint_marble,
    _paint_static,
    _paint_stripes,
    _paint_sunset,
    _paint_tiles,
    _paint_waves,
    _pick_palette,
    _to_png,
    _vignette,
)

# --- pictures only the demo draws (the captchas' backgrounds are in datasets/drawing.py) ---


def _paint_rings(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["heather", "retro", "dusk", "ocean", "pastel", "earth"])
    W, H = w * 2, h * 2
    img = Image.new("RGB", (W, H), palette[0])
    draw = ImageDraw.Draw(img, "RGBA")
    centres = [(W * rng.uniform(0.25, 0.75), H * rng.uniform(0.25, 0.75)) for _ in range(rng.choice([1, 2, 3]))]
    step = rng.uniform(18, 34) * W / 1536
    cx, cy = centres[0]
    r, k = math.hypot(W, H), 0
    while r > step:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=palette[k % len(palette)])
        r, k = r - step, k + 1
    for cx, cy in centres[1:]:
        r = math.hypot(W, H)
        while r > step:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*palette[0], 150), width=round(step / 2))
            r -= step
    kind = "Concentric rings" if len(centres) == 1 else f"{len(centres)} overlapping sets of rings making a moire"
    return img.reduce(2), f"{kind} in a {name} palette"


def _paint_gradient(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng)
    corners = rng.sample(palette, 4)
    img = _corner_gradient(w, h, corners)
    return _grain(img, rng, 0.04), f"A smooth four-colour gradient from a {name} palette"


def _paint_murk(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    muds = [_hex(c) for c in ["#5b5340", "#6e6651", "#4a4a3a", "#7a6a55", "#53584a", "#8a7f6a"]]
    img = _corner_gradient(w, h, rng.sample(muds, 4))
    draw = ImageDraw.Draw(img, "RGBA")
    tilt = rng.uniform(-0.15, 0.15) * h
    y = h * rng.uniform(0.45, 0.6)
    draw.polygon([(0, y - tilt), (w, y + tilt), (w, h), (0, h)], fill=(*rng.choice(muds), 200))
    for _ in range(rng.randint(4, 9)):
        r = rng.uniform(30, 140) * w / 768
        x, yy = rng.uniform(0, w), rng.uniform(0, h)
        draw.ellipse((x - r, yy - r * 0.7, x + r, yy + r * 0.7), fill=(*_mix(rng.choice(muds), (30, 25, 20), 0.4), 170))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(8, 16) * w / 768))
    _glow(img, (rng.uniform(0, w), rng.uniform(0, h * 0.4)), w * 0.2, (235, 230, 210), 0.55)
    img = ImageEnhance.Contrast(img).enhance(0.7)
    img = _vignette(img, 0.8)
    return _grain(img, rng, 0.35), "A murky, out-of-focus, low-contrast picture in muddy browns with a blown-out spot"


def _paint_broken(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    """The look of a failed generation: repeated patches, pixelated blocks, banding, garbled text."""
    base, _ = rng.choice([_paint_beach, _paint_landscape, _paint_bauhaus, _paint_bokeh])(rng, w, h)
    img = ImageOps.posterize(base, 3)
    pw, ph = round(rng.uniform(0.1, 0.2) * w), round(rng.uniform(0.1, 0.2) * h)
    px, py = rng.randrange(0, w - pw), rng.randrange(0, h - ph)
    patch = img.crop((px, py, px + pw, py + ph))
    x0, y0 = rng.randrange(0, w // 2), rng.randrange(0, h // 2)
    for i in range(rng.randint(2, 4)):
        for j in range(rng.randint(1, 3)):
            img.paste(patch, (x0 + i * pw, y0 + j * ph))
    for _ in range(rng.randint(1, 3)):
        bw, bh = round(rng.uniform(0.15, 0.4) * w), round(rng.uniform(0.1, 0.3) * h)
        bx, by = rng.randrange(0, w - bw), rng.randrange(0, h - bh)
        block = img.crop((bx, by, bx + bw, by + bh)).resize((max(1, bw // 24), max(1, bh // 24)))
        img.paste(block.resize((bw, bh), Image.Resampling.NEAREST), (bx, by))
    sy = rng.randrange(0, h - 60)
    smear = img.crop((0, sy, 1, sy + 60)).resize((w, 60))
    img.paste(smear, (0, sy))
    draw = ImageDraw.Draw(img)
    letters = "AEGKMNRSTVXZ0Q"
    for _ in range(rng.randint(1, 3)):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))
        where = (rng.uniform(0, w * 0.6), rng.uniform(0, h * 0.9))
        draw.text(where, word, font=_font(rng.randint(28, 70)), fill=rng.choice(NEON))
    return img, "A broken picture: repeated patches, pixelated blocks, a smeared band and garbled lettering"


# Interleaved so that any run of a dozen indexes mixes pretty, plain and ugly pictures.
PAINTERS: list[Painter] = [
    _paint_sunset,
    _paint_tiles,
    _paint_glitch,
    _paint_landscape,
    _paint_bokeh,
    _paint_murk,
    _paint_stripes,
    _paint_fractal,
    _paint_aurora,
    _paint_clash,
    _paint_city,
    _paint_marble,
    _paint_rings,
    _paint_broken,
    _paint_beach,
    _paint_bauhaus,
    _paint_waves,
    _paint_static,
    _paint_gradient,
]


# --- public ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoImage:
    png: bytes
    caption: str
    width: int
    height: int


def demo_image(index: int, size: Size = DEFAULT_SIZE) -> DemoImage:
    """The demo picture number `index` (any int) with a caption that describes it."""
    w, h = size
    rng = random.Random(index * 7919 + 104729)
    img, caption = PAINTERS[index % len(PAINTERS)](rng, w, h)
    if img.size != (w, h):
        img = img.resize((w, h), Image.Resampling.LANCZOS)
    return DemoImage(png=_to_png(img), caption=caption, width=w, height=h)


def draw_demo_image(index: int, size: Size = DEFAULT_SIZE) -> bytes:
    """PNG bytes of the demo picture number `index`."""
    return demo_image(index, size).png
