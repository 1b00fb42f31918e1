"""Layer statistics, the Monitor, and a pathological run for every symptom."""

import numpy as np
import pytest
from toy_data import blobs

import numpynn as nn
from numpynn.data.batching import train_val_split
from numpynn.diagnostics import Monitor, layer_statistics


def dense(W, b, name):
    layer = nn.Dense(*np.shape(W), init="zeros", dtype="float64", name=name)
    layer.W.value[...], layer.b.value[...] = W, b
    return layer


def test_layer_statistics_by_hand():
    x = np.array([[1.0, 2.0], [3.0, -1.0], [-2.0, 0.5]])
    labels = np.array([0, 1, 0])
    # unit 0: x0 + x1 (positive for rows 0, 1), unit 1: always -10 (dead), unit 2: x0 (row 1 only)
    first = dense([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]], [0.0, -10.0, 0.0], "dense0")
    second = dense([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]], [0.1, 0.0], "dense1")
    model = nn.Sequential([first, nn.ReLU(), second])
    loss, stats = layer_statistics(model, nn.SoftmaxCrossEntropy(), x, labels)

    hidden = np.maximum(x @ first.W.value + first.b.value, 0)
    assert stats["dense0.dead"] == pytest.approx(1 / 3)  # one of three units never active
    assert stats["dense0.act_mean"] == pytest.approx(hidden.mean())
    assert stats["dense0.act_std"] == pytest.approx(hidden.std())
    reference = nn.Sequential([dense(first.W.value, first.b.value, "a"), nn.ReLU(),
                               dense(second.W.value, second.b.value, "b")])  # fmt: skip
    loss_fn = nn.SoftmaxCrossEntropy()
    assert loss == pytest.approx(loss_fn.forward(reference.forward(x), labels))
    reference.backward(loss_fn.backward())
    for name, layer in (("dense0", reference[0]), ("dense1", reference[2])):
        assert stats[f"{name}.grad_norm"] == pytest.approx(np.linalg.norm(layer.W.grad))
        assert stats[f"{name}.weight_norm"] == pytest.approx(np.linalg.norm(layer.W.value))
    assert "dense1.act_mean" not in stats  # the output layer has no activation


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_units_sit_in_a_flat_tail_on_90_percent_of_examples(activation):
    x = np.linspace(-1, 1, 20)[:, None]  # 20 examples, |x| >= 0.0526
    # unit 0 gets 40·x: in sigmoid's flat tail (σ' < 1/40) where |40x| > 3.66, on 18 of the 20
    # examples (90%: saturated); tanh's tail (1 − y² < 0.1) starts at 1.82, all 20; unit 1 gets
    # 0.1·x, never in a tail
    layer = dense([[40.0, 0.1]], [0.0, 0.0], "dense0")
    model = nn.Sequential(
        [layer, nn.get_activation(activation), dense([[1.0], [1.0]], [0.0], "out")]
    )
    _, stats = layer_statistics(model, nn.MeanSquaredError(), x, np.zeros(20, dtype=int))
    assert stats["dense0.saturated"] == 0.5
    layer.W.value[0, 0] = 2.0  # in the tail on at most 2 of 20 examples: not saturated
    _, stats = layer_statistics(model, nn.MeanSquaredError(), x, np.zeros(20, dtype=int))
    assert stats["dense0.saturated"] == 0.0


def test_layer_statistics_need_distinct_layer_names():
    model = nn.Sequential([nn.Dense(2, 2, rng=np.random.default_rng(0)), nn.ReLU(),
                           nn.Dense(2, 2, rng=np.random.default_rng(1))])  # fmt: skip
    x = np.ones((2, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=r"must have distinct names.*got \['dense', 'dense'\]"):
        layer_statistics(model, nn.SoftmaxCrossEntropy(), x, np.array([0, 1]))


def test_monitor_rejects_an_empty_or_unpaired_batch():
    with pytest.raises(ValueError, match="Monitor: x and labels must be a non-empty batch"):
        Monitor(np.zeros((3, 2)), np.zeros(2, dtype=int))


def test_monitor_adds_statistics_without_changing_training():
    x, labels = blobs(600)

    def train(monitor):
        model = nn.mlp([5, 16, 8, 3], dropout=0.2, seed=0)
        history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model.parameters()), (x, labels),
                         (x[:100], labels[:100]), epochs=3, batch_size=32, seed=1, monitor=monitor)  # fmt: skip
        return model, history

    plain_model, plain = train(None)
    monitor = Monitor(x[:200], labels[:200])
    model, history = train(monitor)
    for p, q in zip(plain_model.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)  # bit-identical weights
    assert list(plain.rows[0]) == ["epoch", "train_loss", "train_accuracy", "val_loss",
                                   "val_accuracy", "lr", "seconds"]  # fmt: skip
    stats = [k for k in history.rows[0] if "." in k]
    for name in ("dense0", "dense1", "dense2"):
        for stat in ("weight_norm", "grad_norm", "update_ratio"):
            assert f"{name}.{stat}" in stats
    assert {"dense0.dead", "dense1.act_std"} <= set(stats) and "dense2.dead" not in stats
    assert all(0 < row["dense0.update_ratio"] < 0.1 for row in history.rows)
    assert monitor.initial_loss == pytest.approx(
        nn.SoftmaxCrossEntropy().forward(nn.mlp([5, 16, 8, 3], dropout=0.2, seed=0).forward(x[:200]), labels[:200])
    )  # fmt: skip
    assert len(history.to_csv().splitlines()[0].split(",")) == 7 + len(stats)


def test_update_ratio_of_a_watched_sgd_step_is_lr_times_gradient_over_weights():
    x, labels = blobs(64)
    model, loss_fn = nn.mlp([5, 4, 3], seed=0), nn.SoftmaxCrossEntropy()
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    W = model[0].W.value.copy()
    monitor = Monitor(x, labels)
    monitor.watch(model, nn.train_step, model, loss_fn, optimizer, x, labels)
    expected = 0.5 * np.linalg.norm(model[0].W.grad) / np.linalg.norm(W)
    assert monitor._update_ratios["dense0.update_ratio"] == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def digits(mnist):
    x, labels, _, _ = mnist
    (train, val) = train_val_split(x[:7000], labels[:7000], 1000, np.random.default_rng(0))
    return train, val


def set_biases(value):
    def tweak(model):
        for layer in model.layers[:-1]:
            if isinstance(layer, nn.Dense):
                layer.b.value[...] = value

    return tweak


def scale_weights(factor, last_only=False):
    def tweak(model):
        for layer in [model.layers[-1]] if last_only else model.layers:
            if isinstance(layer, nn.Dense):
                layer.W.value[...] *= factor

    return tweak


DEEP = [784] + [64] * 10 + [10]


PATHOLOGIES = {  # symptom: (how the run is broken, its recipe)
    "initial-loss": ("last layer's weights x20", dict(tweak=scale_weights(20, last_only=True))),
    "vanishing-gradients": ("depth-10 sigmoid", dict(sizes=DEEP, activation="sigmoid", optimizer="sgd", lr=0.1)),
    "exploding-gradients": ("depth-10 ReLU, weights x2", dict(sizes=DEEP, tweak=scale_weights(2), optimizer="sgd", lr=1e-6)),
    "lr-too-high": ("learning rate 10", dict(activation="tanh", optimizer="sgd", lr=10)),
    "lr-too-low": ("learning rate 1e-6", dict(optimizer="sgd", lr=1e-6)),
    "dead-relus": ("all-negative ReLU biases", dict(tweak=set_biases(-5.0))),
    "saturated-units": ("sigmoid biases +5", dict(activation="sigmoid", tweak=set_biases(5.0))),
    "loss-not-decreasing": ("labels shuffled", dict(shuffle_labels=True)),
    "overfitting": ("300 images, 15 epochs", dict(images=300, epochs=15, lr=3e-3)),
}  # fmt: skip


def diagnosed_run(digits, sizes=(784, 256, 128, 10), activation="relu", optimizer="adam", lr=1e-3,
                  tweak=None, shuffle_labels=False, images=None, epochs=1):  # fmt: skip
    (x, labels), val = digits
    x, labels = x[:images], labels[:images]
    if shuffle_labels:
        labels = np.random.default_rng(1).permutation(labels)
    model = nn.mlp(list(sizes), activation, seed=0)
    if tweak:
        tweak(model)
    warned = []
    monitor = Monitor(*val, warn=warned.append)
    with np.errstate(all="ignore"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.get_optimizer(optimizer, model.parameters(), lr),
               (x, labels), val, epochs=epochs, batch_size=128, seed=0, monitor=monitor)  # fmt: skip
    assert sorted(warned, key=id) == sorted(monitor.symptoms, key=id)  # each printed once
    return monitor.symptoms


@pytest.mark.parametrize("symptom", sorted(PATHOLOGIES))
def test_each_symptom_is_provoked_by_its_pathological_run(digits, symptom):
    _, recipe = PATHOLOGIES[symptom]
    found = {s.name: s for s in diagnosed_run(digits, **recipe)}
    assert symptom in found, f"{PATHOLOGIES[symptom][0]}: found only {sorted(found)}"
    assert found[symptom].advice and found[symptom].message


def test_a_loss_that_explodes_stops_training_while_still_finite(digits):
    # SGD lr 10 on ReLUs: the loss reaches ~1e5 in three steps, then every ReLU dies and the
    # loss falls back to chance; fit stops at the explosion instead
    with pytest.raises(FloatingPointError, match=r"up from 2.4\d at the first batch: training "
                       r"diverged; lower the learning rate"):  # fmt: skip
        diagnosed_run(digits, optimizer="sgd", lr=10)


def test_healthy_runs_raise_no_symptom(digits):
    assert diagnosed_run(digits, epochs=2) == []  # the default network and optimizer
    assert diagnosed_run(digits, optimizer="sgd", lr=0.1, epochs=2) == []
    assert (
        diagnosed_run(digits, sizes=(784, 100, 10), activation="sigmoid", optimizer="sgd", lr=0.5)
        == []
    )
