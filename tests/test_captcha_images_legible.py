"""Captcha images: "RATE THIS IMAGE A {answer}" in high-contrast text on a band, readable back by a matcher."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, ImageStat

from ratings_site.datasets.drawing import captcha_layout, contrast_ratio, draw_captcha_image
from ratings_site.demo.painters import draw_demo_image

SIZE = (768, 768)


def picture(answer: int, variant: int) -> Image.Image:
    return Image.open(io.BytesIO(draw_captcha_image(answer, variant, SIZE))).convert("RGB")


def ink(img: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """Mode L: 255 where a pixel is close to `colour`."""
    distance = ImageChops.difference(img, Image.new("RGB", img.size, colour)).convert("L")
    return distance.point(lambda v: 255 if v < 40 else 0)


def inside_band(img: Image.Image, variant: int) -> Image.Image:
    """The band without its accent rules along the edges."""
    left, top, right, bottom = captcha_layout(variant, img.size).band
    margin = (bottom - top) // 20
    return img.crop((left, top + margin, right, bottom - margin))


def normalised(mask: Image.Image) -> Image.Image:
    box = mask.getbbox()
    assert box is not None, "no ink"
    return mask.crop(box).resize((48, 64), Image.Resampling.BILINEAR)


def read_number(img: Image.Image, variant: int) -> int:
    """Which of 1..10 the band's second line looks most like (a template matcher, not OCR)."""
    band = inside_band(img, variant)
    text = ink(band, captcha_layout(variant, img.size).text_colour)
    lower = text.crop((0, text.height // 2, text.width, text.height))
    box = lower.getbbox()
    assert box is not None
    seen, aspect = normalised(lower), (box[2] - box[0]) / (box[3] - box[1])

    def score(candidate: int) -> float:
        sample = Image.new("L", (400, 300), 0)
        ImageDraw.Draw(sample).text((20, 20), str(candidate), font=ImageFont.load_default(size=200), fill=255)
        cbox = sample.getbbox()
        assert cbox is not None
        caspect = (cbox[2] - cbox[0]) / (cbox[3] - cbox[1])
        difference = ImageStat.Stat(ImageChops.difference(seen, normalised(sample))).mean[0] / 255
        return difference + abs(aspect - caspect)

    return min(range(1, 11), key=score)


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_each_answer_gives_a_different_picture(variant: int) -> None:
    drawn = [draw_captcha_image(answer, variant, SIZE) for answer in range(1, 11)]
    assert len({hashlib.sha256(data).hexdigest() for data in drawn}) == 10
    bands = {inside_band(Image.open(io.BytesIO(data)).convert("RGB"), variant).tobytes() for data in drawn}
    assert len(bands) == 10, "the text itself differs, not only the background"


def test_variants_differ_and_the_same_call_gives_the_same_bytes() -> None:
    assert draw_captcha_image(7, 0) == draw_captcha_image(7, 0)
    assert len({draw_captcha_image(7, variant) for variant in range(3)}) == 3
    assert draw_demo_image(5) == draw_demo_image(5)


@pytest.mark.parametrize("variant", range(4))
def test_the_band_holds_text_in_a_high_contrast_colour(variant: int) -> None:
    layout = captcha_layout(variant, SIZE)
    assert contrast_ratio(layout.band_colour, layout.text_colour) >= 7
    left, top, right, bottom = layout.band
    assert bottom - top >= SIZE[1] * 0.3, "a large band"

    for answer in (1, 8, 10):
        band = inside_band(picture(answer, variant), variant)
        pixels = band.width * band.height
        text = ImageStat.Stat(ink(band, layout.text_colour)).sum[0] / 255 / pixels
        ground = ImageStat.Stat(ink(band, layout.band_colour)).sum[0] / 255 / pixels
        assert 0.04 < text < 0.4, "text pixels exist, and the band is not flooded"
        assert ground > 0.5, "the band is a plain ground behind the text"
        assert text + ground > 0.97, "the band holds only its two colours (and their edges)"


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_the_words_span_the_band_and_the_number_is_large(variant: int) -> None:
    band = inside_band(picture(4, variant), variant)
    text = ink(band, captcha_layout(variant, SIZE).text_colour)
    upper = text.crop((0, 0, text.width, text.height // 2)).getbbox()
    lower = text.crop((0, text.height // 2, text.width, text.height)).getbbox()
    assert upper is not None and lower is not None
    assert upper[2] - upper[0] > SIZE[0] * 0.6, '"RATE THIS IMAGE A" runs across the band'
    assert lower[3] - lower[1] > SIZE[1] * 0.1, "the number is large"


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_a_template_matcher_reads_the_answer_back(variant: int) -> None:
    assert [read_number(picture(answer, variant), variant) for answer in range(1, 11)] == list(range(1, 11))


def test_it_refuses_an_answer_that_is_not_a_rating() -> None:
    with pytest.raises(ValueError):
        draw_captcha_image(0, 0)
    with pytest.raises(ValueError):
        draw_captcha_image(11, 0)


def test_the_background_is_busy() -> None:
    img = picture(3, 0)
    left, top, right, bottom = captcha_layout(0, SIZE).band
    above = ImageOps.grayscale(img.crop((0, 0, SIZE[0], top)))
    assert ImageStat.Stat(above).stddev[0] > 20
