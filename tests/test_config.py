import pytest

from numpynn.config import TrainConfig, load_config, to_toml


def test_defaults_round_trip_through_toml(tmp_path):
    config = TrainConfig(hidden=[30], activation="sigmoid", lr=0.5)
    (tmp_path / "config.toml").write_text(to_toml(config.to_dict()))
    assert load_config(tmp_path / "config.toml") == config


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lr": -1.0}, r"lr must be a number > 0, got -1.0"),
        ({"epochs": 0}, r"epochs must be an integer >= 1, got 0"),
        ({"dropout": 1.0}, r"dropout must be a number >= 0 and < 1, got 1.0"),
        ({"hidden": [256, 0]}, r"hidden must be a list of widths >= 1"),
        (
            {"activation": "rleu"},
            r"activation must be one of: identity, leaky_relu, relu, sigmoid, tanh; got 'rleu'",
        ),
        ({"optimizer": "adagrad"}, r"optimizer must be one of: adam, momentum, nesterov, sgd"),
        ({"batch_size": 1.5}, r"batch_size must be an integer >= 1, got 1.5"),
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
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")
