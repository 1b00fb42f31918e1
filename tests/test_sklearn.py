"""numpynn.sklearn: scikit-learn's own estimator checks, the same steps as scikit-learn's
MLPClassifier from the same weights, labels of any type, pickling, partial_fit, errors."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.neural_network import MLPClassifier as SklearnMLP  # noqa: E402
from sklearn.preprocessing import LabelBinarizer  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import numpynn.sklearn  # noqa: E402
from numpynn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_scikit_learn_accepts_the_estimators(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    return x / 16, y


def sklearn_twin(ours: MLPClassifier, y, **params) -> SklearnMLP:
    """scikit-learn's MLPClassifier holding our network's weights, ready to continue from them
    (the attributes its warm start reads)."""
    twin = SklearnMLP(warm_start=True, **params)
    twin._label_binarizer, twin.classes_ = LabelBinarizer().fit(y), ours.classes_
    twin._random_state = np.random.RandomState(0)
    twin.n_outputs_, twin.n_layers_, twin.out_activation_ = (
        ours.n_outputs_,
        ours.n_layers_,
        "softmax",
    )
    twin.coefs_ = [w.copy() for w in ours.coefs_]
    twin.intercepts_ = [b.copy() for b in ours.intercepts_]
    twin.n_iter_, twin.t_, twin.loss_curve_, twin.best_loss_ = 0, 0, [], np.inf
    twin._no_improvement_count = 0
    return twin


@pytest.mark.parametrize(
    ("solver", "alpha", "rtol", "rows", "batch_size"),
    [("sgd", 0.0, 1e-10, 400, 100), ("sgd", 0.1, 1e-10, 400, 100),
     ("sgd", 0.1, 1e-10, 150, "auto"),  # one batch of every row: the penalty's 1/150
     ("adam", 0.0, 1e-4, 400, 100)],
)  # fmt: skip
def test_training_takes_scikit_learns_steps_from_the_same_weights(
    digits, solver, alpha, rtol, rows, batch_size
):
    """Plain SGD (no momentum) matches to rounding, L2 penalty included. Adam's losses match to
    1e-4; a weight whose gradient is almost always 0 (a pixel almost never lit) moves differently,
    by less than a step of lr, because the two add epsilon to differently scaled √v."""
    x, y = digits[0][:rows], digits[1][:rows]
    params = dict(hidden_layer_sizes=(16, 12), solver=solver, alpha=alpha, batch_size=batch_size,
                  learning_rate_init=0.05 if solver == "sgd" else 1e-3, momentum=0.0,
                  shuffle=False, max_iter=1, tol=0.0, n_iter_no_change=100)  # fmt: skip
    ours = MLPClassifier(dtype="float64", random_state=0, **params).fit(x, y)
    twin = sklearn_twin(ours, y, **params)
    ours.set_params(warm_start=True, max_iter=5)
    twin.set_params(max_iter=5)
    ours.fit(x, y)
    twin.fit(x, y)
    atol = 1e-12 if solver == "sgd" else 1e-3  # Adam: the weights of pixels almost never lit
    for a, b in zip(ours.coefs_ + ours.intercepts_, twin.coefs_ + twin.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.loss_curve_[1:], twin.loss_curve_, rtol=rtol)


def test_labels_of_any_type_come_back_as_given(digits):
    x, y = digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0).fit(x, names[y])
    assert list(clf.classes_) == sorted(names)
    assert clf.score(x, names[y]) > 0.9
    assert set(clf.predict(x[:50])) <= set(names)
    proba = clf.predict_proba(x[:5])
    assert proba.shape == (5, 10) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)


def test_multi_label_targets_get_one_sigmoid_output_each(digits):
    x, y = digits
    targets = np.column_stack([y % 2 == 0, y >= 5]).astype(int)  # even? large?
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=60, random_state=0).fit(x, targets)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 2
    assert clf.predict(x).shape == targets.shape
    assert clf.score(x, targets) > 0.85  # both labels right
    assert ((clf.predict_proba(x) > 0.5) == clf.predict(x)).all()


def test_a_pickled_estimator_predicts_and_trains_on_as_the_original(digits):
    x, y = digits
    clf = MLPClassifier(hidden_layer_sizes=(24,), max_iter=5, random_state=0).fit(x, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(x), clf.predict_proba(x))
    clf.partial_fit(x, y)
    copy.partial_fit(x, y)
    np.testing.assert_array_equal(copy.coefs_[0], clf.coefs_[0])
    assert copy.n_iter_ == clf.n_iter_ == 6


def test_partial_fit_continues_one_epoch_at_a_time(digits):
    x, y = digits
    clf = MLPClassifier(hidden_layer_sizes=(24,), random_state=0)
    with pytest.raises(ValueError, match=r"pass classes=\[...\] \(every label\) at the first call"):
        clf.partial_fit(x, y)
    for _ in range(3):
        clf.partial_fit(x[:300], y[:300], classes=np.arange(10))
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match=r"labels \['z'\] not among classes_"):
        clf.partial_fit(x[:2], np.array(["z", "z"]))


def test_early_stopping_keeps_the_best_validation_score(digits):
    x, y = digits
    clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=3,
                        max_iter=200, random_state=0).fit(x, y)  # fmt: skip
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_fit_stops_when_the_loss_stops_improving_and_warns_when_it_does_not(digits):
    x, y = digits
    clf = MLPClassifier(hidden_layer_sizes=(32,), tol=0.5, n_iter_no_change=2, random_state=0)
    clf.fit(x, y)
    assert clf.n_iter_ < 10 and clf.best_loss_ == min(clf.loss_curve_)
    with pytest.warns(ConvergenceWarning, match="max_iter=2 epochs reached"):
        MLPClassifier(max_iter=2, random_state=0).fit(x, y)


def test_the_weights_have_scikit_learns_shapes_and_are_the_networks(digits):
    x, y = digits
    clf = MLPClassifier(hidden_layer_sizes=(20, 15), max_iter=2, random_state=0).fit(x, y)
    assert [w.shape for w in clf.coefs_] == [(64, 20), (20, 15), (15, 10)]
    assert [b.shape for b in clf.intercepts_] == [(20,), (15,), (10,)]
    assert clf.coefs_[0] is clf.model_[0].W.value
    assert clf.n_layers_ == 4 and clf.n_features_in_ == 64


def test_clone_gives_an_unfitted_copy_with_the_same_parameters(digits):
    clf = MLPClassifier(hidden_layer_sizes=(7,), dropout=0.2, schedule="cosine", solver="sgd")
    clf.fit(*digits)
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        fresh.predict(digits[0])


def test_numpynns_own_parameters_change_the_network(digits):
    clf = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.5, dtype="float64", max_iter=1)
    clf.fit(*digits)
    assert "Dropout(p=0.5)" in repr(clf.model_) and clf.coefs_[0].dtype == np.float64


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"solver": "lbfgs"}, r"solver='lbfgs' is not valid; choose one of adam, sgd, adamw, rmsprop"),
        ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes=\(10, 0\) is not valid; give one positive integer per hidden layer"),
        ({"batch_size": 0}, r"batch_size=0 is not valid"),
        ({"validation_fraction": 1.0}, r"validation_fraction=1.0 is not valid; give a fraction strictly between 0 and 1"),
        ({"activation": "softplus"}, r"activation='softplus' is not valid; choose one of logistic, identity"),
        ({"learning_rate": "adaptive"}, r"learning_rate='adaptive' is not valid; .* schedule= gives 'constant', 'cosine'"),
        ({"momentum": 2}, r"momentum=2 is not valid; give a momentum in \[0, 1\]"),
        ({"beta_2": 1.0}, r"beta_2=1.0 is not valid"),
        ({"alpha": "a lot"}, r"alpha='a lot' is not valid; give an L2 penalty >= 0"),
        ({"dropout": 1.5}, r"dropout=1.5 is not valid"),
        ({"dtype": "bogus"}, r"dtype='bogus' is not valid; choose 'float32' \(fast\) or 'float64'"),
        ({"random_state": -1}, r"random_state must be None, an integer >= 0"),
    ],
)  # fmt: skip
def test_a_bad_parameter_is_refused_at_fit_with_what_to_do(digits, params, message):
    clf = MLPClassifier(**params)  # scikit-learn's rule: __init__ only stores
    with pytest.raises(ValueError, match=message):
        clf.fit(*digits)


def test_each_fit_of_a_warm_start_runs_the_whole_schedule(digits, monkeypatch):
    lrs, step = [], numpynn.sklearn.train_step
    monkeypatch.setattr(numpynn.sklearn, "train_step",
                        lambda *args: lrs.append(args[2].lr) or step(*args))  # fmt: skip
    clf = MLPClassifier(hidden_layer_sizes=(8,), schedule="cosine", warm_start=True, max_iter=3,
                        batch_size=2000, learning_rate_init=0.01, random_state=0)  # fmt: skip
    clf.fit(*digits).fit(*digits)  # one batch an epoch: one learning rate each
    assert lrs[:3] == lrs[3:] and lrs[0] == 0.01 > lrs[1] > lrs[2]


def test_scikit_learns_other_parameters_are_accepted_so_its_code_runs(digits):
    clf = MLPClassifier(learning_rate="constant", power_t=0.25, max_fun=100, max_iter=2)
    assert clf.fit(*digits).get_params()["power_t"] == 0.25


def test_a_learning_rate_that_diverges_names_the_epoch():
    x, y = make_regression(100, 4, random_state=0)
    with pytest.raises(
        FloatingPointError,
        match=r"training loss became inf at epoch \d+; lower learning_rate_init \(try a tenth\)",
    ):
        MLPRegressor(learning_rate_init=1e6, solver="sgd", random_state=0).fit(x * 1e3, y * 1e6)


def test_the_regressor_fits_one_target_or_several():
    x, y = make_regression(300, 5, n_targets=2, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    two = MLPRegressor(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(x, y)
    assert two.predict(x).shape == (300, 2) and two.score(x, y) > 0.9
    one = MLPRegressor(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(x, y[:, 0])
    assert one.predict(x).shape == (300,) and one.score(x, y[:, 0]) > 0.9


def test_importing_numpynn_does_not_import_scikit_learn_and_without_it_says_what_to_install():
    code = (
        "import sys; import numpynn; assert 'sklearn' not in sys.modules\n"
        "sys.modules['sklearn'] = None\n"
        "try:\n    import numpynn.sklearn\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "numpynn[sklearn]"' in out.stdout
