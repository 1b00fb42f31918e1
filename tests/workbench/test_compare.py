"""compare_to_reference: a right network trains exactly as numpynn's, a wrong one parts from it
at the batch where it first differs, in rows or in columns, with its figure."""

import numpy as np
import pytest
from workbench.bugs import SOLUTIONS

from numpynn.workbench import compare_to_reference


def solution(file: str, name: str):
    namespace: dict = {}
    exec((SOLUTIONS / file).read_text(), namespace)
    return namespace[name]


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    x, x_val = rng.standard_normal((96, 8)), rng.standard_normal((40, 8))
    w = rng.standard_normal((8, 3))
    return x, (x @ w).argmax(axis=1), x_val, (x_val @ w).argmax(axis=1)


def test_a_right_network_trains_exactly_as_numpynns(data, tmp_path):
    result = compare_to_reference(solution("ex4_mlp.py", "mlp_loss"), (8, 16, 3), data=data, epochs=3,
                                  batch_size=16, out=tmp_path / "c.png")  # fmt: skip
    assert result.agree and result.first_difference is None
    assert len(result.batch_losses["yours"]) == len(result.batch_losses["numpynn"]) == 18
    assert np.allclose(result.batch_losses["yours"], result.batch_losses["numpynn"], rtol=1e-12)
    last = result.epochs[-1]
    assert last["yours_val_accuracy"] == last["numpynn_val_accuracy"] > 0.6  # it learned
    assert result.batch_losses["numpynn"][-1] < result.batch_losses["numpynn"][0]
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert "trains exactly as numpynn's" in str(result)


def test_a_wrong_bias_gradient_parts_at_the_second_batch(data):
    right = solution("ex4_mlp.py", "mlp_loss")

    def no_bias_gradient(params, x, labels=None):
        if labels is None:
            return right(params, x)
        loss, grads = right(params, x, labels)
        return loss, [(dW, 0 * db) for dW, db in grads]

    result = compare_to_reference(
        no_bias_gradient, (8, 16, 3), data=data, epochs=1, batch_size=16, out=None
    )
    assert not result.agree and result.first_difference == 1  # batch 0's loss comes before any step
    assert "parts from numpynn's at batch 1" in str(result)


def test_columns_layout(data):
    right = solution("ex4_mlp.py", "mlp_loss")

    def in_columns(params, x, labels=None):
        rows = [(W.T, b.ravel()) for W, b in params]
        assert x.shape[0] == 8 and all(b.shape[1] == 1 for _, b in params)
        if labels is None:
            return right(rows, x.T).T
        loss, grads = right(rows, x.T, labels)
        return loss, [(dW.T, db[:, None]) for dW, db in grads]

    assert compare_to_reference(
        in_columns, (8, 16, 3), data=data, epochs=1, batch_size=32, layout="columns", out=None
    ).agree


def test_the_default_data_is_mnist(mnist_dir):
    result = compare_to_reference(solution("ex4_mlp.py", "mlp_loss"), (784, 32, 10), epochs=1, train_size=640,
                                  val_size=200, out=None)  # fmt: skip
    assert result.agree and result.epochs[0]["numpynn_val_accuracy"] > 0.5
