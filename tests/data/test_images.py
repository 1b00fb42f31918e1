"""A person's digit image, prepared as MNIST's were: either polarity, any size, centred by mass."""

import numpy as np
import pytest
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
    np.testing.assert_allclose(light_on_dark, dark_on_light, atol=1e-5)


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
