"""train_step, fit and evaluate: learning, determinism, schedules, clipping, float32, and the NaN
guard that names where a NaN or Inf came from."""

import numpy as np
import pytest
from toy_data import blobs

import numpynn as nn
from numpynn.training import locate_non_finite


def test_fit_learns_and_records_one_row_per_epoch():
    x, labels = blobs()
    model = nn.mlp([5, 16, 3], seed=0)
    seen = []
    history = nn.fit(
        model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1), (x[:300], labels[:300]),
        (x[300:], labels[300:]), epochs=5, batch_size=32, seed=0, on_epoch_end=lambda state: seen.append(state.history.rows[-1]),
    )  # fmt: skip
    assert len(history) == 5 and seen == history.rows
    assert history["epoch"] == [1, 2, 3, 4, 5]
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert history["lr"] == [0.1] * 5 and all(s > 0 for s in history["seconds"])
    assert (
        history.to_csv().splitlines()[0]
        == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds"
    )


def test_fit_is_deterministic_for_a_seed():
    x, labels = blobs()

    def run(seed):
        model = nn.mlp([5, 8, 3], dropout=0.2, seed=seed)
        history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model.parameters()), (x, labels),
                         epochs=3, batch_size=50, seed=seed)  # fmt: skip
        return [{k: v for k, v in r.items() if k != "seconds"} for r in history.rows], model

    (rows_a, model_a), (rows_b, model_b), (rows_c, _) = run(1), run(1), run(2)
    assert rows_a == rows_b and rows_a != rows_c
    for p, q in zip(model_a.parameters(), model_b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_fit_stops_at_the_first_non_finite_loss_with_a_clear_error():
    x, labels = blobs()
    model = nn.mlp([5, 16, 3], seed=0)
    x = x * 1e3
    with (
        np.errstate(all="ignore"),
        pytest.raises(
            FloatingPointError,
            match=r"loss is (nan|inf) at epoch 1, batch \d+ \(lr=1e\+06\): the weights dense\d\.[Wb] hold (nan|inf) after the last update; lower the learning rate",
        ),
    ):
        nn.fit(
            model, nn.MeanSquaredError(), nn.SGD(model.parameters(), lr=1e6), (x, labels), epochs=3
        )


def test_fit_rejects_mismatched_or_mistyped_data():
    x, labels = blobs()
    model = nn.mlp([5, 3], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="train: 400 inputs but 399 labels"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels[:-1]))
    with pytest.raises(TypeError, match="inputs are float64 but the model is float32"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x.astype(np.float64), labels))
    with pytest.raises(ValueError, match="fit: epochs must be an integer >= 1, got 0"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels), epochs=0)
    with pytest.raises(ValueError, match="fit: batch_size must be an integer >= 1, got 0"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels), batch_size=0)


def test_evaluate_counts_correct_predictions():
    model = nn.Sequential([nn.Identity()])
    logits = np.array([[2.0, 1.0], [0.0, 5.0], [3.0, 4.0], [1.0, 0.0]])
    result = nn.evaluate(model, logits, np.array([0, 1, 0, 1]), batch_size=3)
    assert result["accuracy"] == 0.5
    assert result["loss"] == pytest.approx(
        nn.SoftmaxCrossEntropy().forward(logits, np.array([0, 1, 0, 1]))
    )


def test_fit_sets_the_learning_rate_of_each_epoch_from_the_schedule():
    x, labels = blobs()
    model = nn.mlp([5, 8, 3], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    schedule = nn.make_schedule("step", 0.2, 5, warmup_epochs=1, gamma=0.5, step_size=2)
    seen = []
    history = nn.fit(
        model, nn.SoftmaxCrossEntropy(), optimizer, (x, labels), epochs=5, batch_size=100,
        schedule=schedule, on_epoch_end=lambda row: seen.append(optimizer.lr),
    )  # fmt: skip
    assert history["lr"] == seen == [0.1, 0.2, 0.2, 0.1, 0.1]
    lines = [line.split(",") for line in history.to_csv().splitlines()]
    column = lines[0].index("lr")
    assert [line[column] for line in lines[1:]] == ["0.1", "0.2", "0.2", "0.1", "0.1"]


def test_a_schedule_shorter_than_the_run_is_a_clear_error():
    x, labels = blobs()
    model = nn.mlp([5, 3], seed=0)
    with pytest.raises(ValueError, match=r"fit: the schedule Cosine\(lr=0.1, epochs=2, min_lr=0.0\) gives lr=0.0 for epoch 3; a learning rate must be > 0"):  # fmt: skip
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1), (x, labels),
               epochs=3, schedule=nn.Cosine(0.1, epochs=2))  # fmt: skip


def test_clip_norm_caps_every_step_of_fit():
    x, labels = blobs()
    norms = []

    class Recording(nn.SGD):
        def step(self):
            norms.append(np.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in self.params)))
            super().step()

    for clip_norm in (None, 0.05):
        model = nn.mlp([5, 16, 3], seed=0)
        nn.fit(model, nn.SoftmaxCrossEntropy(), Recording(model.parameters(), lr=0.1), (x, labels),
               epochs=1, batch_size=50, clip_norm=clip_norm)  # fmt: skip
    unclipped, clipped = norms[:8], norms[8:]
    assert max(unclipped) > 0.05 and max(clipped) <= 0.05 * (1 + 1e-6)
    with pytest.raises(ValueError, match=r"fit: clip_norm must be a finite number > 0, got -1"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), Recording(model.parameters(), lr=0.1), (x, labels), clip_norm=-1)  # fmt: skip


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov", "adam", "rmsprop"])
def test_float32_stays_float32_through_forward_backward_and_step(optimizer):
    model = nn.mlp([20, 16, 16, 3], activation="tanh", dropout=0.1, seed=0)
    opt = nn.get_optimizer(optimizer, model.parameters(), 1e-2)
    x, labels = blobs(64)[0][:, :5].repeat(4, axis=1), blobs(64)[1]
    for loss_fn in (nn.SoftmaxCrossEntropy(), nn.MeanSquaredError()):
        outputs = model.forward(x, training=True)
        loss_fn.forward(outputs, labels)
        grad = loss_fn.backward()
        assert outputs.dtype == grad.dtype == model.backward(grad).dtype == np.float32
        opt.step()
        for p in model.parameters():
            assert p.value.dtype == p.grad.dtype == np.float32, p.name
        assert all(
            a.dtype == np.float32 for a in opt.state_dict().values() if isinstance(a, np.ndarray)
        )


def test_optimized_float32_training_follows_a_float64_reference():
    """A few steps of the fast float32 path agree with the same steps in float64 to float32
    rounding: no accuracy is lost to the packed buffer, the per-batch gather or the fused updates."""
    x, labels = blobs(512)
    x = np.hstack([x] * 20)  # 100 inputs
    runs = {}
    start_weights = [p.value.copy() for p in nn.mlp([100, 64, 32, 3], seed=0).parameters()]
    for dtype in ("float32", "float64"):
        model = nn.mlp([100, 64, 32, 3], seed=0, dtype=dtype)
        for p, w in zip(model.parameters(), start_weights, strict=True):
            p.value[...] = w  # the same starting point, exactly
        opt = nn.Adam(model.parameters(), lr=1e-3)
        for start in range(0, 512, 64):
            xb = x[start : start + 64].astype(dtype)
            nn.train_step(model, nn.SoftmaxCrossEntropy(), opt, xb, labels[start : start + 64])
        runs[dtype] = [p.value for p in model.parameters()]
    for fast, reference in zip(runs["float32"], runs["float64"]):
        np.testing.assert_allclose(fast, reference, rtol=1e-4, atol=1e-5)


def test_locate_non_finite_names_the_weight_the_gradient_or_the_layer():
    model = nn.mlp([4, 3, 2], seed=0)
    x = np.ones((2, 4), dtype=np.float32)
    assert locate_non_finite(model, x).startswith(
        "every weight, gradient and output is finite, but the outputs reach"
    )
    model[2].b.grad[1] = np.nan
    assert locate_non_finite(model) == "the gradient of dense1.b holds nan"
    model[0].W.value[0, 0] = np.inf
    assert locate_non_finite(model, x) == "the weights dense0.W hold inf after the last update"
    model = nn.mlp([4, 3, 2], seed=0)
    model[0].W.value[...] = 1e20  # finite weights, overflowing output
    assert locate_non_finite(model, x * 1e20) == (
        "the output of layer 0, Dense(4, 3), holds inf (its weights have norm 3.46e+20)"
    )


def test_fit_stops_when_the_last_update_of_an_epoch_leaves_non_finite_weights():
    x, labels = blobs(32)
    model = nn.mlp([5, 4, 3], seed=0)
    with np.errstate(all="ignore"), pytest.raises(
        FloatingPointError,
        match=r"at the end of epoch 1, batch 1 \(lr=1e\+300\): the weights dense0\.W hold "
        r"(-?inf|nan) after the last update; lower the learning rate \(try a tenth\)",
    ):  # fmt: skip
        # the loss of the only batch is finite; its update (lr·grad overflows) is not
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=1e300),
               (x, labels), epochs=2, batch_size=32)  # fmt: skip
