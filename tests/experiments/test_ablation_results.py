"""The ablation study's tables: a summary over seeds."""

import numpy as np

from numpynn.experiments.ablation_results import summarize


def test_summarize_leaves_the_std_of_a_single_seed_empty():
    rows = [{"width": 8, "depth": 1, "activation": "relu", "optimizer": "adam", "lr": 0.1,
             "parameters": 10, "test_accuracy": 0.5, "val_accuracy": 0.4, "train_loss": 1.0,
             "seconds": 2.0}]  # fmt: skip
    [entry] = summarize(rows)
    assert entry["test_accuracy_mean"] == 0.5 and np.isnan(entry["test_accuracy_std"])
