"""TrainConfig: TOML round trips, what its keys build, and bad values naming the key and the rule."""

import dataclasses
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpynn as nn
from numpynn.runs.config import TrainConfig, load_config, save_config, to_toml


def test_defaults_round_trip_through_toml(tmp_path):
    config = TrainConfig(hidden=[30], activation="sigmoid", lr=0.5)
    (tmp_path / "config.toml").write_text(to_toml(config.to_dict()))
    assert load_config(tmp_path / "config.toml") == config


def test_optimizer_and_schedule_keys_round_trip_and_build_what_they_say(tmp_path):
    config = TrainConfig(
        optimizer="nesterov", lr=0.05, momentum=0.8, weight_decay=1e-4, schedule="step",
        warmup_epochs=1, gamma=0.5, step_size=2, clip_norm=5.0, epochs=5,
    )  # fmt: skip
    (tmp_path / "config.toml").write_text(to_toml(config.to_dict()))
    assert load_config(tmp_path / "config.toml") == config.validate()
    optimizer = config.build_optimizer([nn.Parameter(np.zeros(2))])
    assert repr(optimizer) == "SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.0001)"
    schedule = config.build_schedule()
    assert [schedule(e) for e in range(5)] == [0.025, 0.05, 0.05, 0.025, 0.025]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lr": -1.0}, r"lr must be a finite number > 0, got -1.0"),
        ({"epochs": 0}, r"epochs must be an integer >= 1, got 0"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
        ({"hidden": [256, 0]}, r"hidden must be a list of widths >= 1"),
        (
            {"activation": "rleu"},
            r"activation must be one of: identity, leaky_relu, relu, sigmoid, tanh; got 'rleu'",
        ),
        (
            {"optimizer": "adagrad"},
            r"optimizer must be one of: adam, adamw, momentum, nesterov, rmsprop, sgd; got 'adagrad'",
        ),
        ({"lr": 0}, r"lr must be a finite number > 0, got 0"),
        (
            {"schedule": "linear"},
            r"schedule must be one of: constant, cosine, exponential, step; got 'linear'",
        ),
        ({"optimizer": "nesterov", "momentum": 0.0}, r"SGD: nesterov needs momentum > 0"),
        ({"momentum": 0.9}, r"optimizer 'adam' takes no option 'momentum'"),
        ({"optimizer": "sgd", "momentum": 1.0}, r"SGD: momentum must be in \[0, 1\), got 1.0"),
        ({"weight_decay": -0.1}, r"weight_decay must be a finite number >= 0, got -0.1"),
        ({"momentum": "0.9"}, r"momentum must be a finite number >= 0, got '0.9'"),
        ({"clip_norm": 0.0}, r"clip_norm must be a finite number > 0, got 0.0"),
        (
            {"schedule": "constant", "gamma": 0.5},
            r"gamma applies to the step and exponential schedules, not 'constant'",
        ),
        ({"schedule": "step", "step_size": 0}, r"step_size must be an integer >= 1, got 0"),
        ({"warmup_epochs": 5}, r"warmup_epochs must be an integer in \[0, epochs=5\), got 5"),
        ({"batch_size": 1.5}, r"batch_size must be an integer >= 1, got 1.5"),
        ({"train_size": 0}, r"train_size must be an integer >= 1, got 0"),
        (
            {"output_activation": "softmax"},
            r"output_activation must be one of: identity, .*; got 'softmax'",
        ),
        ({"bias_init": "ones"}, r"bias_init must be one of: normal, zeros; got 'ones'"),
        ({"split": "last"}, r"split must be one of: ordered, random; got 'last'"),
        ({"decay_biases": "no"}, r"decay_biases must be true or false, got 'no'"),
        ({"test_every_epoch": 1}, r"test_every_epoch must be true or false, got 1"),
        (
            {"loss": "sigmoid-cross-entropy", "output_activation": "sigmoid"},
            r"loss sigmoid-cross-entropy takes logits .*; use output_activation 'sigmoid' with loss mse",
        ),
        ({"output_activation": "sigmoid"}, r"loss cross-entropy takes logits"),
        (
            {"split": "ordered", "val_size": 0},
            r"split = ordered holds out the last val_size images",
        ),
        (
            {"decay_biases": False},
            r"decay_biases = false needs weight_decay > 0 \(adam's is 0\)",
        ),
        ({"augment": "flip"}, r"augment must be one of: affine, elastic, shift; got 'flip'"),
        ({"augment_shift": 3}, r"augment_shift needs augment = shift or affine or elastic"),
        ({"augment_rotate": 5}, r"augment_rotate needs augment = affine or elastic"),
        (
            {"augment": "affine", "augment_scale": 1},
            r"augment_scale must be in \[0, 1\), got 1",
        ),
        (
            {"augment": "shift", "augment_alpha": 3},
            r"augment_alpha does not apply to augment = 'shift', which takes augment_shift",
        ),
        (
            {"augment": "affine", "augment_rotate": -5},
            r"augment_rotate must be a finite number >= 0",
        ),
        ({"augment": "elastic", "augment_sigma": 0}, r"augment_sigma must be a finite number > 0"),
        (
            {"augment": "shift", "augment_shift": "2"},
            r"augment_shift must be a finite number >= 0, got '2'",
        ),
    ],
)
def test_bad_values_name_the_key_and_the_rule(values, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**values).validate()


def test_unknown_keys_and_bad_toml_are_errors(tmp_path):
    (tmp_path / "typo.toml").write_text("learning_rate = 0.1\n")
    with pytest.raises(ValueError, match="unknown key 'learning_rate'; valid keys: activation"):
        load_config(tmp_path / "typo.toml")
    (tmp_path / "broken.toml").write_text("lr = = 1\n")
    with pytest.raises(ValueError, match="not a valid TOML config file"):
        load_config(tmp_path / "broken.toml")


def test_numpy_numbers_are_accepted_and_stored_as_python_numbers():
    config = TrainConfig(hidden=[np.int64(8)], epochs=np.int32(2), seed=np.int64(3),
                         lr=np.float32(0.5), dropout=np.float64(0.25)).validate()  # fmt: skip
    assert config.hidden == [8] and type(config.hidden[0]) is int and type(config.epochs) is int
    assert type(config.lr) is float and config.lr == 0.5 and config.dropout == 0.25
    assert json.loads(json.dumps(config.to_dict()))["seed"] == 3  # a manifest can hold it
    assert "epochs = 2\n" in to_toml(config.to_dict()) and "lr = 0.5\n" in to_toml(config.to_dict())
    assert TrainConfig(lr=1).validate().lr == 1  # a Python int stays as written (config hashes)


toml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = [field.name for field in dataclasses.fields(TrainConfig)]


@settings(max_examples=150, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from([*KEYS, "learning_rate", "recipe", "example"]), toml_values, max_size=4
    )
)
def test_any_config_file_is_a_valid_config_or_one_error_naming_what_is_wrong(
    values, tmp_path_factory
):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    text = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())  # JSON is mostly TOML
    path.write_text(text)
    try:
        config = load_config(path)
    except ValueError as error:  # bad TOML, an unknown key, or a bad value: one line
        assert "\n" not in str(error)
    else:
        assert load_config(path) == config and to_toml(config.to_dict())  # it can be written back


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_a_folder_in_place_of_a_config_file_is_refused_at_once(tmp_path, capsys):
    os.mkfifo(tmp_path / "config.toml")
    with pytest.raises(
        ValueError, match="config.toml: not a valid TOML config file .*not a regular file"
    ):
        load_config(tmp_path / "config.toml")
    with pytest.raises(ValueError, match="is a folder, not a file"):
        load_config(tmp_path)


def test_the_classics_keys_round_trip_and_unset_ones_stay_out_of_the_file(tmp_path):
    config = TrainConfig(activation="sigmoid", output_activation="sigmoid", loss="mse", init="normal",
                         bias_init="normal", optimizer="sgd", weight_decay=1e-4,
                         decay_biases=False, split="ordered", test_every_epoch=True).validate()  # fmt: skip
    save_config(config, tmp_path / "config.toml")
    assert load_config(tmp_path / "config.toml") == config
    assert "decay_biases = false\n" in (tmp_path / "config.toml").read_text()
    # unset, they are no change: an old run's config file and hash stay what they were
    text = to_toml(TrainConfig().to_dict())
    assert not any(
        key in text for key in ("output_activation", "bias_init", "split", "decay_biases")
    )


def test_the_data_keys_are_unset_by_default_and_checked_when_set():
    from numpynn.runs.config import TrainConfig

    default = TrainConfig().validate()
    assert (default.data, default.target, default.standardize) == (None, None, None)
    assert (
        default.scaling() == "none" and TrainConfig(data="x.csv").validate().scaling() == "standard"
    )
    assert TrainConfig(data="x.csv", standardize="minmax").validate().scaling() == "minmax"
    for values, message in (
        ({"data": "x.csv", "dataset": "fashion-mnist"}, "set dataset .* or data .*, not both"),
        (
            {"target": "label"},
            r"target names the label column of a data file; give the file too \(--data FILE.csv",
        ),
        ({"data": "x.csv", "target": 1.5}, "target must be a column name or index"),
        ({"data": "x.csv", "standardize": "zscore"}, "standardize"),
        ({"data": ""}, "data must be the path of a .csv or .npz file"),
    ):
        with pytest.raises(ValueError, match=message):
            TrainConfig(**values).validate()
