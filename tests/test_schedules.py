"""Learning-rate schedules: each by hand, warm-up, defaults over the run, clear errors."""

import math

import numpy as np
import pytest

import numpynn as nn


def lrs(schedule, epochs):
    return [schedule(epoch) for epoch in range(epochs)]


def test_each_schedule_by_hand():
    assert lrs(nn.Constant(0.1), 3) == [0.1, 0.1, 0.1]
    assert lrs(nn.StepDecay(1.0, step_size=2, gamma=0.5), 5) == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert lrs(nn.Exponential(1.0, gamma=0.5), 4) == [1.0, 0.5, 0.25, 0.125]
    cosine = nn.Cosine(1.0, epochs=4, min_lr=0.2)
    expected = [
        1.0,
        0.2 + 0.8 * (1 + math.sqrt(0.5)) / 2,
        0.6,
        0.2 + 0.8 * (1 - math.sqrt(0.5)) / 2,
    ]
    np.testing.assert_allclose(lrs(cosine, 4), expected, rtol=1e-15)
    assert cosine(4) == cosine(10) == 0.2  # after its epochs, the cosine stays at min_lr


def test_warmup_ramps_up_linearly_then_hands_over():
    warm = nn.Warmup(nn.StepDecay(0.4, step_size=1, gamma=0.5), epochs=3)
    np.testing.assert_allclose(lrs(warm, 6), [0.1, 0.2, 0.3, 0.4, 0.2, 0.1], rtol=1e-15)
    assert lrs(nn.Warmup(nn.Constant(0.4), epochs=0), 2) == [0.4, 0.4]


def test_make_schedule_spreads_its_defaults_over_the_epochs_after_warmup():
    assert lrs(nn.make_schedule("constant", 0.1, 3), 3) == [0.1] * 3
    step = lrs(nn.make_schedule("step", 1.0, 9), 9)
    np.testing.assert_allclose(step, [1.0] * 3 + [0.1] * 3 + [0.01] * 3, rtol=1e-12)
    exponential = lrs(nn.make_schedule("exponential", 1.0, 10), 10)
    assert exponential[0] == 1.0 and exponential[-1] == pytest.approx(0.01, rel=1e-12)
    warm_cosine = nn.make_schedule("cosine", 1.0, 10, warmup_epochs=2)
    assert repr(warm_cosine) == "Warmup(after=Cosine(lr=1.0, epochs=8, min_lr=0.0), epochs=2)"
    values = lrs(warm_cosine, 10)
    np.testing.assert_allclose(values[:3], [1 / 3, 2 / 3, 1.0], rtol=1e-15)
    assert all(a > b > 0 for a, b in zip(values[2:], values[3:]))  # strictly down, never 0
    custom = nn.make_schedule("step", 1.0, 6, gamma=0.5, step_size=2)
    assert lrs(custom, 6) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.make_schedule("linear", 0.1, 5), "unknown schedule 'linear'; choose one of: constant, cosine, exponential, step"),
        (lambda: nn.make_schedule("cosine", 0.1, 5, warmup_epochs=5), r"warmup_epochs must be an integer in \[0, epochs=5\), got 5; leave at least one epoch"),
        (lambda: nn.make_schedule("cosine", 0.1, 5, gamma=0.5), "gamma applies to the step and exponential schedules, not 'cosine'"),
        (lambda: nn.make_schedule("exponential", 0.1, 5, step_size=2), "step_size applies to the step schedule, not 'exponential'"),
        (lambda: nn.make_schedule("step", 0.1, 5, gamma=0.0), r"StepDecay: gamma must be in \(0, 1\], got 0.0"),
        (lambda: nn.StepDecay(0.1, step_size=0), "StepDecay: step_size must be an integer >= 1, got 0"),
        (lambda: nn.Exponential(0.1, gamma=1.5), r"Exponential: gamma must be in \(0, 1\], got 1.5"),
        (lambda: nn.Cosine(0.1, epochs=5, min_lr=0.2), r"Cosine: min_lr must be in \[0, 0.1\], got 0.2"),
        (lambda: nn.Constant(-0.1), "Constant: lr must be a finite number > 0, got -0.1"),
        (lambda: nn.StepDecay(0, step_size=1), "StepDecay: lr must be a finite number > 0, got 0"),
        (lambda: nn.Exponential(0, gamma=0.5), "Exponential: lr must be a finite number > 0, got 0"),
        (lambda: nn.Cosine(0, epochs=5), "Cosine: lr must be a finite number > 0, got 0"),
        (lambda: nn.Cosine(0.1, epochs=0), "Cosine: epochs must be an integer >= 1, got 0"),
        (lambda: nn.Warmup(nn.Constant(0.1), epochs=-1), "Warmup: epochs must be an integer >= 0, got -1"),
        (lambda: nn.make_schedule("constant", 0.1, 0), "make_schedule: epochs must be an integer >= 1, got 0"),
    ],
)  # fmt: skip
def test_bad_schedules_are_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_step_decay_divides_by_ten_by_default():
    assert lrs(nn.StepDecay(1.0, step_size=1), 3) == [1.0, 0.1, 1.0 * 0.1**2]


def test_the_shortest_schedules_and_their_defaults():
    assert lrs(nn.Cosine(1.0, epochs=1), 2) == [1.0, 0.0]
    assert lrs(nn.make_schedule("constant", 0.1, 1), 1) == [0.1]
    # step: every ceil(4 / 3) = 2 epochs; exponential: lr/100 on the last of 2 epochs
    assert lrs(nn.make_schedule("step", 1.0, 4), 4) == [1.0, 1.0, 0.1, 0.1]
    assert lrs(nn.make_schedule("exponential", 1.0, 2), 2) == [1.0, 0.01]
    assert lrs(nn.make_schedule("exponential", 1.0, 4, gamma=0.5), 3) == [1.0, 0.5, 0.25]


def test_after_the_warmup_the_wrapped_schedule_takes_over_exactly():
    warm = nn.Warmup(nn.Constant(0.1), epochs=2)
    assert lrs(warm, 4)[2:] == [0.1, 0.1]  # not 0.1·3/3, which rounds to 0.10000000000000002
