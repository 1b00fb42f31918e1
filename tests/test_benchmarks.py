"""The benchmark scripts run and their arithmetic is right. Their speed is never asserted here:
the numbers come from running them (docs/performance.md)."""

import math

import numpy as np
import pytest
import step_breakdown  # benchmarks/ is on pytest's pythonpath
import throughput
from time_to_accuracy import first_reach

import numpynn as nn
import numpynn.training


def digits_like(n: int, seed: int):
    """n noisy copies of 10 random 784-pixel prototypes: float32 images, int labels."""
    prototypes = np.random.default_rng(99).random((10, 784), dtype=np.float32)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    noise = rng.normal(0, 0.3, (n, 784)).astype(np.float32)
    return prototypes[labels] + noise, labels


def test_throughput_times_every_implementation_and_its_ratios_agree():
    data = (*digits_like(512, seed=0), *digits_like(256, seed=1))
    rows = throughput.run([784, 16, 10], "momentum", 64, rounds=2, threads=1, seed=0, data=data)
    by_name = {row["implementation"]: row for row in rows}
    assert {"numpynn", "GEMM bound"} <= set(by_name)  # PyTorch, scikit-learn where installed
    for row in rows:
        assert 0 < row["min_s"] <= row["median_s"] <= row["max_s"]
        assert math.isclose(row["samples_per_s"], 512 / row["median_s"])
        assert math.isclose(row["vs_gemm"], row["median_s"] / by_name["GEMM bound"]["median_s"])
    assert by_name["GEMM bound"]["test_accuracy"] is None
    assert by_name["numpynn"]["test_accuracy"] > 0.9  # it trained: chance is 0.1
    table = throughput.table(rows, "title").splitlines()
    assert table[0] == "title" and table[2].startswith("numpynn ")


def test_first_reach_sums_the_training_seconds_until_the_target():
    curve = [(1.0, 0.95), (2.0, 0.975), (1.5, 0.981)]  # (seconds, test accuracy) per epoch
    assert first_reach(curve, 0.97) == (3.0, 2)
    assert first_reach(curve, 0.98) == (4.5, 3)
    assert all(math.isnan(v) for v in first_reach(curve, 0.99))


def test_the_timed_train_step_times_every_phase_and_trains_as_train_step(monkeypatch):
    x, labels = digits_like(256, seed=0)
    models = []
    times = dict.fromkeys(step_breakdown.PHASES, 0.0)
    for step in (numpynn.training.train_step, step_breakdown.timed_train_step(times)):
        monkeypatch.setattr(numpynn.training, "train_step", step)
        model = nn.mlp([784, 16, 10], seed=0)
        optimizer = nn.Adam(model.parameters())
        nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, (x, labels), epochs=1, batch_size=64)
        models.append(model)
    assert all(seconds > 0 for seconds in times.values())
    for p, q in zip(*(m.parameters() for m in models), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_the_sklearn_benchmark_fits_every_implementation_alike_and_its_ratios_agree(monkeypatch):
    sklearn_mlp = pytest.importorskip("sklearn_mlp")  # needs scikit-learn
    monkeypatch.setitem(sklearn_mlp.EPOCHS, "digits", 3)
    x, labels = digits_like(300, seed=0)
    data = {"digits": (x.astype(np.float64), labels, *digits_like(100, seed=1))}
    rows = sklearn_mlp.run(["digits"], [0, 1], data=data)
    assert len(rows) == 2 * len(sklearn_mlp.IMPLEMENTATIONS)
    assert all(row["epochs"] == 3 and row["test_accuracy"] > 0.5 for row in rows)  # chance: 0.1
    by_name = {s["implementation"]: s for s in sklearn_mlp.summary(rows)}
    ours = by_name["numpynn"]
    assert ours["speedup"] == 1 and ours["accuracy_gap"] == 0
    for s in by_name.values():
        assert math.isclose(s["speedup"], s["median_fit_seconds"] / ours["median_fit_seconds"])
        assert math.isclose(s["accuracy_gap"], ours["mean_test_accuracy"] - s["mean_test_accuracy"])
    assert sklearn_mlp.table(list(by_name.values())).count("\n| digits |") == 3
