"""The numbers of docs/debugging.md that are code constants rather than measurements (those come
from records, tests/docs/test_records.py): the thresholds of the symptoms, the NaN guard's and the
learning-rate range test's, and the sizes of diagnose's checks and of the catalogue's runs."""

import inspect
import math

from paths import DOCS

from numpynn import symptoms, training
from numpynn.diagnostics import SATURATED_SHARE, SATURATED_SLOPE
from numpynn.experiments import broken_runs, diagnose
from numpynn.experiments.lr_find import LRFinderResult, lr_range_test
from numpynn.runs.run import MONITOR_BATCH

PAGE = DOCS / "debugging.md"
WORDS = {0.5: "one half", 0.1: "a tenth", 2.0: "twice", 1: "one"}
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def short(x: float) -> str:
    """1e-01 -> 1e-1, 1e+02 -> 1e2, as the page writes powers of ten."""
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def unstated(page: str, claims: list[str]) -> list[str]:
    """The claims that the page does not make word for word."""
    return [claim for claim in claims if claim not in " ".join(page.split())]


def constant_claims() -> list[str]:
    low, high = symptoms.UPDATE_RATIO_RANGE
    defaults = {k: v.default for k, v in inspect.signature(lr_range_test).parameters.items()}
    sample = inspect.signature(diagnose.diagnose_run).parameters["sample"].default
    small = broken_runs.SMALL
    guard = f"10{str(round(math.log10(training.DIVERGED))).translate(SUPERSCRIPTS)}"
    assert symptoms.EXPLODING_RELATIVE == 1.0  # "a gradient larger than its weights"
    assert LRFinderResult([], [], [], 1.0, 1.0, "").suggestion == 0.1  # "a tenth of"
    return [
        f"| above {symptoms.INPUT_RMS:g} (MNIST in [0, 1]:",
        f"| more than {symptoms.INITIAL_LOSS_TOLERANCE:.0%} off |",
        f"gives ln C ({math.log(10):.2f} for 10)",
        f"| below {short(symptoms.VANISHING_RATIO)} |",
        f"ratio above {short(symptoms.EXPLODING_RATIO)}, or a gradient larger than its weights",
        f"above {WORDS[symptoms.LOSS_ROSE]} the start; a ratio above {short(high)}",
        f"| the same ratio | below {short(low)} |",
        f"| above {WORDS[symptoms.DEAD_FRACTION]} | ReLU biases",
        f"(f' below {WORDS[SATURATED_SLOPE]} of its maximum) on ≥ {SATURATED_SHARE:.0%} of the batch"
        f" | above {WORDS[symptoms.SATURATED_FRACTION]} |",
        f"| above {symptoms.NOT_DECREASING:.0%} of the start |",
        f"| validation {symptoms.OVERFITTING:.0%} above its minimum while training fell |",
        f"a finite loss {guard} times the first batch's",
        f"for up to {defaults['steps']} batches while the learning rate grows exponentially from "
        f"{short(defaults['start_lr'])} to {defaults['end_lr']:g}, and stops once the smoothed loss "
        f"exceeds {defaults['divergence']:g} times its minimum",
        f"| overfit one batch of {diagnose.OVERFIT_IMAGES} images |",
        f"| 100% accuracy within {diagnose.OVERFIT_STEPS} steps |",
        f"(widths cut to {diagnose.TINY_WIDTH} so finite differences are quick)",
        f"| one epoch on {sample:,} images, with statistics |",
        f"on a fixed batch of {MONITOR_BATCH:,} validation images",
        f"({small['train_size']:,} images, {WORDS[small['epochs']]} epoch, batch "
        f"{small['batch_size']};",
    ]


def test_the_page_states_the_thresholds_the_code_uses():
    assert unstated(PAGE.read_text(encoding="utf-8"), constant_claims()) == []


def test_a_wrong_threshold_on_the_page_is_found():
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    wrong = page.replace("more than 25% off", "more than 20% off")
    assert unstated(wrong, constant_claims()) == [constant_claims()[1]]
