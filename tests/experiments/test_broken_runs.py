"""The catalogue of broken runs: for each, diagnose and the training monitor name the true cause
first, with its fix; a healthy run raises nothing; the checker fails when the order is wrong."""

import dataclasses

import pytest

from numpynn import diagnostics, symptoms
from numpynn.experiments import broken_runs
from numpynn.experiments import diagnose as diagnose_module
from numpynn.experiments.broken_runs import (
    CASES,
    catalogue_run,
    first_findings,
    first_in_diagnose,
    first_in_training,
)
from numpynn.symptoms import SYMPTOMS


def test_the_catalogue_covers_every_canonical_failure():
    assert [case.name for case in CASES] == [
        "lr-far-too-high", "lr-far-too-low", "deep-sigmoid", "dead-relus", "bad-init-scale",
        "unscaled-inputs", "shuffled-labels", "finite-explosion"]  # fmt: skip
    assert all(case.cause in SYMPTOMS and case.fix for case in CASES)
    deep = next(case for case in CASES if case.name == "deep-sigmoid")
    assert deep.config().sizes(784, 10) == [784, 64, 64, 64, 64, 10]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_broken_run_names_its_true_cause_first(mnist_dir, case):
    row = first_findings(case, mnist_dir)
    assert row["match"] == "yes", row
    assert case.fix in row["fix"]


def test_the_finite_explosion_stops_training_with_a_clear_error(mnist_dir):
    case = next(case for case in CASES if case.name == "finite-explosion")
    found = first_in_training(case, mnist_dir)
    assert found.said.startswith("error: loss is ") and "training diverged" in found.said
    assert found.advice.startswith("lower the learning rate (try a tenth)")


def test_a_healthy_run_raises_no_finding(mnist_dir):
    healthy = dataclasses.replace(CASES[0], name="healthy", settings={}, cause="", fix="")
    assert first_in_diagnose(healthy, mnist_dir) == broken_runs.Finding("", "8 checks pass", "")
    assert first_in_training(healthy, mnist_dir) == broken_runs.Finding("", "no warning", "")


def test_the_checker_fails_when_the_causes_come_in_the_wrong_order(mnist_dir, monkeypatch):
    # pixels in 0-255 also make the initial loss huge: list the findings effect first
    case = next(case for case in CASES if case.name == "unscaled-inputs")
    assert first_findings(case, mnist_dir)["match"] == "yes"
    causal = diagnose_module.findings_first

    def effects_first(checks):
        ordered = causal(checks)
        return [c for c in ordered if c.status != "PASS"][::-1] + [
            c for c in ordered if c.status == "PASS"]  # fmt: skip

    monkeypatch.setattr(diagnose_module, "findings_first", effects_first)
    monkeypatch.setattr(diagnostics, "in_causal_order",
                        lambda found: symptoms.in_causal_order(found)[::-1])  # fmt: skip
    row = first_findings(case, mnist_dir)
    assert row["match"] == "no", row
    assert "not scaled" not in row["diagnose_says"] + row["train_says"]


def test_catalogue_run_writes_the_table(tmp_path, mnist_dir):
    rows = catalogue_run(tmp_path, ["dead-relus"], mnist_dir, log=lambda line: None)
    assert [row["case"] for row in rows] == ["dead-relus"]
    assert rows[0]["flags"] == "[hidden biases −5]"
    assert "| dead-relus | dead ReLUs |" in (tmp_path / "catalogue.md").read_text()
    assert (tmp_path / "catalogue.csv").read_text().startswith("case,description,flags,cause")
    assert (tmp_path / "catalogue.json").exists()
    with pytest.raises(ValueError, match="unknown case 'nope'; choose from: lr-far-too-high"):
        catalogue_run(tmp_path, ["nope"], mnist_dir)
