"""A person's digit image, prepared as MNIST's were: either polarity, any size, centred by mass."""

import os

import numpy as np
import pytest
from figures import blank_png
from hypothesis import given, settings
from hypothesis import strategies as st
from memory import peak_bytes
from PIL import Image

from numpynn.data.images import load_digit_image, prepare_digit


def enlarged(digit: np.ndarray, size: int = 140, invert: bool = False) -> np.ndarray:
    """An MNIST digit (784,) as a size x size photo in [0, 1], dark ink on white if ``invert``."""
    pixels = Image.fromarray((digit.reshape(28, 28) * 255).astype(np.uint8))
    gray = np.asarray(pixels.resize((size, size), Image.Resampling.BILINEAR)) / 255
    return 1 - gray if invert else gray


def test_a_digit_is_cropped_scaled_into_20x20_and_centred_by_mass(mnist):
    x = prepare_digit(enlarged(mnist[2][0]))
    assert x.shape == (784,) and x.dtype == np.float32 and x.min() >= 0 and x.max() <= 1
    image = x.reshape(28, 28)
    rows, cols = np.nonzero(image > 0.2)
    assert np.ptp(rows) < 21 and np.ptp(cols) < 21  # the digit's box fits 20x20
    centre = [(np.indices(image.shape)[k] * image).sum() / image.sum() for k in (0, 1)]
    np.testing.assert_allclose(centre, [14, 14], atol=1)  # as MNIST: mass centre at the middle


def test_dark_ink_on_light_paper_gives_the_same_input_as_light_on_dark(mnist):
    light_on_dark, dark_on_light = (prepare_digit(enlarged(mnist[2][1], invert=i)) for i in (0, 1))
    np.testing.assert_allclose(light_on_dark, dark_on_light, atol=0.01)


def test_an_enlarged_mnist_digit_comes_back_close_to_the_original(mnist):
    original = mnist[2][:20]
    prepared = np.array([prepare_digit(enlarged(x, size=84)) for x in original])
    correlation = [np.corrcoef(a, b)[0, 1] for a, b in zip(original, prepared)]
    assert np.median(correlation) > 0.95 and min(correlation) > 0.7, correlation


def test_files_that_are_not_a_digit_image_are_clear_errors(tmp_path):
    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ValueError, match="blank.png: the image is blank"):
        load_digit_image(tmp_path / "blank.png")
    with pytest.raises(ValueError, match="notes.png: cannot read it as an image"):
        load_digit_image(tmp_path / "notes.png")
    with pytest.raises(FileNotFoundError, match="missing.png does not exist"):
        load_digit_image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="a digit image must be a 2-D picture"):
        prepare_digit(np.ones((4, 4, 3)))


# ---- ordinary pictures, read as a person sees them ----------------------------------------------


def similar(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def digit_pixels(mnist, i=3, size=140) -> np.ndarray:
    """An MNIST test digit as 8-bit dark ink on white paper, size x size."""
    return (255 * (1 - enlarged(mnist[2][i], size))).astype(np.uint8)


def test_a_phone_photo_is_read_upright_by_its_exif_orientation(mnist, tmp_path):
    upright = digit_pixels(mnist)
    Image.fromarray(upright).save(tmp_path / "upright.jpg", quality=95)
    sideways = Image.fromarray(np.rot90(upright, -1).copy())  # the sensor's orientation
    exif = Image.Exif()
    exif[0x0112] = 8  # EXIF orientation: rotate 90 degrees counterclockwise to view
    sideways.save(tmp_path / "phone.jpg", quality=95, exif=exif)
    expected = load_digit_image(tmp_path / "upright.jpg")
    assert similar(load_digit_image(tmp_path / "phone.jpg"), expected) > 0.95


def test_a_16_bit_png_is_read_without_clipping(mnist, tmp_path):
    pixels = digit_pixels(mnist).astype(np.uint16) * 257  # the full 16-bit range
    Image.fromarray(pixels).save(tmp_path / "deep.png")
    Image.fromarray(digit_pixels(mnist)).save(tmp_path / "plain.png")
    assert (
        similar(load_digit_image(tmp_path / "deep.png"), load_digit_image(tmp_path / "plain.png"))
        > 0.99
    )


@pytest.mark.parametrize("ink", ["black", "white", "red"])
def test_a_drawing_app_s_transparent_png_is_read_by_its_ink(mnist, tmp_path, ink):
    coverage = 255 - digit_pixels(mnist)  # where the ink is
    rgba = np.zeros((*coverage.shape, 4), np.uint8)
    rgba[..., :3] = {"black": 0, "white": 255, "red": (255, 0, 0)}[ink]
    rgba[..., 3] = coverage  # transparent where there is no ink
    Image.fromarray(rgba, "RGBA").save(tmp_path / "drawing.png")
    Image.fromarray(digit_pixels(mnist)).save(tmp_path / "plain.png")
    assert (
        similar(
            load_digit_image(tmp_path / "drawing.png"), load_digit_image(tmp_path / "plain.png")
        )
        > 0.95
    )


def test_paper_under_uneven_light_is_read_as_its_digit(mnist, tmp_path):
    clean = 1 - enlarged(mnist[2][7], 200)  # dark ink on white paper
    light = np.linspace(0.25, 1.0, 200)[None, :] * np.linspace(0.6, 1.0, 200)[:, None]  # a lamp
    Image.fromarray((255 * clean * light).astype(np.uint8)).save(tmp_path / "photo.png")
    Image.fromarray((255 * clean).astype(np.uint8)).save(tmp_path / "scan.png")
    assert (
        similar(load_digit_image(tmp_path / "photo.png"), load_digit_image(tmp_path / "scan.png"))
        > 0.9
    )


def test_a_huge_picture_is_refused_before_it_is_decoded(tmp_path):
    (tmp_path / "huge.png").write_bytes(blank_png(12000, 12000))
    assert (tmp_path / "huge.png").stat().st_size < 200_000
    message = "huge.png: cannot read it as an image .*12000x12000 pixels, more than"
    with pytest.raises(ValueError, match=message):
        load_digit_image(tmp_path / "huge.png")
    refused = lambda: pytest.raises(ValueError, load_digit_image, tmp_path / "huge.png")  # noqa: E731
    assert peak_bytes(refused) < 5_000_000


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2000), keep=st.integers(0, 3000))
def test_damaged_or_random_image_files_are_one_clear_error(data, keep, tmp_path_factory):
    folder = tmp_path_factory.mktemp("img")
    good = folder / "good.png"
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(good)
    for name, content in (("random.png", data), ("cut.png", good.read_bytes()[:keep])):
        (folder / name).write_bytes(content)
        try:
            x = load_digit_image(folder / name)
        except ValueError as error:
            assert name in str(error) and "\n" not in str(error)
        else:
            assert x.shape == (784,) and np.isfinite(x).all()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_place_of_an_image_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "digit.png")
    with pytest.raises(ValueError, match="is not a regular file"):
        load_digit_image(tmp_path / "digit.png")
