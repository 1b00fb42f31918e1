"""numpynn diagnose: the default network passes; a broken learning rate and vanishing gradients are
named."""

import json

from cli_runner import run


def test_diagnose_passes_the_default_network(tmp_path, mnist_dir, capsys):
    out = tmp_path / "diagnose"
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", mnist_dir, "--quiet", "--out", out)
    lines = [line for line in stdout.splitlines() if line[:4] in ("PASS", "WARN", "FAIL")]
    assert code == 0, stdout
    assert len(lines) == 8 and all(line.startswith("PASS") for line in lines), stdout
    for check in ("inputs: root mean square 0.33", "loss at initialization", "overfit one batch of 32 images: 100% accuracy",
                  "gradcheck of a tiny copy (784-16-16-10 relu", "one epoch on 10000 images",
                  "gradient flow", "learning rate (update/weight ratio)", "dead ReLUs"):  # fmt: skip
        assert check in stdout
    assert "8 checks: 8 PASS" in stdout
    checks = json.loads((out / "checks.json").read_text())
    assert [c["status"] for c in checks] == ["PASS"] * 8
    assert "| PASS | loss at initialization |" in (out / "report.md").read_text()


def test_diagnose_names_a_broken_learning_rate(tmp_path, mnist_dir, capsys):
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", mnist_dir, "--lr", "50", "--quiet",
                          "--out", tmp_path / "d")  # fmt: skip
    assert code == 1
    failed = [line for line in stdout.splitlines() if line.startswith("FAIL")]
    assert failed and failed[0].startswith("FAIL  overfit one batch of 32 images: only")
    assert "→ the learning rate lr=50 is too high: lower the learning rate, e.g. --lr 5," in stdout
    assert failed[1].endswith("up from 2.49 at the first batch: training diverged")
    assert "PASS  learning rate" not in stdout  # the epoch stopped: nothing was measured
    assert "PASS  gradcheck" in stdout  # the backward passes are fine; the settings are not
    statuses = [line[:4] for line in stdout.splitlines() if line[:4] in ("PASS", "FAIL")]
    assert statuses == sorted(statuses)  # the findings first


def test_diagnose_warns_about_vanishing_gradients(tmp_path, tiny_mnist_dir, capsys):
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", tiny_mnist_dir, "--hidden", "32,32,32,32,32,32",
                          "--activation", "sigmoid", "--optimizer", "sgd", "--lr", "0.1", "--val-size",
                          "200", "--quiet", "--out", tmp_path / "d")  # fmt: skip
    assert "WARN  gradient flow: gradients vanish toward the input" in stdout
    assert "use ReLU or leaky ReLU with He initialization" in stdout and code == 1


def test_diagnose_a_network_without_hidden_layers(tmp_path, tiny_mnist_dir, capsys):
    code, stdout, _ = run(capsys, "diagnose", "--data-dir", tiny_mnist_dir, "--hidden", "",
                          "--val-size", "200", "--quiet", "--out", tmp_path / "d")  # fmt: skip
    assert "MLP 784-10" in stdout and "gradient flow: largest ‖dL/dW‖/‖W‖ = " in stdout
    assert code == 0
