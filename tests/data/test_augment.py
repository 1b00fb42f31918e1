"""Augmentation: the identity at zero strength, exact whole-pixel shifts, bilinear sampling,
deterministic in (seed, epoch, batch), the input left alone, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.data.augment import AUGMENTATIONS, DEFAULT_STRENGTHS, Augmenter, _bilinear


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    x = np.zeros((16, 28, 28), np.float32)
    x[:, 6:22, 8:20] = rng.random((16, 16, 12), dtype=np.float32)  # ink away from the border
    return x.reshape(16, 784)


@pytest.mark.parametrize("kind", AUGMENTATIONS)
def test_zero_strength_is_the_identity(images, kind):
    zero = dict.fromkeys(DEFAULT_STRENGTHS[kind], 0.0)
    if kind == "elastic":
        zero["sigma"] = 1.0  # alpha 0: no field, whatever its smoothness
    np.testing.assert_array_equal(Augmenter(kind, **zero)(images, 3, 7), images)


def test_a_shift_moves_each_image_by_whole_pixels(images):
    out = Augmenter("shift", shift=2)(images, 1, 1).reshape(-1, 28, 28)
    padded = np.pad(images.reshape(-1, 28, 28), ((0, 0), (2, 2), (2, 2)))
    for image, source in zip(out, padded):
        moved = [(dy, dx) for dy in range(5) for dx in range(5)
                 if np.array_equal(image, source[dy : dy + 28, dx : dx + 28])]  # fmt: skip
        assert len(moved) == 1  # exactly one translation by -2..2 pixels each way gives it
    shifts = {Augmenter("shift", shift=2)(images, 1, b).tobytes() for b in range(5)}
    assert len(shifts) == 5


def test_bilinear_sampling_at_pixels_between_them_and_outside():
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    ys, xs = np.meshgrid(np.arange(4.0), np.arange(4.0), indexing="ij")
    np.testing.assert_array_equal(_bilinear(image, xs[None], ys[None]), image)
    half = _bilinear(image, xs[None] + 0.5, ys[None] + 0.5)
    assert half[0, 0, 0] == pytest.approx((0 + 1 + 4 + 5) / 4)
    far = _bilinear(image, xs[None] + 100, ys[None] - 100)
    assert not far.any()  # outside the image: zeros
    assert _bilinear(image, xs[None] - 0.5, ys[None])[0, 1, 0] == pytest.approx(
        4 / 2
    )  # half outside


@pytest.mark.parametrize("kind", AUGMENTATIONS)
def test_deterministic_in_seed_epoch_and_batch_and_the_input_is_left_alone(images, kind):
    before = images.copy()
    a = Augmenter(kind, seed=5)(images, 2, 3)
    np.testing.assert_array_equal(images, before)
    np.testing.assert_array_equal(a, Augmenter(kind, seed=5)(images, 2, 3))
    for other in (Augmenter(kind, seed=6)(images, 2, 3), Augmenter(kind, seed=5)(images, 3, 3),
                  Augmenter(kind, seed=5)(images, 2, 4)):  # fmt: skip
        assert not np.array_equal(a, other)
    assert a.dtype == images.dtype and a.shape == images.shape
    assert 0 <= a.min() and a.max() <= images.max() + 1e-6  # bilinear: a convex mix of pixels


def test_stronger_distortions_move_more_ink(images):
    def moved(**strengths):
        out = Augmenter("elastic", shift=0, rotate=0, scale=0, **strengths)(images, 0, 0)
        return float(np.abs(out - images).mean())

    assert 0 < moved(alpha=4) < moved(alpha=34)


def test_bad_kinds_and_strengths_are_clear_errors():
    with pytest.raises(
        ValueError, match="augment must be one of shift, affine, elastic, got 'flip'"
    ):
        Augmenter("flip")
    with pytest.raises(ValueError, match="augment 'shift' takes shift; got alpha"):
        Augmenter("shift", alpha=3)
    with pytest.raises(ValueError, match="finite and >= 0"):
        Augmenter("affine", rotate=float("nan"))
    with pytest.raises(ValueError, match="sigma must be > 0"):
        Augmenter("elastic", sigma=0)


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(AUGMENTATIONS),
    strength=st.floats(0, 1e6),
    epoch=st.integers(0, 2**31),
    batch=st.integers(0, 2**31),
)
def test_any_strength_gives_finite_images_in_range(kind, strength, epoch, batch):
    """Even absurd strengths (a million pixels, degrees) sample inside or outside the image:
    finite values between 0 and the input's largest, never an index error."""
    x = np.random.default_rng(1).random((3, 784), dtype=np.float32)
    strengths = dict.fromkeys(DEFAULT_STRENGTHS[kind], strength) | (
        {"sigma": max(strength, 0.5)} if kind == "elastic" else {}
    )
    out = Augmenter(kind, **strengths)(x, epoch, batch)
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
