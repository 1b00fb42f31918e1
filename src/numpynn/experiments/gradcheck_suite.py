"""The study behind ``numpynn gradcheck``: gradient-check MLPs of MNIST's shape (784 inputs, 10
classes) on a small random batch, one network or every activation x loss at depths 1-3 (and the
networks of the classics, ``CLASSICS``), and write the results as ``gradcheck.csv`` (one row per
tensor) and ``gradcheck.md`` (the tables).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..activations import ACTIVATIONS
from ..files import atomic_write_text
from ..gradcheck import GradcheckReport, gradcheck
from ..losses import LOSSES, get_loss
from ..model import mlp
from ..progress import progress_bar
from ..tables import csv_text

__all__ = [
    "Case",
    "check_mlp",
    "check_all",
    "all_cases",
    "format_results",
    "to_csv",
    "to_markdown",
    "write_results",
]

IN_FEATURES, CLASSES = 784, 10
DEPTH_WIDTHS = (32, 16, 8)  # depth d uses the first d widths
# Nielsen's networks (numpynn reproduce): a sigmoid output with the squared error and "large"
# N(0, 1) weights and biases (chapter 1), and the sigmoid cross-entropy with N(0, 1/fan_in)
# weights (chapter 3): (activation, loss, hidden, the keyword arguments of mlp)
CLASSICS = [
    (
        "sigmoid",
        "mse",
        [30],
        {"output_activation": "sigmoid", "init": "normal", "bias_init": "normal"},
    ),
    ("sigmoid", "sigmoid-cross-entropy", [30], {"init": "lecun_normal", "bias_init": "normal"}),
]


@dataclass
class Case:
    """One checked network: its recipe and its report."""

    activation: str
    loss: str
    hidden: list[int]
    batch_size: int
    report: GradcheckReport
    network: dict = field(default_factory=dict)  # mlp's other keyword arguments, if any

    @property
    def label(self) -> str:
        sizes = "-".join(map(str, [IN_FEATURES, *self.hidden, CLASSES]))
        extra = "".join(f", {key} {value}" for key, value in self.network.items())
        return f"{sizes} {self.activation}, {self.loss}{extra}"


def check_mlp(
    hidden: list[int],
    activation: str = "relu",
    loss: str = "cross-entropy",
    *,
    dropout: float = 0.0,
    dtype: str = "float32",
    seed: int = 0,
    batch_size: int = 4,
    network: dict | None = None,
    **options,
) -> Case:
    """Build ``mlp([784, *hidden, 10], **network)`` from ``seed`` and gradcheck it on a random
    batch (standard normal inputs, uniform labels); ``options`` go to ``gradcheck``."""
    rng = np.random.default_rng(seed)
    network = {key: value for key, value in (network or {}).items() if value is not None}
    model = mlp([IN_FEATURES, *hidden, CLASSES], activation, dropout=dropout, dtype=dtype, rng=rng,
                **network)  # fmt: skip
    x = rng.standard_normal((batch_size, IN_FEATURES)).astype(dtype)
    labels = rng.integers(0, CLASSES, batch_size)
    report = gradcheck(model, get_loss(loss), x, labels, seed=seed, **options)
    return Case(activation, loss, list(hidden), batch_size, report, network)


def all_cases() -> list[tuple[str, str, list[int], dict]]:
    """(activation, loss, hidden, network) for every activation x loss at depths 1, 2 and 3,
    then the ``CLASSICS``."""
    return [
        (activation, loss, list(DEPTH_WIDTHS[:depth]), {})
        for depth in (1, 2, 3)
        for activation in sorted(ACTIVATIONS)
        for loss in sorted(LOSSES)
    ] + CLASSICS


def check_all(*, progress: bool = False, **kwargs) -> list[Case]:
    """``check_mlp`` for every case of ``all_cases()``; a progress bar if ``progress``."""
    cases = all_cases()
    if progress:
        cases = progress_bar(cases, desc="gradcheck", unit="network")
    return [check_mlp(hidden, activation, loss, network=network, **kwargs)
            for activation, loss, hidden, network in cases]  # fmt: skip


def format_results(cases: list[Case], seconds: float, *, tables: bool = True) -> str:
    """Each network's table (or one line for a passing network if not ``tables``), then a total."""
    lines = []
    for case in cases:
        if tables or not case.report.passed:
            lines.append(f"{case.label}, batch {case.batch_size}\n{case.report}\n")
        else:
            lines.append(f"PASS  {case.label:<40} max rel error {case.report.max_rel_error:.1e}, "
                         f"{case.report.kinks} kinks skipped")  # fmt: skip
    passed = sum(case.report.passed for case in cases)
    worst = max(case.report.max_rel_error for case in cases)
    lines.append(f"{passed}/{len(cases)} networks PASS, largest relative error {worst:.1e}, "
                 f"{seconds:.1f} s")  # fmt: skip
    return "\n".join(lines)


def to_csv(cases: list[Case]) -> str:
    """One row per checked tensor of every case."""
    rows = [
        {"activation": case.activation, "loss": case.loss, "hidden": "-".join(map(str, case.hidden)),
         "network": " ".join(f"{k}={v}" for k, v in case.network.items()),
         "tensor": row.name, "shape": "x".join(map(str, row.shape)), "checked": row.checked,
         "size": row.size, "max_rel_error": row.max_rel_error, "kinks_skipped": row.kinks,
         "result": row.result}
        for case in cases
        for row in case.report.rows
    ]  # fmt: skip
    return csv_text(rows)


def to_markdown(cases: list[Case]) -> str:
    sections = [f"## {case.label}\n\n```\n{case.report}\n```\n" for case in cases]
    return "# Gradient check\n\n" + "\n".join(sections)


def write_results(cases: list[Case], out_dir: str | Path) -> list[Path]:
    """Write ``gradcheck.csv`` and ``gradcheck.md`` into ``out_dir`` (created if needed)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "gradcheck.csv", out_dir / "gradcheck.md"]
    atomic_write_text(paths[0], to_csv(cases))
    atomic_write_text(paths[1], to_markdown(cases))
    return paths
