"""The ablation study's findings: each sentence says what the numbers show, and none claims what
they do not."""

from numpynn.experiments.ablation_report import findings


def cell(width, depth, activation, accuracy, std=0.005):
    return {"width": width, "depth": depth, "activation": activation, "optimizer": "adam",
            "lr": 0.003, "runs": 3, "parameters": 1000 * width * depth, "seconds_mean": width / 10,
            "test_accuracy_mean": accuracy, "test_accuracy_std": std,
            "val_accuracy_mean": accuracy, "val_accuracy_std": std}  # fmt: skip


def test_findings_state_what_the_numbers_say():
    # relu gains 4, 1 and 0.25 points per 4x width; sigmoid trails by 1 point at depth 1, 6 at 3
    base = {16: 0.90, 64: 0.94, 256: 0.95, 1024: 0.9525}
    summary = [cell(w, d, "relu", a) for d in (1, 3) for w, a in base.items()]
    summary += [cell(w, d, "sigmoid", a - (0.01 if d == 1 else 0.06)) for d in (1, 3)
                for w, a in base.items()]  # fmt: skip
    summary[0]["test_accuracy_std"], summary[0]["test_accuracy_values"] = 0.05, [0.85, 0.95]
    text = "\n".join(findings(summary))
    assert (
        "**Best configuration** (highest mean validation accuracy): width 1024, depth 1, relu, test accuracy 95.25% ± 0.50%"
        in text
    )
    assert (
        "The smallest network within 1.00 points of its test accuracy (the seed noise) is width 256, depth 1, relu: 95.00% ± 0.50% with 4.0x fewer parameters"
        in text
    )
    assert (
        "**sigmoid vs depth**: trails the best activation by 1.00 points at depth 1, 6.00 points at depth 3"
        in text
    )
    assert "falls further behind as the network deepens (5.00 points more)" in text
    assert "relu vs depth" not in text  # the leader is what the others are measured against
    assert (
        "gained per step 16→64→256→1024 (mean over depths): relu +4.00 points, +1.00 points, +0.25 points: diminishing returns, the last step buys 6% of what the first did, within the seed noise"
        in text
    )
    assert (
        "The largest is 5.00 points, for width 16, depth 1, relu (its seeds: 85.00%, 95.00%)"
        in text
    )
    best_depths = (
        "relu at depth 1 (93.56%; depth 3 within the seed noise), sigmoid at depth 1 (92.56%)."
    )
    assert best_depths in text


def test_findings_do_not_claim_what_the_numbers_do_not_show():
    # relu's width gains grow; sigmoid loses accuracy from 64 to 256 and closes its gap with depth
    relu, sigmoid, offset = (
        {16: 0.90, 64: 0.91, 256: 0.95},
        {16: 0.85, 64: 0.88, 256: 0.86},
        {1: 0.03, 2: 0.0},
    )
    summary = [cell(w, d, "relu", a) for d in (1, 2) for w, a in relu.items()]
    summary += [cell(w, d, "sigmoid", a - offset[d]) for d in (1, 2) for w, a in sigmoid.items()]
    text = "\n".join(findings(summary))
    assert "diminishing returns" not in text and "falls further behind" not in text
    assert "relu +1.00 points, +4.00 points: the gains do not shrink step after step" in text
    assert "sigmoid +3.00 points, -2.00 points: widening from 64 to 256 costs 2.00 points" in text
    assert "closes the gap as the network deepens (3.00 points less)" in text


def test_a_tiny_study_reads_right():
    summary = [cell(w, 1, "relu", a) for w, a in ((16, 0.90), (64, 0.91))]
    summary[0]["seconds_mean"], summary[1]["seconds_mean"] = 0.004, 0.031
    text = "\n".join(findings(summary))
    assert "training took 0.004 s per run for width 16" in text and "up to 0.031 s" in text
    assert "0.0 s" not in text
