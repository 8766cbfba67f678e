"""Pictures drawn with Pillow alone, for the check images (production: `make_captchas`).

`draw_captcha_image(answer, variant)` gives a busy picture carrying, on a high-contrast band, the
text "RATE THIS IMAGE A {answer}", each variant different in every pixel (see `draw_captcha`);
`draw_best_check(variant)` one that says "THIS IS THE BEST IMAGE / PICK IT", for the best-of page. Their
backgrounds are the painters here (sunsets, landscapes, bokeh, stripes, tiles, fractals, marble, city
lights, auroras, glitches, neon clashes, static...), so that a captcha passes for a demo picture.

The demo pictures themselves (`demo_image(index)`, and the painters only they use) are development
only: `ratings_site/demo/painters.py`, which production never imports.

Everything is seeded from the arguments: the same call gives the same bytes with the same
Pillow. No randomness comes from Pillow itself (`effect_noise` is not seeded), only from
`random.Random`.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

RGB = tuple[int, int, int]
Size = tuple[int, int]
Painter = Callable[[random.Random, int, int], tuple[Image.Image, str]]

DEFAULT_SIZE: Size = (768, 768)


# --- colours -----------------------------------------------------------------------------


def _hex(colour: str) -> RGB:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


PALETTES: dict[str, list[RGB]] = {
    name: [_hex(c) for c in colours]
    for name, colours in {
        "dusk": ["#0b1d51", "#3e1f60", "#8c3b7a", "#e0607e", "#f9a26c", "#ffd38a"],
        "ocean": ["#03045e", "#023e8a", "#0077b6", "#00b4d8", "#90e0ef", "#caf0f8"],
        "forest": ["#081c15", "#1b4332", "#2d6a4f", "#40916c", "#74c69d", "#d8f3dc"],
        "retro": ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51"],
        "candy": ["#ff595e", "#ffca3a", "#8ac926", "#1982c4", "#6a4c93"],
        "heather": ["#22223b", "#4a4e69", "#9a8c98", "#c9ada7", "#f2e9e4"],
        "ember": ["#03071e", "#6a040f", "#d00000", "#f48c06", "#ffba08"],
        "pastel": ["#cdb4db", "#ffc8dd", "#ffafcc", "#bde0fe", "#a2d2ff"],
        "earth": ["#582f0e", "#7f4f24", "#936639", "#a68a64", "#b6ad90", "#ede0d4"],
        "harbour": ["#0d3b66", "#faf0ca", "#f4d35e", "#ee964b", "#f95738"],
        "lagoon": ["#05668d", "#028090", "#00a896", "#02c39a", "#f0f3bd"],
    }.items()
}
NEON: list[RGB] = [_hex(c) for c in ["#ff00ff", "#00ff00", "#ffff00", "#ff0000", "#00ffff", "#0000ff"]]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _ramp(stops: Sequence[RGB], n: int = 256) -> list[RGB]:
    """`n` colours running evenly through `stops`."""
    if len(stops) == 1:
        return [stops[0]] * n
    out = []
    for i in range(n):
        t = i / (n - 1) * (len(stops) - 1)
        k = min(int(t), len(stops) - 2)
        out.append(_mix(stops[k], stops[k + 1], t - k))
    return out


def _luminance(c: RGB) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast_ratio(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- building blocks ---------------------------------------------------------------------


def _vertical_gradient(w: int, h: int, stops: Sequence[RGB]) -> Image.Image:
    strip = Image.new("RGB", (1, 256))
    strip.putdata(_ramp(stops))
    return strip.resize((w, h), Image.Resampling.BILINEAR)


def _corner_gradient(w: int, h: int, corners: Sequence[RGB]) -> Image.Image:
    """A smooth blend of four corner colours (top-left, top-right, bottom-left, bottom-right)."""
    tl, tr, bl, br = corners
    left, right = _vertical_gradient(w, h, [tl, bl]), _vertical_gradient(w, h, [tr, br])
    across = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return Image.composite(right, left, across.resize((w, h), Image.Resampling.BILINEAR))


def _colorize(gray: Image.Image, stops: Sequence[RGB]) -> Image.Image:
    """Map an L image through a colour ramp."""
    ramp = _ramp(stops)
    lut = [c[0] for c in ramp] + [c[1] for c in ramp] + [c[2] for c in ramp]
    return gray.convert("RGB").point(lut)


def _smooth_noise(rng: random.Random, w: int, h: int, octaves: Sequence[int] = (4, 8, 16, 32, 64)) -> Image.Image:
    """Cloudy value noise (mode L) from a few octaves of random pixels scaled up."""
    acc: Image.Image | None = None
    for k, cells in enumerate(octaves):
        small = Image.frombytes("L", (cells, cells), rng.randbytes(cells * cells))
        layer = small.resize((w, h), Image.Resampling.BICUBIC)
        acc = layer if acc is None else Image.blend(acc, layer, 1 / (k + 1) * 0.8)
    assert acc is not None
    return ImageOps.autocontrast(acc, cutoff=1)


def _grain(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    w, h = img.size
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    noise = noise.point(lambda v: round(128 + (v - 128) * strength))
    return ImageChops.overlay(img, Image.merge("RGB", (noise, noise, noise)))


def _vignette(img: Image.Image, strength: float) -> Image.Image:
    w, h = img.size
    mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: round(min(255, max(0, (v - 90) * 1.6)) * strength))
    out = img.copy()
    out.paste((0, 0, 0), mask=mask)
    return out


def _glow(img: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, strength: float = 1.0) -> None:
    """A soft halo of light, drawn small and scaled up (fast at any radius)."""
    w, h = img.size
    q = 4
    mask = Image.new("L", (w // q, h // q), 0)
    cx, cy, r = centre[0] / q, centre[1] / q, radius / q
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=round(255 * strength))
    mask = mask.filter(ImageFilter.GaussianBlur(r * 0.6)).resize((w, h), Image.Resampling.BILINEAR)
    img.paste(colour, mask=mask)


def _ridge(rng: random.Random, w: int, base: float, amplitude: float, roughness: float = 0.55) -> list[tuple[float, float]]:
    """A skyline of hills by midpoint displacement: points from x=0 to x=w."""
    n = 128
    ys = [0.0] * (n + 1)
    ys[0], ys[n] = rng.uniform(-1, 1), rng.uniform(-1, 1)
    step, scale = n, 1.0
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            ys[i] = (ys[i - half] + ys[i + half]) / 2 + rng.uniform(-1, 1) * scale
        step, scale = half, scale * roughness
    return [(i * w / n, base - y * amplitude) for i, y in enumerate(ys)]


def _fill_below(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], h: int, colour: RGB) -> None:
    draw.polygon([*points, (points[-1][0], h), (points[0][0], h)], fill=colour)


def _pick_palette(rng: random.Random, names: Sequence[str] | None = None) -> tuple[str, list[RGB]]:
    name = rng.choice(list(names or PALETTES))
    return name, PALETTES[name]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


# --- pleasant pictures --------------------------------------------------------------------


def _paint_sunset(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    horizon = round(h * rng.uniform(0.56, 0.66))
    top = rng.choice([_hex("#0b1d51"), _hex("#1d1846"), _hex("#2b1055")])
    sky = _vertical_gradient(
        w, horizon, [top, _hex("#5b2a86"), _hex("#c94b7d"), _hex("#f08a4b"), rng.choice([_hex("#fcd581"), _hex("#ffe3a3")])]
    )
    sun_x, sun_r = w * rng.uniform(0.3, 0.7), min(w, h) * rng.uniform(0.07, 0.11)
    sun_y = horizon - sun_r * rng.uniform(0.2, 1.4)
    _glow(sky, (sun_x, sun_y), sun_r * 4, _hex("#ffb36b"), 0.55)
    _glow(sky, (sun_x, sun_y), sun_r * 1.8, _hex("#ffd9a0"), 0.8)
    draw = ImageDraw.Draw(sky)
    draw.ellipse((sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r), fill=_hex("#fff1c9"))
    ridges = rng.randint(1, 3)
    for k in range(ridges):
        colour = _mix(_hex("#8a4f7d"), _hex("#2a1638"), (k + 1) / ridges)
        base = horizon - h * 0.02 * (ridges - k)
        _fill_below(draw, _ridge(rng, w, base, h * 0.05 * (ridges - k + 1)), horizon, colour)
    img = Image.new("RGB", (w, h))
    img.paste(sky, (0, 0))
    water = ImageOps.flip(sky).crop((0, 0, w, h - horizon))
    water = ImageEnhance.Brightness(water).enhance(0.62)
    img.paste(water, (0, horizon))
    draw = ImageDraw.Draw(img, "RGBA")
    for _ in range(int(h * 0.25)):
        y = rng.uniform(horizon + 2, h)
        depth = (y - horizon) / (h - horizon)
        half = sun_r * rng.uniform(0.3, 1.6) * (0.6 + depth)
        x = sun_x + rng.gauss(0, sun_r * 0.3)
        draw.line((x - half, y, x + half, y), fill=(255, 214, 150, rng.randint(40, 140)), width=rng.choice([1, 2]))
        if rng.random() < 0.6:
            xx = rng.uniform(0, w)
            draw.line((xx - 30, y, xx + 30, y), fill=(20, 10, 40, 60), width=1)
    hills = "a line of hills" if ridges == 1 else f"{ridges} ridges of hills"
    return _grain(img, rng, 0.08), f"A sunset over {hills}, the sun reflected in calm water"


def _paint_landscape(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    season, sky_stops, near, far = rng.choice(
        [
            ("summer", ["#3a7bd5", "#8ec5fc", "#e0f0ff"], "#1f4d2b", "#9fb8c8"),
            ("autumn", ["#4b6cb7", "#a7bfe8", "#f6e3c5"], "#5a2e0e", "#c9a98a"),
            ("misty blue", ["#6b7b8c", "#b8c6d1", "#eef2f3"], "#20303f", "#c5d0d8"),
            ("spring", ["#56ccf2", "#bde8f7", "#fdfbe4"], "#2f6b3a", "#b7d3b0"),
        ]
    )
    sky = [_hex(c) for c in sky_stops]
    img = _vertical_gradient(w, h, sky)
    draw = ImageDraw.Draw(img, "RGBA")
    clouds = Image.new("L", (w // 2, h // 2), 0)
    cdraw = ImageDraw.Draw(clouds)
    for _ in range(rng.randint(3, 7)):
        cx, cy = rng.uniform(0, w / 2), rng.uniform(h * 0.03, h * 0.2)
        for _ in range(rng.randint(4, 9)):
            rx, ry = rng.uniform(20, 55) * w / 768, rng.uniform(10, 24) * h / 768
            ox, oy = rng.gauss(0, rx), rng.gauss(0, ry * 0.4)
            cdraw.ellipse((cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry), fill=rng.randint(170, 235))
    clouds = clouds.filter(ImageFilter.GaussianBlur(7)).resize((w, h), Image.Resampling.BILINEAR)
    img.paste((255, 255, 255), mask=clouds)
    layers = rng.randint(4, 6)
    near_c, far_c = _hex(near), _hex(far)
    for k in range(layers):
        t = k / (layers - 1)
        base = h * (0.42 + 0.42 * t)
        points = _ridge(rng, w, base, h * (0.09 - 0.04 * t), roughness=rng.uniform(0.45, 0.6))
        _fill_below(draw, points, h, _mix(far_c, near_c, t))
        if k == layers - 1 and season != "misty blue":
            for _ in range(rng.randint(10, 30)):
                i = rng.randrange(len(points))
                x, y = points[i]
                th, tw = rng.uniform(40, 90) * h / 768, rng.uniform(9, 16) * w / 768
                draw.polygon([(x, y - th), (x - tw, y + 4), (x + tw, y + 4)], fill=_mix(near_c, (0, 0, 0), 0.35))
    article = "An" if season[0] in "aeiou" else "A"
    return _grain(img, rng, 0.05), f"{article} {season} landscape: layered hills fading into haze under drifting clouds"


def _paint_bokeh(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["dusk", "ember", "ocean", "candy", "lagoon", "pastel"])
    dark = _mix(palette[0], (0, 0, 0), 0.7)
    img = _corner_gradient(w, h, [dark, _mix(palette[1], (0, 0, 0), 0.6), (5, 5, 10), dark])
    s = min(w, h) / 768
    for count, blur, rmin, rmax in [(40, 14, 40, 90), (30, 6, 25, 60), (18, 1.5, 12, 34)]:
        layer = Image.new("RGB", (w, h))
        ldraw = ImageDraw.Draw(layer, "RGBA")
        for _ in range(count):
            r = rng.uniform(rmin, rmax) * s
            x, y = rng.uniform(-r, w + r), rng.gauss(h * 0.5, h * 0.28)
            colour = _mix(rng.choice(palette[1:]), (255, 255, 255), rng.uniform(0, 0.35))
            ldraw.ellipse((x - r, y - r, x + r, y + r), fill=(*colour, rng.randint(70, 160)))
            ldraw.ellipse((x - r, y - r, x + r, y + r), outline=(*colour, 200), width=max(1, round(2 * s)))
        layer = layer.filter(ImageFilter.GaussianBlur(blur * s))
        img = ImageChops.screen(img, layer)
    return _grain(img, rng, 0.06), f"Out-of-focus bokeh lights in a {name} palette on a dark background"


def _paint_stripes(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["retro", "harbour", "candy", "pastel", "lagoon", "heather", "earth"])
    kind = rng.choice(["diagonal", "horizontal", "vertical"])
    side = math.ceil(math.hypot(w, h)) + 4
    canvas = Image.new("RGB", (side, side), palette[0])
    draw = ImageDraw.Draw(canvas)
    x = 0.0
    order = palette[:]
    while x < side:
        width = rng.choice([12, 20, 30, 48, 80]) * side / 1100
        draw.rectangle((x, 0, x + width, side), fill=rng.choice(order))
        x += width
    angle = {"diagonal": rng.choice([30, 45, -45, 60]), "horizontal": 90, "vertical": 0}[kind]
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC)
    left, top = (side - w) // 2, (side - h) // 2
    img = canvas.crop((left, top, left + w, top + h))
    return _grain(img, rng, 0.1), f"{kind.capitalize()} stripes of uneven widths in a {name} palette"


def _paint_tiles(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    """Truchet tiles with quarter circles or triangles, drawn at twice the size for smooth edges."""
    name, palette = _pick_palette(rng, ["retro", "harbour", "candy", "heather", "ocean", "ember", "lagoon"])
    motif = rng.choice(["quarter circles", "triangles", "arcs"])
    W, H = w * 2, h * 2
    cells = rng.choice([6, 8, 10, 12])
    cw, ch = W / cells, H / cells
    img = Image.new("RGB", (W, H), palette[0])
    draw = ImageDraw.Draw(img)
    for i in range(cells):
        for j in range(cells):
            x0, y0 = i * cw, j * ch
            bg, fg = rng.sample(palette, 2)
            draw.rectangle((x0, y0, x0 + cw, y0 + ch), fill=bg)
            corner = rng.randrange(4)
            cx, cy = (x0 if corner in (0, 3) else x0 + cw), (y0 if corner in (0, 1) else y0 + ch)
            if motif == "quarter circles":
                draw.ellipse((cx - cw, cy - ch, cx + cw, cy + ch), fill=fg)
            elif motif == "triangles":
                pts = [(x0, y0), (x0 + cw, y0), (x0 + cw, y0 + ch), (x0, y0 + ch)]
                del pts[corner]
                draw.polygon(pts, fill=fg)
            else:
                lw = round(cw * 0.18)
                for ox, oy in ((x0, y0), (x0 + cw, y0 + ch)) if corner % 2 else ((x0 + cw, y0), (x0, y0 + ch)):
                    draw.ellipse((ox - cw / 2, oy - ch / 2, ox + cw / 2, oy + ch / 2), outline=fg, width=lw)
    return img.reduce(2), f"A geometric pattern of {cells}x{cells} tiles with {motif} in a {name} palette"


def _paint_aurora(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    img = _vertical_gradient(w, h, [_hex("#02030a"), _hex("#0b1a33"), _hex("#123a4a")])
    draw = ImageDraw.Draw(img)
    for _ in range(int(w * h / 1500)):
        x, y, v = rng.uniform(0, w), rng.uniform(0, h * 0.8), rng.randint(90, 255)
        draw.point((x, y), fill=(v, v, min(255, v + 20)))
    for _ in range(6):
        _glow(img, (rng.uniform(0, w), rng.uniform(0, h * 0.5)), 10, _hex("#e8f0ff"), 0.9)
    hue = rng.choice(
        [
            ("#39ff88", "#2fd1c5", "green and teal"),
            ("#7cff6b", "#ff5fa2", "green and pink"),
            ("#5dffb0", "#8a6cff", "green and violet"),
        ]
    )
    colours = [_hex(hue[0]), _hex(hue[1])]
    for band in range(rng.randint(2, 3)):
        layer = Image.new("RGB", (w, h))
        ldraw = ImageDraw.Draw(layer)
        phase, freq = rng.uniform(0, 6.3), rng.uniform(1.5, 3.5)
        base = h * rng.uniform(0.2, 0.45)
        for x in range(0, w, 2):
            t = x / w
            y0 = base + math.sin(t * freq * 3.14 + phase) * h * 0.08 + math.sin(t * 11 + phase) * h * 0.02
            length = h * (0.12 + 0.1 * (0.5 + 0.5 * math.sin(t * 23 + phase * 2)))
            v = 0.55 + 0.45 * math.sin(t * 37 + phase)
            c = _mix((0, 0, 0), colours[band % 2], v)
            ldraw.line((x, y0 - length, x, y0), fill=_mix(c, (0, 0, 0), 0.6))
            ldraw.line((x, y0 - length * 0.4, x, y0), fill=c)
        layer = layer.filter(ImageFilter.GaussianBlur(5 * w / 768))
        img = ImageChops.screen(img, layer)
    draw = ImageDraw.Draw(img)
    ground = _ridge(rng, w, h * 0.86, h * 0.03)
    _fill_below(draw, ground, h, (2, 6, 8))
    for _ in range(rng.randint(25, 45)):
        x = rng.uniform(0, w)
        y = ground[min(len(ground) - 1, round(x / w * (len(ground) - 1)))][1] + 4
        th, tw = rng.uniform(50, 130) * h / 768, rng.uniform(10, 20) * w / 768
        draw.polygon([(x, y - th), (x - tw, y), (x + tw, y)], fill=(2, 6, 8))
    return _grain(img, rng, 0.07), f"The northern lights in {hue[2]} over a dark pine forest under a starry sky"


def _paint_fractal(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["ember", "ocean", "dusk", "lagoon", "forest"])
    where, cx, cy, span = rng.choice(
        [
            ("the whole set", -0.6, 0.0, 2.8),
            ("seahorse valley", -0.745, 0.11, 0.06),
            ("a spiral off the main bulb", -0.7435, 0.1314, 0.012),
            ("the elephant valley", 0.28, 0.008, 0.03),
        ]
    )
    extent = (cx - span / 2, cy - span / 2 * h / w, cx + span / 2, cy + span / 2 * h / w)
    gray = Image.effect_mandelbrot((w, h), extent, 120 if span < 0.1 else 60)
    gray = ImageOps.equalize(gray)
    img = _colorize(gray, palette)
    return img, f"A Mandelbrot-set fractal, {where}, in a {name} palette"


def _paint_marble(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["heather", "earth", "ocean", "pastel", "lagoon", "dusk"])
    noise = _smooth_noise(rng, w, h, octaves=(3, 6, 12, 24))
    ramp = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR).rotate(rng.choice([0, 30, 60, 90, 120]))
    mixed = Image.blend(ramp, noise, rng.uniform(0.35, 0.5))
    periods = rng.uniform(2, 4)
    veins = mixed.point(lambda v: round(127.5 + 127.5 * math.sin(v / 255 * periods * 2 * math.pi)))
    stops = [palette[-1], palette[len(palette) // 2], palette[-1], palette[1], palette[-2]]
    img = _colorize(veins, stops).filter(ImageFilter.SMOOTH_MORE)
    return _grain(img, rng, 0.05), f"A marbled texture with soft veins in a {name} palette"


def _paint_city(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    img = _vertical_gradient(w, h, [_hex("#070b1f"), _hex("#1b2150"), _hex("#4e3a6e"), _hex("#b86b77")])
    moon = rng.choice(["full", "crescent"])
    mx, my, mr = rng.uniform(w * 0.15, w * 0.85), rng.uniform(h * 0.1, h * 0.3), min(w, h) * 0.06
    _glow(img, (mx, my), mr * 3, _hex("#c8d4ff"), 0.35)
    draw = ImageDraw.Draw(img)
    draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=_hex("#f4f1de"))
    if moon == "crescent":
        sky_at = img.getpixel((round(mx), max(0, round(my - mr * 1.6))))
        draw.ellipse((mx - mr * 0.55, my - mr * 1.15, mx + mr * 1.45, my + mr * 0.85), fill=sky_at)
    for layer, (shade, lit_chance, base) in enumerate([((40, 38, 75), 0.15, 0.62), ((14, 14, 30), 0.35, 0.72)]):
        x = -rng.uniform(0, 40)
        while x < w:
            bw = rng.uniform(40, 110) * w / 768
            top = h * base - rng.uniform(0, 0.33 if layer else 0.25) * h
            draw.rectangle((x, top, x + bw, h), fill=shade)
            if rng.random() < 0.25:
                draw.rectangle((x + bw * 0.4, top - h * 0.04, x + bw * 0.6, top), fill=shade)
            for wy in range(round(top + 10), h - 8, 14):
                for wx in range(round(x + 6), round(x + bw - 8), 12):
                    if rng.random() < lit_chance:
                        warm = rng.choice([(255, 214, 120), (255, 190, 90), (200, 230, 255)])
                        draw.rectangle((wx, wy, wx + 5, wy + 7), fill=_mix(warm, shade, 0.4 if layer == 0 else 0))
            x += bw + rng.uniform(0, 10)
    return _grain(img, rng, 0.06), f"A city skyline at night with lit windows under a {moon} moon"


def _paint_bauhaus(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    W, H = w * 2, h * 2
    palette = [_hex("#e63946"), _hex("#f1c40f"), _hex("#1d3557"), _hex("#457b9d"), _hex("#111111")]
    img = Image.new("RGB", (W, H), rng.choice([_hex("#f1e9da"), _hex("#efe6d2"), _hex("#e9e4d8")]))
    draw = ImageDraw.Draw(img, "RGBA")
    for _ in range(rng.randint(2, 3)):
        r = rng.uniform(0.12, 0.3) * W
        x, y = rng.uniform(r * 0.5, W - r * 0.5), rng.uniform(r * 0.5, H - r * 0.5)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*rng.choice(palette), 235))
    for _ in range(rng.randint(2, 4)):
        x, y = rng.uniform(0, W * 0.8), rng.uniform(0, H * 0.8)
        draw.rectangle(
            (x, y, x + rng.uniform(0.05, 0.4) * W, y + rng.uniform(0.03, 0.3) * H),
            fill=(*rng.choice(palette), 225),
        )
    for _ in range(rng.randint(1, 2)):
        r = rng.uniform(0.1, 0.2) * W
        x, y = rng.uniform(r, W - r), rng.uniform(r, H - r)
        start = rng.choice([0, 90, 180, 270])
        draw.pieslice((x - r, y - r, x + r, y + r), start, start + 180, fill=(*rng.choice(palette), 240))
    for _ in range(rng.randint(3, 6)):
        draw.line(
            (rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0, W), rng.uniform(0, H)),
            fill=(17, 17, 17, 255),
            width=round(rng.choice([4, 6, 14]) * W / 1536),
        )
    img = img.reduce(2)
    return _grain(img, rng, 0.12), "An abstract composition of circles, bars and lines in the Bauhaus manner"


def _paint_beach(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    horizon = round(h * rng.uniform(0.4, 0.5))
    img = Image.new("RGB", (w, h))
    img.paste(_vertical_gradient(w, horizon, [_hex("#6fb1e8"), _hex("#bfe2f7"), _hex("#f3f1e7")]), (0, 0))
    img.paste(_vertical_gradient(w, h - horizon, [_hex("#2a7fa8"), _hex("#3fb5c9"), _hex("#7fd6d2")]), (0, horizon))
    draw = ImageDraw.Draw(img, "RGBA")
    for _ in range(int(h * 0.6)):
        y = rng.uniform(horizon + 1, h)
        length = rng.uniform(8, 60) * (y - horizon) / h * 2
        x = rng.uniform(0, w)
        draw.line((x, y, x + length, y), fill=(255, 255, 255, rng.randint(20, 70)))
    shore = [(p[0], p[1]) for p in _ridge(rng, w, h * rng.uniform(0.7, 0.78), h * 0.04, 0.5)]
    foam = [(x, y - 6) for x, y in shore]
    _fill_below(draw, foam, h, (255, 255, 255, 200))
    _fill_below(draw, shore, h, _hex("#e8d3a9"))
    if rng.random() < 0.5:
        sx, sy = rng.uniform(w * 0.2, w * 0.8), horizon - h * 0.01
        draw.polygon([(sx, sy - h * 0.06), (sx, sy), (sx + w * 0.04, sy)], fill=(250, 250, 250, 255))
        hull = [(sx - w * 0.03, sy), (sx + w * 0.05, sy), (sx + w * 0.04, sy + h * 0.01), (sx - w * 0.02, sy + h * 0.01)]
        draw.polygon(hull, fill=(90, 60, 40, 255))
        what = "A quiet beach with a small sailing boat on a calm turquoise sea"
    else:
        what = "A quiet beach: pale sand, a line of foam and a calm turquoise sea"
    return _grain(img, rng, 0.1), what


def _paint_waves(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    name, palette = _pick_palette(rng, ["ocean", "dusk", "lagoon", "retro", "pastel", "forest"])
    W, H = w * 2, h * 2
    img = Image.new("RGB", (W, H), palette[-1])
    draw = ImageDraw.Draw(img)
    bands = rng.randint(6, 10)
    colours = _ramp(palette[::-1], bands)
    for k in range(bands):
        base = H * (0.15 + 0.85 * k / bands)
        amp, freq, phase = H * rng.uniform(0.015, 0.05), rng.uniform(1.5, 4), rng.uniform(0, 6.3)
        pts = [(x, base + amp * math.sin(x / W * freq * 2 * math.pi + phase)) for x in range(0, W + 8, 8)]
        _fill_below(draw, pts, H, colours[k])
    return _grain(img.reduce(2), rng, 0.06), f"{bands} stacked waves shading through a {name} palette"


# --- deliberately ugly pictures -----------------------------------------------------------


def _paint_glitch(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    base, _ = rng.choice([_paint_landscape, _paint_sunset, _paint_city])(rng, w, h)
    buf = io.BytesIO()
    base.resize((w // 3, h // 3)).save(buf, "JPEG", quality=rng.randint(2, 6))
    img = Image.open(buf).convert("RGB").resize((w, h), Image.Resampling.NEAREST)
    r, g, b = img.split()
    r = ImageChops.offset(r, rng.randint(8, 30), 0)
    b = ImageChops.offset(b, -rng.randint(8, 30), rng.randint(-6, 6))
    img = Image.merge("RGB", (r, g, b))
    for _ in range(rng.randint(6, 14)):
        y0 = rng.randrange(0, h - 10)
        strip = img.crop((0, y0, w, y0 + rng.randint(4, 60)))
        img.paste(ImageChops.offset(strip, rng.randint(-w // 3, w // 3), 0), (0, y0))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 8)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        draw.rectangle((x, y, x + rng.uniform(10, 200), y + rng.uniform(3, 30)), fill=rng.choice(NEON))
    img = ImageOps.posterize(img, rng.choice([2, 3]))
    return img, "A garbled, glitched picture: shifted colour channels, torn rows and heavy compression blocks"


def _paint_clash(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    a, b = rng.sample(NEON, 2)
    cells = rng.randint(5, 11)
    img = Image.new("RGB", (w, h), a)
    draw = ImageDraw.Draw(img)
    for i in range(cells):
        for j in range(cells):
            if (i + j) % 2:
                jit = rng.uniform(-12, 12)
                draw.rectangle((i * w / cells + jit, j * h / cells - jit, (i + 1) * w / cells, (j + 1) * h / cells), fill=b)
    for _ in range(rng.randint(8, 16)):
        kind = rng.random()
        box = sorted((rng.uniform(0, w), rng.uniform(0, w)))
        ys = sorted((rng.uniform(0, h), rng.uniform(0, h)))
        colour = rng.choice(NEON + [(128, 128, 0), (110, 60, 20)])
        if kind < 0.4:
            draw.ellipse((box[0], ys[0], box[1], ys[1]), outline=colour, width=rng.randint(1, 12))
        elif kind < 0.7:
            points = [(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(rng.randint(3, 7))]
            draw.line(points, fill=colour, width=rng.randint(2, 20))
        else:
            draw.polygon([(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(3)], fill=colour)
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    img = Image.blend(img, noise, rng.uniform(0.15, 0.35))
    img = img.filter(ImageFilter.UnsharpMask(radius=4, percent=300, threshold=0))
    return img, "A deliberately ugly clash of neon colours, noise and clumsy oversharpened shapes"


def _paint_static(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    grain = rng.choice([1, 2, 3])
    noise = Image.frombytes("RGB", (w // grain, h // grain), rng.randbytes((w // grain) * (h // grain) * 3))
    img = noise.resize((w, h), Image.Resampling.NEAREST)
    gray = ImageOps.grayscale(img)
    img = Image.blend(img, Image.merge("RGB", (gray, gray, gray)), rng.uniform(0.3, 0.8))
    draw = ImageDraw.Draw(img, "RGBA")
    for y in range(0, h, 3):
        draw.line((0, y, w, y), fill=(0, 0, 0, 90))
    y0 = rng.uniform(0, h * 0.8)
    draw.rectangle((0, y0, w, y0 + h * 0.12), fill=(255, 255, 255, 50))
    return _vignette(img, 0.6), "Television static: grainy noise, scanlines and a rolling bright band"


# --- captchas ----------------------------------------------------------------------------


def _to_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


@dataclass(frozen=True)
class DrawnPicture:
    data: bytes
    caption: str
    width: int
    height: int


@dataclass(frozen=True)
class CaptchaLayout:
    band: tuple[int, int, int, int]  # left, top, right, bottom
    band_colour: RGB
    text_colour: RGB


_CAPTCHA_SCHEMES: list[tuple[RGB, RGB]] = [
    ((255, 255, 255), (0, 0, 0)),
    ((0, 0, 0), (255, 214, 0)),
    ((255, 214, 0), (0, 0, 0)),
    ((16, 24, 64), (255, 255, 255)),
]


def captcha_layout(variant: int, size: Size = DEFAULT_SIZE) -> CaptchaLayout:
    """Where a captcha's band lies and its colours (used by the drawing and its tests).

    Drawn from `variant`: the band's height and place and its colours differ from one captcha to the next.
    """
    w, h = size
    rng = random.Random(f"captcha-layout:{variant}")
    band_h = round(h * rng.uniform(0.32, 0.40))
    centre = h * rng.uniform(0.36, 0.64)
    top = round(centre - band_h / 2)
    band_colour, text_colour = rng.choice(_CAPTCHA_SCHEMES)
    return CaptchaLayout(band=(0, top, w, top + band_h), band_colour=band_colour, text_colour=text_colour)


@lru_cache(maxsize=32)
def _fitted_font(text: str, max_width: int, start: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = start
    while size > 8:
        font = _font(size)
        left, _, right, _ = font.getbbox(text, stroke_width=max(1, size // 30))
        if right - left <= max_width:
            return font
        size -= 2
    return _font(size)


# Busy, quick backgrounds for captchas (rings take 0.6 s; murk and gradients are too calm behind the confetti).
CAPTCHA_PAINTERS: list[Painter] = [
    _paint_sunset,
    _paint_tiles,
    _paint_glitch,
    _paint_landscape,
    _paint_bokeh,
    _paint_stripes,
    _paint_fractal,
    _paint_aurora,
    _paint_clash,
    _paint_city,
    _paint_marble,
    _paint_beach,
    _paint_bauhaus,
    _paint_waves,
    _paint_static,
]

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}


def _encode(img: Image.Image, image_format: str) -> bytes:
    if image_format == "PNG":
        return _to_png(img)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, image_format, quality=90)
    return buf.getvalue()


def _busy_background(
    rng: random.Random, size: Size, *, avoid: str = ""
) -> tuple[Image.Image, ImageDraw.ImageDraw, str]:
    """A check's busy picture: one of CAPTCHA_PAINTERS (whose caption must not contain `avoid` as a number), grain
    over every pixel, and confetti; with its drawing context and its caption."""
    w, h = size
    img, caption = rng.choice(CAPTCHA_PAINTERS)(rng, w, h)
    while avoid and re.search(rf"(?<![0-9]){avoid}(?![0-9])", caption):  # "6 stacked waves" must not sit beside a 6
        img, caption = rng.choice(CAPTCHA_PAINTERS)(rng, w, h)
    img = img.convert("RGB").resize((w, h)) if img.size != (w, h) else img.convert("RGB")
    img = _grain(img, rng, rng.uniform(0.08, 0.2))
    draw = ImageDraw.Draw(img, "RGBA")
    s = min(w, h) / 768
    for _ in range(rng.randint(40, 90)):  # confetti, to keep it busy
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 16) * s
        colour = (*rng.choice(NEON + [(255, 255, 255)]), rng.randint(120, 230))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=colour)
    return img, draw, caption


def _draw_band(draw: ImageDraw.ImageDraw, layout: CaptchaLayout, s: float) -> None:
    """The high-contrast band a check's words sit on: its shadow, its colour and an accent rule along each edge."""
    left, top, right, bottom = layout.band
    draw.rectangle((left, top + 6 * s, right, bottom + 6 * s), fill=(0, 0, 0, 110))  # shadow
    draw.rectangle(layout.band, fill=layout.band_colour)
    accent = layout.text_colour
    draw.rectangle((left, top, right, top + max(2, round(5 * s))), fill=accent)
    draw.rectangle((left, bottom - max(2, round(5 * s)), right, bottom), fill=accent)


def _check_format(image_format: str) -> None:
    if image_format not in IMAGE_FORMATS.values():
        raise ValueError(f"A check is drawn as one of {sorted(set(IMAGE_FORMATS.values()))}, not {image_format!r}")


def _check_canvas(rng: random.Random, variant: int, size: Size, avoid: str = ""):
    """What every check image is drawn on: a busy background (its caption) and the high-contrast band of
    `captcha_layout(variant, size)`. Returns the picture, its drawing context, the caption, the band's top and
    height, and the colour its words are written in."""
    w, h = size
    img, draw, caption = _busy_background(rng, size, avoid=avoid)
    layout = captcha_layout(variant, size)
    _, top, _, bottom = layout.band
    _draw_band(draw, layout, min(w, h) / 768)
    return img, draw, caption, top, bottom - top, layout.text_colour


def draw_captcha(answer: int, variant: int, size: Size = DEFAULT_SIZE, image_format: str = "PNG") -> DrawnPicture:
    """A busy picture carrying "RATE THIS IMAGE A {answer}" on a high-contrast band, with a caption that
    describes its background as a dataset image's caption would (never the answer).

    Everything but the answer is drawn from `variant`: the background and its palette, grain over every
    pixel, confetti, the band's place, height and colours, the size and place of the number. Give each
    captcha a random 64-bit variant and no two files are alike, so no table of file hashes (or of
    backgrounds) gives the answer; the same arguments give the same bytes, for the tests.
    """
    if not 1 <= answer <= 10:
        raise ValueError(f"A captcha's answer is a rating from 1 to 10, not {answer!r}")
    _check_format(image_format)
    w, h = size
    rng = random.Random(f"captcha:{answer}:{variant}")
    img, draw, caption, top, band_h, accent = _check_canvas(rng, variant, size, avoid=str(answer))

    line = "RATE THIS IMAGE A"
    font = _fitted_font(line, round(w * rng.uniform(0.8, 0.9)), round(band_h * 0.26))
    stroke = max(1, round(font.size / 30)) if isinstance(font, ImageFont.FreeTypeFont) else 0
    draw.text((w / 2, top + band_h * 0.25), line, font=font, fill=accent, anchor="mm", stroke_width=stroke, stroke_fill=accent)
    number = str(answer)
    big = _fitted_font(number, round(w * 0.5), round(band_h * rng.uniform(0.46, 0.54)))
    stroke = max(1, round(big.size / 25)) if isinstance(big, ImageFont.FreeTypeFont) else 0
    centre_x = w * rng.uniform(0.38, 0.62)
    draw.text((centre_x, top + band_h * 0.66), number, font=big, fill=accent, anchor="mm", stroke_width=stroke, stroke_fill=accent)
    return DrawnPicture(data=_encode(img, image_format), caption=caption, width=w, height=h)


# What a best-of check says (datasets.captchas.make_best_checks): among a prompt group's images, the one to pick.
BEST_CHECK_LINES = ("THIS IS THE BEST IMAGE", "PICK IT")


def draw_best_check(variant: int, size: Size = DEFAULT_SIZE, image_format: str = "PNG") -> DrawnPicture:
    """A best-of check: a busy picture in the captchas' style carrying "THIS IS THE BEST IMAGE" and, large,
    "PICK IT" on a high-contrast band, with a caption that describes its background as a dataset image's would
    (never what it asks).

    As `draw_captcha`, everything is drawn from `variant` (background, palette, grain, confetti, the band's place,
    height and colours, the words' size and place): give each a random 64-bit variant and no two files are alike.
    """
    _check_format(image_format)
    w, h = size
    rng = random.Random(f"best-check:{variant}")
    img, draw, caption, top, band_h, accent = _check_canvas(rng, variant, size)

    line, call = BEST_CHECK_LINES
    font = _fitted_font(line, round(w * rng.uniform(0.8, 0.9)), round(band_h * 0.24))
    stroke = max(1, round(font.size / 30)) if isinstance(font, ImageFont.FreeTypeFont) else 0
    draw.text((w / 2, top + band_h * 0.27), line, font=font, fill=accent, anchor="mm", stroke_width=stroke, stroke_fill=accent)
    big = _fitted_font(call, round(w * rng.uniform(0.6, 0.8)), round(band_h * rng.uniform(0.38, 0.46)))
    stroke = max(1, round(big.size / 25)) if isinstance(big, ImageFont.FreeTypeFont) else 0
    centre_x = w * rng.uniform(0.45, 0.55)
    draw.text((centre_x, top + band_h * 0.66), call, font=big, fill=accent, anchor="mm", stroke_width=stroke, stroke_fill=accent)
    return DrawnPicture(data=_encode(img, image_format), caption=caption, width=w, height=h)


def draw_captcha_image(answer: int, variant: int, size: Size = DEFAULT_SIZE) -> bytes:
    """PNG bytes of the captcha `draw_captcha` draws."""
    return draw_captcha(answer, variant, size).data
