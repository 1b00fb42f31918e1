"""symptoms_at_start and find_symptoms on constructed statistics and histories: each symptom
appears past its threshold, not before, and they come in causal order."""

import math

import pytest

from numpynn.symptoms import SYMPTOMS, Symptom, find_symptoms, in_causal_order, symptoms_at_start

LAYERS = ("dense0", "dense1", "dense2")


def row(epoch=1, train_loss=0.3, val_loss=0.2, lr=1e-3, **per_layer):
    """A healthy history row (measured values of a default MNIST run) with overrides such as
    grad_norm=(...) giving one value per layer."""
    stats = {
        "grad_norm": (0.2, 0.15, 0.1),
        "weight_norm": (22.0, 16.0, 4.7),
        "update_ratio": (2e-3, 1.7e-3, 1.1e-3),
        "act_mean": (0.3, 0.4, None),
        "act_std": (0.5, 0.6, None),
        "dead": (0.01, 0.03, None),
    } | per_layer
    values = {"epoch": epoch, "train_loss": train_loss, "train_accuracy": 0.9,
              "val_loss": val_loss, "val_accuracy": 0.95, "lr": lr, "seconds": 1.0}  # fmt: skip
    for stat, per in stats.items():
        values |= {f"{name}.{stat}": v for name, v in zip(LAYERS, per) if v is not None}
    return values


FALLING = [2.4 * 0.97**i for i in range(100)]  # a loss curve that falls from 2.4 to ~0.1


def names(rows, batch_loss=FALLING):
    return [s.name for s in find_symptoms(rows, batch_loss)]


def at_start(input_rms=0.3, loss=2.45, num_classes=10, **per_layer):
    """Names of the symptoms of a network at initialization (statistics of a healthy row)."""
    stats = {k: v for k, v in row(**per_layer).items() if k.startswith("dense")}
    found = symptoms_at_start(stats, input_rms=input_rms, loss=loss, num_classes=num_classes)
    assert all(s.epoch == 0 for s in found)
    return found


def test_a_healthy_history_shows_no_symptom():
    rows = [row(1, 0.3, 0.2), row(2, 0.15, 0.12), row(3, 0.1, 0.1)]
    assert names(rows) == [] and at_start() == []
    assert set(SYMPTOMS) >= {"initial-loss", "overfitting", "lr-too-high", "dead-relus"}


@pytest.mark.parametrize(("loss", "found"), [(13.7, True), (2.95, True), (2.85, False), (2.45, False), (1.0, True)])  # fmt: skip
def test_initial_loss_far_from_ln_c(loss, found):
    symptoms = at_start(loss=loss)
    assert [s.name for s in symptoms] == (["initial-loss"] if found else [])
    if found:
        assert "ln(10) = 2.3" in symptoms[0].message
        assert ("leak" in symptoms[0].advice) == (loss < 2.3)
    assert at_start(loss=loss, num_classes=None) == []  # mse: no rule


@pytest.mark.parametrize(("rms", "found"), [(85.0, True), (10.5, True), (9.5, False), (0.3, False)])
def test_unscaled_inputs_are_judged_before_training(rms, found):
    symptoms = at_start(input_rms=rms)
    assert [s.name for s in symptoms] == (["unscaled-inputs"] if found else [])
    if found:
        assert "divide by 255" in symptoms[0].advice


def test_units_dead_or_saturated_before_training_blame_the_initialization():
    (dead,) = at_start(dead=(0.9, 0.1, None))
    assert "before training starts" in dead.message and "initialization" in dead.advice
    (saturated,) = at_start(saturated=(0.8, 0.1, None), dead=(None, None, None))
    assert "initial weights are too large" in saturated.advice
    (in_training,) = find_symptoms([row(dead=(0.9, 0.1, None))], FALLING)
    assert "learning rate" in in_training.advice and "before" not in in_training.message


def test_causal_order_puts_what_was_wrong_before_training_first():
    def symptom(name, epoch):
        return Symptom(name, epoch, "", "")

    found = [symptom("vanishing-gradients", 1), symptom("dead-relus", 0),
             symptom("lr-too-high", 1), symptom("unscaled-inputs", 0)]  # fmt: skip
    assert [(s.name, s.epoch) for s in in_causal_order(found)] == [
        ("unscaled-inputs", 0), ("dead-relus", 0), ("lr-too-high", 1),
        ("vanishing-gradients", 1)]  # fmt: skip
    # a later epoch's symptom cannot have caused an earlier one, whatever its kind
    later = [symptom("overfitting", 2), symptom("lr-too-high", 5)]
    assert [s.name for s in in_causal_order(later)] == ["overfitting", "lr-too-high"]
    # several at once from one history: the learning rate explains the dead units, not back
    rows = [row(lr=10, update_ratio=(0.5, 0.5, 0.5), dead=(0.9, 0.1, None))]
    assert names(rows) == ["lr-too-high", "dead-relus"]


def test_vanishing_gradients_compare_the_weakest_layer_with_the_last():
    (symptom,) = find_symptoms([row(grad_norm=(1e-4, 1e-3, 0.1))], FALLING)
    assert symptom.name == "vanishing-gradients" and "0.001 times that of dense2" in symptom.message
    assert symptom.advice.startswith("the network already uses ReLU")  # it has dead counts
    sigmoid = row(grad_norm=(1e-4, 1e-3, 0.1), dead=(None, None, None), saturated=(0.1, 0.1, None))
    (symptom,) = find_symptoms([sigmoid], FALLING)
    assert symptom.advice.startswith("use ReLU or leaky ReLU with He initialization")
    assert "a factor 0.032 per layer over 2 layers" in symptom.message
    (middle,) = find_symptoms([row(grad_norm=(0.05, 5e-3, 0.1))], FALLING)
    assert "dense1 is only 0.05 times" in middle.message
    assert names([row(grad_norm=(0.011, 0.012, 0.1))]) == []  # 11% of the last: not yet
    (symptom,) = find_symptoms([row(grad_norm=(0.0, 0.0, 0.0))], FALLING)
    assert symptom.name == "vanishing-gradients" and "no gradient flows at all" in symptom.message


@pytest.mark.parametrize(
    ("grad_norm", "words"),
    [((20.0, 1.0, 0.1), "explode toward the input"),  # 200x the last layer
     ((30.0, 1.0, 1.0), "times ‖W‖"),  # larger than the weights of dense0 (22)
     ((0.2, math.inf, 0.1), "gradient of dense1 is not finite")],
)  # fmt: skip
def test_exploding_gradients(grad_norm, words):
    (symptom,) = find_symptoms([row(grad_norm=grad_norm)], FALLING)
    assert symptom.name == "exploding-gradients" and words in symptom.message


def test_update_ratio_far_from_1e_3_names_the_learning_rate():
    (high,) = find_symptoms([row(update_ratio=(2e-3, 0.5, 1e-3), lr=10)], FALLING)
    assert high.name == "lr-too-high" and "lr=10 is too high" in high.message
    assert "dense1" in high.message and "--lr 1" in high.advice
    (low,) = find_symptoms([row(update_ratio=(1e-7, 2e-7, 1e-7), lr=1e-6)], FALLING)
    assert (
        low.name == "lr-too-low"
        and "lr=1e-06 is too low" in low.message
        and "--lr 1e-05" in low.advice
    )
    assert names([row(update_ratio=(0.09, 1.1e-5, 1e-3))]) == []  # inside [1e-5, 1e-1]
    # annealed by a schedule below the run's peak: tiny steps on purpose
    annealed = [
        row(1, update_ratio=(1e-3,) * 3, lr=1e-3),
        row(2, update_ratio=(1e-7,) * 3, lr=1e-7),
    ]
    assert names(annealed) == []
    assert names(annealed[1:]) == ["lr-too-low"]  # the same step at the run's peak lr
    # no gradient at all: the tiny updates are not the learning rate's fault
    assert "lr-too-low" not in names([row(update_ratio=(1e-7,) * 3, grad_norm=(0.0,) * 3)])


def test_dead_and_saturated_units_over_half_a_layer():
    (dead,) = find_symptoms([row(dead=(0.1, 0.62, None))], FALLING)
    assert dead.name == "dead-relus" and "62% of the ReLUs after dense1" in dead.message
    assert names([row(dead=(0.5, 0.5, None))]) == []
    saturated = row(saturated=(0.95, 0.2, None), dead=(None, None, None))
    (symptom,) = find_symptoms([saturated], FALLING)
    assert symptom.name == "saturated-units" and "95%" in symptom.message
    assert names([row(saturated=(0.4, 0.5, None))]) == []


def test_loss_not_decreasing_or_rising():
    (flat,) = find_symptoms([row(lr=0.01)], [2.3] * 100)
    assert (
        flat.name == "loss-not-decreasing"
        and "2.3 at the start, 2.3 over the last 10" in flat.message
    )
    assert names([row()], [2.3] * 50 + [2.0] * 50) == []  # 13% lower: decreasing
    # exploding at once and falling back still counts, and it blames the learning rate
    rose = find_symptoms([row(lr=10)], [2.4] + [1e6] * 20 + [2.3] * 79)
    assert [s.name for s in rose] == ["lr-too-high"]
    assert "rose from 2.4" in rose[0].message and "lr=10 is too high" in rose[0].message
    assert "--lr 1," in rose[0].advice
    assert names([row()], [2.3] * 15) == []  # too few batches to judge


def test_overfitting_validation_loss_rising_while_training_loss_falls():
    val = [0.5, 0.4, 0.43, 0.45]
    rows = [row(i + 1, train_loss=0.5 - 0.1 * i, val_loss=v) for i, v in enumerate(val)]
    (symptom,) = find_symptoms(rows, FALLING)
    assert symptom.name == "overfitting" and symptom.epoch == 4
    assert "rose from 0.4 (epoch 2) to 0.45" in symptom.message and "--patience" in symptom.advice
    assert names(rows[:3]) == []  # 0.43 is within 10% of 0.4
    still_learning = [dict(r, train_loss=0.5) for r in rows]  # training loss not falling
    assert names(still_learning) == []
    no_validation = [dict(r, val_loss=math.nan) for r in rows]
    assert names(no_validation) == []
