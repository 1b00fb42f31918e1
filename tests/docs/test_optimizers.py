"""The numbers of docs/optimizers.md that no command prints (the study's tables and runs are
records, tests/docs/test_records.py): each is computed here with the library and the study's own
functions, and the page must state it word for word."""

import dataclasses
import math
import re

import numpy as np
import pytest
from paths import DOCS

import numpynn as nn
from numpynn.experiments.optimizers import (
    LRS,
    OPTIMIZERS_2D,
    SURFACES,
    best_runs,
    descend,
    steps_to_minimum,
    sweep,
)
from numpynn.parameter import Parameter

PAGE = DOCS / "optimizers.md"


def page_text() -> str:
    return " ".join(PAGE.read_text(encoding="utf-8").split())


def unstated(text: str, claims: list[str]) -> list[str]:
    """The claims that ``text`` does not make word for word."""
    return [claim for claim in claims if claim not in text]


def test_the_checker_finds_a_claim_the_page_does_not_make():
    assert unstated("it takes 44 steps", ["takes 44 steps", "takes 45 steps"]) == ["takes 45 steps"]


# --- the comparison table: extra memory ---


def glance_rows() -> dict[str, list[str]]:
    table = PAGE.read_text(encoding="utf-8").split("## At a glance")[1].split("\n\n")[1]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    return {row[0].strip("| `"): row for row in rows}


def state_arrays(name: str, **options) -> int:
    p = Parameter(np.zeros(3))
    return len(nn.get_optimizer(name, [p], 0.1, **options).init_state(p))


def test_the_table_counts_the_arrays_each_optimizer_keeps():
    memory = {name: row[3] for name, row in glance_rows().items()}
    assert set(memory) == set(nn.OPTIMIZERS)
    for name, cell in memory.items():
        stated = 0 if cell == "none" else int(cell.split()[0])
        assert stated == state_arrays(name), name
    assert state_arrays("sgd", momentum=0.9) == 1
    assert f"{state_arrays('rmsprop', centered=True)} `centered`" in memory["rmsprop"]
    extra = state_arrays("rmsprop", momentum=0.9) - state_arrays("rmsprop")
    assert f"+{extra} with `momentum`" in memory["rmsprop"]
    assert f"{state_arrays('adam', amsgrad=True)} with `amsgrad`" in memory["adam"]


# --- the step size near 2/λ_max and the bias correction ---


def test_at_the_largest_stable_rate_the_slow_direction_advances_by_2_over_kappa():
    quadratic, kappa = SURFACES["quadratic"], 50
    lr = 0.999 * 2 / kappa  # just under 2/λ_max, λ_max = 50, λ_min = 1
    path = descend(quadratic, "sgd", lr, steps=3)
    x = path[:, 0]
    np.testing.assert_allclose(1 - x[1:] / x[:-1], 2 / kappa * 0.999, rtol=1e-12)
    assert "it advances by only about 2/κ of the way per step" in page_text()


def test_adams_running_mean_has_expectation_1_minus_beta_t_times_the_gradients():
    rng, mean, beta1, steps = np.random.default_rng(0), 0.5, 0.9, 5
    p = Parameter(np.zeros(200_000))  # 200,000 independent draws of the same process
    adam = nn.Adam([p], lr=1e-3, betas=(beta1, 0.999))
    for t in range(1, steps + 1):
        p.grad[...] = rng.normal(mean, 1.0, p.value.shape)  # stationary: E[g] = 0.5 every step
        adam.step()
        m = (1 - beta1) * adam.state_dict()["state.0.grad_sum"]  # Adam keeps m / (1 − β₁)
        assert m.mean() == pytest.approx((1 - beta1**t) * mean, abs=4 / math.sqrt(p.value.size))


def test_adams_first_step_is_lr_sign_g_and_would_be_3_16_times_that_uncorrected():
    p = Parameter(np.array([3.0, -0.02, 7e-3]))
    p.grad[...] = p.value
    nn.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, [3.0 - 0.01, -0.02 + 0.01, 7e-3 - 0.01], atol=1e-7)
    uncorrected = (1 - 0.9) / math.sqrt(1 - 0.999)
    half_life = math.ceil(math.log(0.5) / math.log(0.999))
    assert 0.999**half_life <= 0.5 < 0.999 ** (half_life - 1)
    assert unstated(page_text(), [f"0.1/√0.001 ≈ {uncorrected:.2f} times",
                                  f"β₂ᵗ = 1/2 after {half_life} steps"]) == []  # fmt: skip


# --- the 2-D surfaces: numbers the command does not print ---


def fewest_steps(surface, make_optimizer) -> int:
    """The fewest steps to the minimum over the study's learning-rate grid."""
    reached = []
    for lr in LRS:
        p = Parameter(np.array(surface.start, dtype=np.float64))
        optimizer, path = make_optimizer([p], float(lr)), [p.value.copy()]
        for _ in range(surface.steps):
            p.grad[:] = surface.grad(*p.value)
            optimizer.step()
            path.append(p.value.copy())
            if not abs(p.value[0]) + abs(p.value[1]) < 1e6:  # diverged, as `descend` stops
                break
        steps = steps_to_minimum(surface, np.array(path))
        if len(path) == surface.steps + 1 and steps is not None:
            reached.append(steps)
    return min(reached)


def rotated(surface):
    """``surface`` turned by 45°: f(R(x, y)) with R the rotation, from the same start."""
    c = math.sqrt(0.5)

    def grad(x, y):
        gu, gv = surface.grad(c * (x + y), c * (y - x))  # Rᵀ ∇f(R(x, y))
        return c * (gu - gv), c * (gu + gv)

    return dataclasses.replace(surface, name="rotated", grad=grad)


def test_tuned_momentum_and_the_rotated_quadratic():
    quadratic = SURFACES["quadratic"]
    kappa = 50
    assert ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2 == pytest.approx(0.57, abs=0.005)
    tuned = fewest_steps(quadratic, lambda ps, lr: nn.SGD(ps, lr, momentum=0.57))
    turned = {name: fewest_steps(rotated(quadratic), lambda ps, lr, name=name:
                                 nn.get_optimizer(name, ps, lr))
              for name in ("rmsprop", "momentum", "adam")}  # fmt: skip
    assert unstated(page_text(), [
        f"≈ 0.57, takes {tuned} steps at its best learning rate",
        f"rotated by 45° (from the same start) it needs {turned['rmsprop']} steps",
        f"momentum ({turned['momentum']}) and Adam ({turned['adam']}, whose β₁",
    ]) == []  # fmt: skip


def test_how_long_each_optimizer_stays_on_the_saddles_ridge():
    saddle = SURFACES["saddle"]
    best = best_runs(sweep(saddle, OPTIMIZERS_2D))
    on_ridge = {}
    for name, row in best.items():
        near = np.abs(descend(saddle, name, row["lr"])[:, 1]) < 0.1
        on_ridge[name] = int(np.argmax(~near))  # the first step off the ridge
        assert near[: on_ridge[name]].all() and not near[on_ridge[name] :].any(), name
    rmsprop_lr = best["rmsprop"]["lr"]
    first_jump = 10 * rmsprop_lr  # lr·g/√((1 − α)g²) with α = 0.99
    assert first_jump == pytest.approx(1.0)  # and the minima lie at y = ±1, the ridge at y = 0
    assert sorted(abs(y) for _, y in saddle.minima) == [1.0, 1.0]
    assert unstated(page_text(), [
        f"it spends {on_ridge['sgd']} steps within |y| < 0.1 of the ridge",
        f"leaves after {on_ridge['momentum']} steps (Nesterov {on_ridge['nesterov']})",
        f"at once and leaves after {on_ridge['adam']} (counted",
        f"a jump of 10·lr = {first_jump:.0f}, the distance from the ridge to a minimum",
    ]) == []  # fmt: skip


def test_the_page_names_its_sources():
    text = page_text()
    for source in ["arXiv:1412.6980", "The Marginal Value of Adaptive Gradient Methods"]:
        assert source in text
    assert re.search(r"Wilson et al\.", text)
