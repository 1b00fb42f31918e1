"""train_step, fit and evaluate: learning, determinism, schedules, clipping, float32, and the NaN
guard that names where a NaN or Inf came from."""

import math
import time

import numpy as np
import pytest
from toy_data import blobs

import numpynn as nn
import numpynn.training
from numpynn.training import TrainingInterrupted, TrainState, locate_non_finite


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


def test_train_loss_and_accuracy_are_means_over_the_samples_of_each_epoch():
    """Batches of 4, 4 and 2: each batch's mean loss counts by its size, and each epoch starts
    its sums at zero. A tiny lr keeps every prediction as it was before training."""
    x, labels = blobs(10)
    model = nn.mlp([5, 3], dtype="float64", seed=0)
    accuracy = float(np.mean(model.predict(x.astype(np.float64)) == labels))
    assert accuracy == 0.6  # neither 0 nor 1/2: a miscount or an inverted count shows
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=1e-9),
                     (x.astype(np.float64), labels), epochs=2, batch_size=4)  # fmt: skip
    batch_loss = history.batch_loss
    assert len(batch_loss) == 6
    for epoch, losses in enumerate((batch_loss[:3], batch_loss[3:])):
        expected = (4 * losses[0] + 4 * losses[1] + 2 * losses[2]) / 10
        assert history["train_loss"][epoch] == pytest.approx(expected, rel=1e-12)
    assert history["train_accuracy"] == [accuracy, accuracy]
    assert all(np.isnan(history["val_loss"])) and all(np.isnan(history["val_accuracy"]))


def test_fit_takes_one_sample_per_batch_with_batch_size_1():
    x, labels = blobs(3)
    model = nn.mlp([5, 3], seed=0)
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1),
                     (x, labels), epochs=2, batch_size=1)  # fmt: skip
    assert len(history.batch_loss) == 6 and history["epoch"] == [1, 2]


def test_the_seconds_of_each_epoch_fit_within_the_whole_run():
    x, labels = blobs(50)
    model = nn.mlp([5, 3], seed=0)
    start = time.perf_counter()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1),
                     (x, labels), epochs=3, batch_size=10)  # fmt: skip
    elapsed = time.perf_counter() - start
    assert all(s > 0 for s in history["seconds"]) and sum(history["seconds"]) <= elapsed


def test_fit_rejects_empty_data_a_bad_validation_set_and_bad_patience_or_clip_norm():
    x, labels = blobs(20)
    model = nn.mlp([5, 3], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    loss = nn.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match="train: the data set is empty"):
        nn.fit(model, loss, opt, (x[:0], labels[:0]))
    with pytest.raises(ValueError, match="val: 10 inputs but 9 labels"):
        nn.fit(model, loss, opt, (x, labels), (x[:10], labels[:9]))
    message = "fit: patience must be >= 1 and needs validation data, got"
    with pytest.raises(ValueError, match=f"{message} 0"):
        nn.fit(model, loss, opt, (x, labels), (x, labels), patience=0)
    with pytest.raises(ValueError, match=f"{message} 2"):
        nn.fit(model, loss, opt, (x, labels), patience=2)
    with pytest.raises(ValueError, match="fit: clip_norm must be a finite number > 0, got 0"):
        nn.fit(model, loss, opt, (x, labels), clip_norm=0)
    history = nn.fit(model, loss, opt, (x, labels), (x, labels), epochs=1, patience=1)
    assert len(history) == 1  # patience 1 is valid


def test_a_schedule_giving_a_non_finite_rate_is_a_clear_error():
    x, labels = blobs(20)
    model = nn.mlp([5, 3], seed=0)
    with pytest.raises(ValueError, match="gives lr=inf for epoch 1; a learning rate must be > 0"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1), (x, labels),
               schedule=lambda epoch: math.inf)  # fmt: skip


def test_evaluate_weighs_each_chunk_by_its_size():
    model = nn.Sequential([nn.Identity()])
    logits = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [math.log(3), 0.0]])
    labels = np.array([0, 1, 0, 0])
    # chunks of 3 rows (loss log 2 each) and 1 row (loss log(4/3)): mean over all 4 rows
    result = nn.evaluate(model, logits, labels, batch_size=3)
    assert result["loss"] == pytest.approx((3 * math.log(2) + math.log(4 / 3)) / 4, rel=1e-12)
    assert result["accuracy"] == 0.75  # a tie's argmax is column 0: rows 0, 2 and 3 are right


def without_seconds(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history.rows]


@pytest.mark.parametrize(
    ("samples", "stops"),
    [
        (10, ["epoch 1, batch 1", "epoch 1, batch 2", "epoch 2, batch 0", "epoch 2, batch 1", "epoch 2, batch 2"]),
        (8, ["epoch 1, batch 1", "epoch 2, batch 0", "epoch 2, batch 1"]),
    ],
)  # fmt: skip
def test_interrupting_after_every_batch_and_resuming_gives_the_uninterrupted_run(samples, stops):
    """Batches of 4: fit stops after every batch but the last of an epoch, and between the
    epochs, but not after the last batch of the run; each resumption continues exactly."""
    x, labels = blobs(samples)

    def run(should_stop):
        model = nn.mlp([5, 4, 3], dropout=0.2, seed=0)
        opt = nn.Adam(model.parameters(), lr=0.01)
        state, stops, shuffle = TrainState(), [], np.random.default_rng(3)
        while True:  # each resumption gets the same model, optimizer, state and shuffling RNG
            try:
                nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels), epochs=2, batch_size=4,
                       rng=shuffle, state=state, should_stop=should_stop)  # fmt: skip
                return model, state, stops
            except TrainingInterrupted as interrupted:
                assert interrupted.state is state
                stops.append(str(interrupted))

    model, state, seen = run(lambda: True)
    assert seen == [f"interrupted at {where}" for where in stops]
    reference, reference_state, no_stops = run(lambda: False)
    assert no_stops == [] and state.batch == 0 and state.loss_sum == 0.0 and state.correct == 0
    assert without_seconds(state.history) == without_seconds(reference_state.history)
    assert state.history.batch_loss == reference_state.history.batch_loss
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_train_state_remembers_the_epoch_of_the_lowest_validation_loss():
    def state(val_losses):
        rows = [{"val_loss": v} for v in val_losses]
        return TrainState(history=nn.History(rows))

    assert state([]).best_epoch is None
    assert state([math.nan, math.nan]).best_epoch is None  # no validation data
    assert state([0.5, 0.3, 0.4]).best_epoch == 2
    assert state([math.nan, 0.3]).best_epoch == 2


def test_early_stopping_anneals_for_patience_epochs_then_restores_the_best_weights():
    """Training on the true labels while validating on shifted ones: the validation loss rises
    every epoch, so epoch 1 stays the best; patience 2 runs out after epoch 3, the learning rate
    anneals over epochs 4 and 5 (a cosine from 0.1), and the run stops after epoch 5."""
    x, labels = blobs(60)
    model = nn.mlp([5, 8, 3], seed=0)
    weights, state = [], TrainState()
    history = nn.fit(
        model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1), (x, labels),
        (x, (labels + 1) % 3), epochs=10, batch_size=10, patience=2, state=state,
        on_epoch_end=lambda s: weights.append([p.value.copy() for p in model.parameters()]),
    )  # fmt: skip
    val_loss = history["val_loss"]
    assert len(history) == 5 and val_loss[0] < val_loss[1] < val_loss[2]
    assert history["lr"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.1 * 0.75, 0.1 * 0.25]
    )  # ½(1 + cos(πk/3))
    assert state.stopped_early and state.best_epoch == 1
    for p, best, second in zip(model.parameters(), weights[0], weights[1], strict=True):
        np.testing.assert_array_equal(p.value, best)
        assert not np.array_equal(best, second)


def test_early_stopping_keeps_training_while_the_validation_loss_improves():
    x, labels = blobs(60)
    model = nn.mlp([5, 8, 3], seed=0)
    state = TrainState()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1),
                     (x, labels), (x, labels), epochs=4, batch_size=10, patience=1, state=state)  # fmt: skip
    assert len(history) == 4 and not state.stopped_early and state.best_epoch == 4
    for p, best in zip(model.parameters(), state.best_params, strict=True):
        np.testing.assert_array_equal(p.value, best)


class RecordingBar:
    """Stands in for the progress bar: the batches pass through, the calls are recorded."""

    bars = []

    def __init__(self, batches, **options):
        self.batches, self.options, self.postfixes, self.closed = batches, options, [], False
        RecordingBar.bars.append(self)

    def __iter__(self):
        return iter(self.batches)

    def set_postfix(self, **postfix):
        self.postfixes.append(postfix)

    def close(self):
        self.closed = True


def test_the_progress_bar_counts_batches_and_shows_the_running_mean_loss(monkeypatch):
    monkeypatch.setattr(numpynn.training, "progress_bar", RecordingBar)
    RecordingBar.bars = []
    x, labels = blobs(81)
    model = nn.mlp([5, 3], seed=0)
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1),
                     (x, labels), epochs=2, batch_size=2, progress=True)  # fmt: skip
    first, second = RecordingBar.bars
    assert first.options == {"total": 41, "initial": 0, "desc": "epoch 1/2", "unit": "batch"}
    assert second.options["desc"] == "epoch 2/2"
    # every 20th batch: the mean loss of the 2·batch samples so far
    means = [sum(history.batch_loss[:n]) / n for n in (20, 40)]
    assert first.postfixes == [{"loss": f"{m:.4f}", "refresh": False} for m in means]


def test_an_interrupted_progress_bar_is_closed_and_resumes_at_its_batch(monkeypatch):
    monkeypatch.setattr(numpynn.training, "progress_bar", RecordingBar)
    RecordingBar.bars = []
    x, labels = blobs(10)
    model = nn.mlp([5, 3], seed=0)
    opt, state = nn.SGD(model.parameters(), lr=0.1), TrainState()
    stops = iter([True, False, False, False])
    with pytest.raises(TrainingInterrupted):
        nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels), epochs=1, batch_size=4,
               progress=True, state=state, should_stop=lambda: next(stops))  # fmt: skip
    nn.fit(model, nn.SoftmaxCrossEntropy(), opt, (x, labels), epochs=1, batch_size=4,
           progress=True, state=state, should_stop=lambda: next(stops))  # fmt: skip
    interrupted, resumed = RecordingBar.bars
    assert interrupted.closed and not resumed.closed
    assert resumed.options == {"total": 3, "initial": 1, "desc": "epoch 1/1", "unit": "batch"}


class RecordingMonitor:
    """Stands in for diagnostics.Monitor: records when fit calls it."""

    def __init__(self, state):
        self.state, self.calls = state, []

    def start(self, model, loss_fn):
        self.calls.append("start")

    def watch(self, model, step, xb, yb):
        self.calls.append(f"watch batch {len(self.state.history.batch_loss) + 1} of {len(xb)}")
        return step(xb, yb)

    def end_epoch(self, model, loss_fn, row, history):
        self.calls.append(f"end {row['epoch']}")
        return {"watched": 1.0}


def test_a_monitor_starts_once_and_watches_the_middle_batch_of_each_epoch():
    x, labels = blobs(9)
    model = nn.mlp([5, 3], seed=0)
    loss_fn, opt, state = (
        nn.SoftmaxCrossEntropy(),
        nn.SGD(model.parameters(), lr=0.1),
        TrainState(),
    )
    monitor = RecordingMonitor(state)
    stops = iter([True])
    with pytest.raises(TrainingInterrupted):
        nn.fit(model, loss_fn, opt, (x, labels), epochs=2, batch_size=2, monitor=monitor,
               state=state, should_stop=lambda: next(stops, False))  # fmt: skip
    history = nn.fit(model, loss_fn, opt, (x, labels), epochs=2, batch_size=2, monitor=monitor,
                     state=state)  # fmt: skip
    # 5 batches (2, 2, 2, 2, 1) an epoch: the watched one is 5 // 2 + 1 = 3; no second start
    # when resuming after batch 1
    assert monitor.calls == ["start", "watch batch 3 of 2", "end 1", "watch batch 8 of 2", "end 2"]
    assert history["watched"] == [1.0, 1.0]


def test_fit_defaults_to_10_epochs_of_batches_of_128_shuffled_from_seed_0_without_a_bar(
    monkeypatch,
):
    monkeypatch.setattr(numpynn.training, "progress_bar", RecordingBar)
    RecordingBar.bars = []
    x, labels = blobs(200)
    runs = []
    for options in ({}, {"seed": 0, "epochs": 10, "batch_size": 128}):
        model = nn.mlp([5, 3], seed=0)
        history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1),
                         (x, labels), **options)  # fmt: skip
        runs.append((history.batch_loss, model.parameters()[0].value))
    assert len(runs[0][0]) == 10 * 2 and RecordingBar.bars == []
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_a_train_step_runs_the_model_in_training_mode():
    """Dropout is on: each output is dropped or doubled."""
    dense = nn.Dense(4, 4, init="zeros", dtype="float64")
    dense.W.value[...] = np.eye(4)
    model = nn.Sequential([dense, nn.Dropout(0.5, rng=np.random.default_rng(0))])
    _, outputs = nn.train_step(model, nn.MeanSquaredError(), nn.SGD(model.parameters(), lr=1e-9),
                               np.ones((8, 4)), np.zeros(8, dtype=int))  # fmt: skip
    assert set(np.unique(outputs)) == {0.0, 2.0}


def test_locate_non_finite_says_when_everything_is_finite_and_how_large_the_outputs_get():
    dense = nn.Dense(2, 2, init="zeros", dtype="float64")
    dense.W.value[...] = [[2.0, 0.0], [0.0, 3.0]]
    model = nn.Sequential([dense])
    assert locate_non_finite(model) == "every weight and gradient is finite"
    assert locate_non_finite(model, np.array([[1.0, -5.0]])) == (
        "every weight, gradient and output is finite, but the outputs reach 15, so the loss "
        "overflows"
    )
    assert locate_non_finite(model, np.zeros((0, 2))).startswith(
        "every weight, gradient and output is finite, but the outputs reach 0, so"
    )
    model = nn.Sequential([nn.Identity(), dense])
    assert locate_non_finite(model, np.array([[np.inf, 1.0]])) == (
        "the output of layer 0, Identity(), holds inf"
    )


class RecordingLoss(nn.SoftmaxCrossEntropy):
    """Records the size of every batch it sees."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def forward(self, logits, labels):
        self.sizes.append(len(labels))
        return super().forward(logits, labels)


def test_evaluate_works_in_chunks_of_2048_by_default_and_checks_its_data():
    model = nn.Sequential([nn.Identity()])
    loss = RecordingLoss()
    nn.evaluate(model, np.zeros((2049, 2)), np.zeros(2049, dtype=int), loss_fn=loss)
    assert loss.sizes == [2048, 1]
    with pytest.raises(ValueError, match="evaluate: 3 inputs but 2 labels"):
        nn.evaluate(model, np.zeros((3, 2)), np.zeros(2, dtype=int))


def test_fit_steps_on_the_augmented_batch_and_tells_it_the_epoch_and_batch():
    x, labels = blobs(60)
    calls = []

    def augment(xb, epoch, batch):
        calls.append((epoch, batch, len(xb)))
        return np.zeros_like(xb)  # the network then sees only zeros: its weights barely move

    model = nn.mlp([5, 8, 3], seed=0)
    before = [p.value.copy() for p in model.parameters()]
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model.parameters(), lr=0.1), (x, labels),
           epochs=2, batch_size=25, augment=augment)  # fmt: skip
    assert calls == [(1, 1, 25), (1, 2, 25), (1, 3, 10), (2, 1, 25), (2, 2, 25), (2, 3, 10)]
    first_layer = model.parameters()[0]
    np.testing.assert_array_equal(first_layer.value, before[0])  # zero inputs: dL/dW1 = 0


def test_fit_states_how_its_defaults_differ_from_numpynn_train():
    """Its docstring and the README's table give both sets of defaults, as the code has them."""
    import inspect
    import re

    from paths import REPO

    from numpynn.runs.config import TrainConfig

    defaults = {k: p.default for k, p in inspect.signature(nn.fit).parameters.items()}
    cli = TrainConfig()
    doc = " ".join(nn.fit.__doc__.split())
    assert f"Here: {defaults['epochs']} epochs of {defaults['batch_size']} examples" in doc
    assert (
        f"The command line: {cli.epochs} epochs of {cli.batch_size} with {cli.optimizer} at "
        f'{cli.lr:g} on a {cli.schedule} schedule (``schedule=make_schedule("{cli.schedule}", '
        f"{cli.lr:g}, {cli.epochs})``), and {cli.val_size:,} random training images held out"
    ) in doc
    assert defaults["schedule"] is None and defaults["val"] is None and cli.split is None
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("| | `nn.fit(...)` | `numpynn train` |") :].split("\n\n")[0]
    stated = dict(re.findall(r"^\| [\w -]+ \| [^|`]*`(\w+)=(\w+)`", table, re.M))
    assert stated == {"epochs": "10", "batch_size": "128", "schedule": "None", "val": "None",
                      "patience": "None", "seed": "0"}  # fmt: skip
    assert {k: repr(defaults[k]) for k in stated} == stated
