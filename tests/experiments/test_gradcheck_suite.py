"""The gradcheck study: every activation x loss at depths 1-3 passes; the flags of train; a wrong
backward fails with exit code 1 and its tensor named."""

import csv

from cli_runner import run

import numpynn as nn
from numpynn.experiments.gradcheck_suite import CLASSICS


def test_gradcheck_all_passes_on_every_activation_loss_and_depth(tmp_path, capsys):
    code, out, _ = run(capsys, "gradcheck", "--all", "--quiet", "--out", str(tmp_path))
    assert code == 0
    grid = len(nn.ACTIVATIONS) * len(nn.LOSSES) * 3  # depths 1-3
    networks = grid + len(CLASSICS)
    lines = [line for line in out.splitlines() if line.startswith("PASS ")]
    assert len(lines) == networks and "784-32-16-8-10 sigmoid, mse" in out
    assert "784-30-10 sigmoid, mse, output_activation sigmoid, init normal, bias_init normal" in out
    assert "784-30-10 sigmoid, sigmoid-cross-entropy, init lecun_normal, bias_init normal" in out
    assert f"{networks}/{networks} networks PASS" in out
    rows = list(csv.DictReader((tmp_path / "gradcheck.csv").read_text().splitlines()))
    # parameters + input per network, depths 1-3, then the classics' one hidden layer each
    assert len(rows) == grid // 3 * (5 + 7 + 9) + 5 * len(CLASSICS)
    assert {row["result"] for row in rows} <= {"PASS", "SKIP"}
    assert max(float(row["max_rel_error"]) for row in rows) < 1e-7
    assert (tmp_path / "gradcheck.md").read_text().count("## 784-") == networks


def test_gradcheck_prints_the_table_for_the_flags_of_train(capsys):
    code, out, _ = run(capsys, "gradcheck", "--hidden", "12,6", "--activation", "sigmoid",
                       "--loss", "mse", "--dropout", "0.3", "--max-coords", "20")  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "784-12-6-10 sigmoid, mse, batch 4"
    assert lines[1].split() == ["tensor", "shape", "checked", "max", "rel", "error", "kinks",
                                "skipped", "result"]  # fmt: skip
    assert lines[2].split()[:3] == ["dense0.W", "784x12", "20/9408"]
    assert [line.split()[0] for line in lines[2:9]] == [
        "dense0.W", "dense0.b", "dense1.W", "dense1.b", "dense2.W", "dense2.b", "input",
    ]  # fmt: skip
    assert all(line.endswith("PASS") for line in lines[2:9])
    assert "float32 model checked in a float64 copy" in out
    assert "1/1 networks PASS" in out


def test_gradcheck_reads_a_run_config(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('hidden = [5]\nactivation = "tanh"\ndtype = "float64"\nseed = 7\n')
    code, out, _ = run(capsys, "gradcheck", "--config", str(config))
    assert code == 0 and out.startswith("784-5-10 tanh, cross-entropy")
    assert "float64 model checked in float64" in out


def test_gradcheck_exits_1_and_shows_the_failing_tensor_when_a_backward_is_wrong(
    monkeypatch, capsys
):
    correct = nn.Dense.backward

    def doubled(self, grad_y, input_grad=True):
        grad_x = correct(self, grad_y, input_grad)
        self.b.grad *= 2
        return grad_x

    monkeypatch.setattr(nn.Dense, "backward", doubled)
    code, out, _ = run(capsys, "gradcheck", "--hidden", "8", "--activation", "tanh")
    assert code == 1
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:7]}
    assert rows["dense0.b"][-1] == "FAIL" and float(rows["dense0.b"][3]) > 0.3
    assert rows["dense0.W"][-1] == "PASS"
    assert "0/1 networks PASS" in out

    code, out, _ = run(capsys, "gradcheck", "--all", "--quiet")
    networks = len(nn.ACTIVATIONS) * len(nn.LOSSES) * 3 + len(CLASSICS)
    assert code == 1 and f"0/{networks} networks PASS" in out
    assert out.count("FAIL: max rel error") == networks  # each failing network prints its table


def test_gradcheck_command_checks_in_float64_whatever_the_dtype(capsys):
    for dtype in ("float32", "float64"):
        code, out, _ = run(capsys, "gradcheck", "--hidden", "4", "--dtype", dtype)
        summary = next(line for line in out.splitlines() if line.startswith("PASS: "))
        assert code == 0 and float(summary.split()[4]) < 1e-8  # beyond float32's 1.2e-7
        assert f"{dtype} model checked in" in summary
