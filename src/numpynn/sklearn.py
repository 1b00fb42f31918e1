"""scikit-learn estimators trained by numpynn: ``MLPClassifier`` and ``MLPRegressor``.

They take scikit-learn's ``MLPClassifier``/``MLPRegressor`` parameters where those mean the same
thing, so they drop into pipelines, grid searches and cross-validation, and into code written for
scikit-learn's:

    from numpynn.sklearn import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(100,), max_iter=10).fit(x_train, y_train)
    clf.score(x_test, y_test)

Underneath is a numpynn network (``model_``, an ``nn.Sequential``), trained by ``train_step``
with numpynn's optimizers, in float32 by default. scikit-learn is needed only by this module
(``pip install "numpynn[sklearn]"``); ``import numpynn`` never imports it.

What differs from scikit-learn's estimators:
- ``solver``: ``adam`` and ``sgd`` as scikit-learn's, plus numpynn's ``adamw`` and ``rmsprop``;
  no ``lbfgs``. ``learning_rate`` must be ``constant``: scikit-learn's ``invscaling`` and
  ``adaptive`` are replaced by numpynn's ``schedule`` (``constant``, ``cosine``, ``step``,
  ``exponential``, spanning ``max_iter`` epochs). ``power_t`` (of ``invscaling``) and ``max_fun``
  (of ``lbfgs``) are accepted so that code written for scikit-learn runs, and have no effect.
- The weights start as numpynn's ``mlp`` starts them (He for ReLU, Xavier otherwise), not with
  scikit-learn's Glorot-uniform variant.
- ``alpha`` is the L2 penalty ½·alpha·‖W‖² / batch_size of each batch, as scikit-learn's, applied
  as the optimizer's weight decay alpha / batch_size (the last, smaller batch of an epoch gets the
  same rate), never to the intercepts. With ``adamw`` that rate is AdamW's decoupled decay, which
  is no penalty of the loss: ``loss_curve_`` then holds the data's loss alone.
- Adam adds ``epsilon`` to the bias-corrected √v, as torch.optim.Adam; scikit-learn folds the
  correction into the step size. The two differ by less than epsilon.
- A multiclass (and binary) classifier has one softmax output per class; multi-label targets get
  one sigmoid output per label.
- Predictions are computed in float64 from a float64 copy of the weights, so that a row's
  prediction does not depend on the other rows (float32 products round differently for
  different numbers of rows).
- ``dropout`` (the rate after each hidden layer), ``dtype`` and ``schedule`` are numpynn's own.

All of scikit-learn's estimator checks pass (``parametrize_with_checks`` in
tests/test_sklearn.py); none is skipped.
"""

import math
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import column_or_1d
    from sklearn.utils.multiclass import check_classification_targets, unique_labels
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as error:  # pragma: no cover - depends on what is installed
    raise ImportError(
        f"numpynn.sklearn needs scikit-learn >= 1.6 ({error}); "
        'install it with: pip install "numpynn[sklearn]"'
    ) from error

from .activations import ACTIVATIONS, Sigmoid
from .buffers import pack
from .data.batching import iterate_batches
from .gradcheck import float64_copy
from .losses import MeanSquaredError, SigmoidCrossEntropy, SoftmaxCrossEntropy, softmax
from .model import mlp
from .optim import get_optimizer
from .schedules import make_schedule
from .training import train_step
from .validation import in_interval, is_int

__all__ = ["MLPClassifier", "MLPRegressor"]

SOLVERS = ("adam", "sgd", "adamw", "rmsprop")
ACTIVATION_NAMES = {"logistic": "sigmoid"}  # scikit-learn's name -> numpynn's


class _MLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, the training loop, the weights."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        dtype="float32",
        schedule="constant",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.dtype = dtype
        self.schedule = schedule

    # -- the weights, in scikit-learn's shapes ------------------------------------------------

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrix of each layer, (fan_in, fan_out) as scikit-learn's (views)."""
        check_is_fitted(self, "model_")
        return [layer.W.value for layer in self._dense_layers()]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vector of each layer, (fan_out,)."""
        check_is_fitted(self, "model_")
        return [layer.b.value for layer in self._dense_layers()]

    def _dense_layers(self):
        return [layer for layer in self.model_ if hasattr(layer, "W")]

    def _hidden_sizes(self) -> list:
        """``hidden_layer_sizes`` as a list (scikit-learn also takes one integer)."""
        hidden = self.hidden_layer_sizes
        return [hidden] if np.isscalar(hidden) else list(hidden)

    def _activation_name(self) -> str:
        """numpynn's name of ``activation`` (scikit-learn's ``logistic`` is ``sigmoid``)."""
        return ACTIVATION_NAMES.get(self.activation, self.activation)

    def fit(self, X, y):
        """Train on ``X`` (n_samples, n_features) and ``y`` (labels, or the regressor's
        targets); returns self."""
        return self._fit(X, y, incremental=False)

    # -- training -----------------------------------------------------------------------------

    def _fit(self, X, y, incremental: bool):
        first = not hasattr(self, "model_") or not (self.warm_start or incremental)
        self._check_parameters()
        X, y = self._validate_input(X, y, reset=first, incremental=incremental)
        targets, loss_fn = self._encode(y, first)
        if first:
            self._start(X.shape[1], targets)
        train, val = self._split(X, targets, y, incremental)
        batch_size = self._batch_size(len(train[0]))
        optimizer = self._optimizer(incremental, batch_size)
        epochs = 1 if incremental else self.max_iter
        schedule = make_schedule(self.schedule, self.learning_rate_init, self.max_iter)
        for epoch in range(epochs):  # a fit's schedule starts afresh; partial_fit's goes on
            optimizer.lr = schedule(min(self.n_iter_, self.max_iter - 1) if incremental else epoch)
            loss = self._epoch(optimizer, loss_fn, *train, batch_size)
            self.n_iter_ += 1
            self.t_ += len(train[0])
            self.loss_curve_.append(loss)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_curve_[-1]:.8f}")
            watched = val is not None or self.best_loss_ is not None
            if watched and self._converged(val) and not incremental:
                if self.verbose:
                    print(f"Training loss did not improve more than tol={self.tol} for "
                          f"{self.n_iter_no_change} consecutive epochs. Stopping.")  # fmt: skip
                break
        else:
            if not incremental:
                warnings.warn(
                    f"{type(self).__name__}: max_iter={self.max_iter} epochs reached before the "
                    f"loss stopped improving by tol={self.tol}; raise max_iter to train longer",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        if self.early_stopping and not incremental:
            self._restore_best()
        self._optimizer_state = optimizer.state_dict()
        return self

    def _start(self, n_features: int, targets: np.ndarray) -> None:
        """A fresh network and fresh records; the seeds follow ``random_state``."""
        sizes = [n_features, *self._hidden_sizes(), self._n_outputs(targets)]
        seeds = np.random.SeedSequence(_entropy(self.random_state)).spawn(3)
        self._rng, self._split_seed = np.random.default_rng(seeds[1]), seeds[2]
        self.model_ = mlp(sizes, self._activation_name(),
                          dropout=self.dropout, dtype=self.dtype, rng=np.random.default_rng(seeds[0]))  # fmt: skip
        self.n_layers_ = len(sizes)
        self.n_outputs_ = sizes[-1]
        self.n_iter_, self.t_ = 0, 0
        self.loss_curve_ = []
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self._no_improvement_count, self._best_weights = 0, None
        self._optimizer_state = None

    def _optimizer(self, incremental: bool, batch_size: int):
        """The optimizer ``solver`` names; a ``partial_fit`` continues the state of the last."""
        options = {
            "adam": {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon},
            "adamw": {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon},
            "sgd": {
                "momentum": self.momentum,
                "nesterov": bool(self.nesterovs_momentum and self.momentum > 0),
            },  # fmt: skip
            "rmsprop": {"eps": self.epsilon},
        }[self.solver]
        decay = self.alpha / batch_size
        optimizer = get_optimizer(self.solver, self.model_.parameters(), self.learning_rate_init,
                                  weight_decay=decay, decay_biases=False, **options)  # fmt: skip
        if incremental and self._optimizer_state is not None:
            optimizer.load_state_dict(self._optimizer_state)
        return optimizer

    def _epoch(self, optimizer, loss_fn, x, targets, batch_size: int) -> float:
        """One pass over the data in mini-batches; the mean training loss, with scikit-learn's
        L2 term ½·alpha·‖W‖² / (batch size) of the weights each batch started from."""
        total = 0.0
        rng = self._rng if self.shuffle else None
        for xb, yb in iterate_batches(x, targets, batch_size, rng):
            penalty = self._penalty(len(xb)) if self.alpha and self.solver != "adamw" else 0.0
            with np.errstate(over="ignore", invalid="ignore"):  # a non-finite loss is named below
                loss, _ = train_step(self.model_, loss_fn, optimizer, xb, yb)
            loss += penalty
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"{type(self).__name__}: the training loss became {loss} at epoch "
                    f"{self.n_iter_ + 1}; lower learning_rate_init (try a tenth)"
                )
            total += loss * len(xb)
        return total / len(x)

    def _penalty(self, batch_size: int) -> float:
        squares = sum(float(np.vdot(w, w)) for w in self.coefs_)
        return 0.5 * self.alpha * squares / batch_size

    def _split(self, X, targets, y, incremental: bool):
        """(train, validation): ``validation_fraction`` held out with ``early_stopping``."""
        if not self.early_stopping or incremental:
            return (X, targets), None
        stratify = y if self._stratify else None
        seed = int(self._split_seed.generate_state(1)[0])
        x_train, x_val, t_train, t_val = train_test_split(
            X, targets, test_size=self.validation_fraction, random_state=seed, stratify=stratify
        )
        return (x_train, t_train), (x_val, t_val)

    def _converged(self, val) -> bool:
        """scikit-learn's rule: no improvement by ``tol`` in ``n_iter_no_change`` epochs of the
        validation score (early stopping) or of the training loss; keeps the best weights."""
        if val is not None:
            score = self._score_on(*val)
            self.validation_scores_.append(score)
            worse = score < self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = [p.value.copy() for p in self.model_.parameters()]
        else:
            worse = self.loss_curve_[-1] > self.best_loss_ - self.tol
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
        self._no_improvement_count = self._no_improvement_count + 1 if worse else 0
        return self._no_improvement_count > self.n_iter_no_change

    def _restore_best(self) -> None:
        for p, best in zip(self.model_.parameters(), self._best_weights or [], strict=False):
            p.value[...] = best

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _check_parameters(self) -> None:
        """Refuse a bad parameter at fit (scikit-learn's rule: ``__init__`` only stores)."""
        problems = {
            "hidden_layer_sizes": not all(is_int(h) and h > 0 for h in self._hidden_sizes()),
            "solver": self.solver not in SOLVERS,
            "batch_size": self.batch_size != "auto" and not (is_int(self.batch_size) and self.batch_size > 0),
            "max_iter": not (is_int(self.max_iter) and self.max_iter > 0),
            "n_iter_no_change": not (is_int(self.n_iter_no_change) and self.n_iter_no_change > 0),
            "activation": self._activation_name() not in ACTIVATIONS,
            "learning_rate": self.learning_rate != "constant",
            "alpha": not in_interval(self.alpha, 0),
            "learning_rate_init": not in_interval(self.learning_rate_init, 0, low_open=True),
            "momentum": not in_interval(self.momentum, 0, 1, high_open=False),
            "beta_1": not in_interval(self.beta_1, 0, 1),
            "beta_2": not in_interval(self.beta_2, 0, 1),
            "epsilon": not in_interval(self.epsilon, 0, low_open=True),
            "validation_fraction": not in_interval(self.validation_fraction, 0, 1, low_open=True),
            "tol": not in_interval(self.tol, 0),
            "dropout": not in_interval(self.dropout, 0, 1),
            "dtype": self.dtype not in ("float32", "float64", np.float32, np.float64),
        }  # fmt: skip
        wrong = [name for name, bad in problems.items() if bad]
        if wrong:
            name = wrong[0]
            raise ValueError(
                f"{type(self).__name__}: {name}={getattr(self, name)!r} is not valid; "
                f"{_ADVICE[name]}"
            )

    # -- prediction ---------------------------------------------------------------------------

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, accept_sparse=False, reset=False, dtype=(np.float64, np.float32))
        # in float64: float32 products round differently for different numbers of rows, and a
        # row's prediction must not depend on the other rows of X
        return float64_copy(self.model_).forward(np.asarray(X, dtype=np.float64))

    # -- pickling: the parameters share one buffer, which a pickle would split ---------------

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            pack(self.model_.parameters())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class MLPClassifier(ClassifierMixin, _MLP):
    """A multi-layer perceptron classifier with scikit-learn's API, trained by numpynn.

    Labels may be of any type (strings too); ``classes_`` lists them in order. Multi-label
    targets (a 0/1 indicator matrix) are supported. ``partial_fit`` trains one epoch and needs
    ``classes`` at its first call. See the module's docstring for what differs from
    ``sklearn.neural_network.MLPClassifier``.

    Attributes (after fit): ``classes_``, ``model_`` (the numpynn network), ``coefs_``,
    ``intercepts_``, ``n_iter_``, ``t_``, ``loss_curve_``, ``best_loss_`` (None with early
    stopping), ``validation_scores_`` and ``best_validation_score_`` (with early stopping),
    ``n_features_in_``, ``n_layers_``, ``n_outputs_``, ``out_activation_``.
    """

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``, continuing from where the last call left the network and
        the optimizer. ``classes`` (every label that will ever appear) is needed at the first
        call, as in scikit-learn."""
        if not hasattr(self, "model_"):
            if classes is None:
                raise ValueError(
                    f"{type(self).__name__}.partial_fit: pass classes=[...] (every label) at the "
                    "first call; later calls may see only some of them"
                )
            self._binarizer = LabelBinarizer().fit(classes)
        return self._fit(X, y, incremental=True)

    def predict(self, X) -> np.ndarray:
        """The label of each row of ``X`` (an indicator matrix for multi-label targets)."""
        decisions = self._decisions(self._outputs(X))
        return decisions if self._multilabel else self.classes_[decisions]

    def predict_proba(self, X) -> np.ndarray:
        """The probability of each class (columns in the order of ``classes_``), float64."""
        outputs = self._outputs(X)
        return Sigmoid().forward(outputs) if self._multilabel else softmax(outputs)

    def predict_log_proba(self, X) -> np.ndarray:
        """The logarithm of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _validate_input(self, X, y, reset: bool, incremental: bool):
        X, y = validate_data(self, X, y, accept_sparse=False, multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)  # fmt: skip
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset and not incremental:
            self._binarizer = LabelBinarizer().fit(y)
        elif not set(unique_labels(y)) <= set(self._binarizer.classes_):
            unseen = np.setdiff1d(unique_labels(y), self._binarizer.classes_).tolist()
            raise ValueError(
                f"{type(self).__name__}: y holds labels {unseen} not among classes_ "
                f"{self._binarizer.classes_.tolist()}; a warm start or partial_fit cannot add "
                "classes"
            )
        return np.asarray(X, dtype=self.dtype), y

    def _encode(self, y, first: bool):
        """The targets and the loss: integer class indices and the softmax cross-entropy, or a
        0/1 indicator matrix and the sigmoid cross-entropy for multi-label targets."""
        self.classes_ = self._binarizer.classes_
        self.out_activation_ = "logistic" if self._multilabel else "softmax"
        if self._multilabel:
            return self._binarizer.transform(y).astype(self.dtype), SigmoidCrossEntropy()
        return np.searchsorted(self.classes_, y).astype(np.int64), SoftmaxCrossEntropy()

    @property
    def _multilabel(self) -> bool:
        return self._binarizer.y_type_ == "multilabel-indicator"

    @property
    def _stratify(self) -> bool:
        return not self._multilabel

    def _n_outputs(self, targets) -> int:
        return targets.shape[1] if targets.ndim == 2 else len(self.classes_)

    def _decisions(self, outputs: np.ndarray) -> np.ndarray:
        """Each row's class index, or its 0/1 labels (a logit above 0) when multi-label."""
        return (outputs > 0).astype(int) if self._multilabel else outputs.argmax(axis=1)

    def _score_on(self, x, targets) -> float:
        """Accuracy (every label right, when multi-label) on encoded targets."""
        right = self._decisions(self.model_.forward(x)) == targets
        return float(np.mean(right.all(axis=1) if self._multilabel else right))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _MLP):
    """A multi-layer perceptron regressor with scikit-learn's API, trained by numpynn: identity
    outputs and the mean squared error (over every output of every example). ``y`` may hold
    one target per row or several. See the module's docstring for what differs from
    ``sklearn.neural_network.MLPRegressor``.

    Attributes (after fit): ``model_`` (the numpynn network), ``coefs_``, ``intercepts_``,
    ``n_iter_``, ``t_``, ``loss_curve_``, ``best_loss_``, ``validation_scores_`` (R², with early
    stopping), ``best_validation_score_``, ``n_features_in_``, ``n_layers_``, ``n_outputs_``,
    ``out_activation_``.
    """

    def partial_fit(self, X, y):
        """One epoch over ``(X, y)``, continuing from where the last call left the network and
        the optimizer."""
        return self._fit(X, y, incremental=True)

    def predict(self, X) -> np.ndarray:
        """The predicted targets: shape (n_samples,) when fit on one target per row."""
        outputs = self._outputs(X)
        return outputs.ravel() if self._one_target else outputs

    def _validate_input(self, X, y, reset: bool, incremental: bool):
        X, y = validate_data(self, X, y, accept_sparse=False, multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)  # fmt: skip
        if reset:
            self._one_target = y.ndim == 1
        return np.asarray(X, dtype=self.dtype), y

    def _encode(self, y, first: bool):
        """The targets as a float matrix (one column per target) and the squared error."""
        self.out_activation_ = "identity"
        targets = np.asarray(y, dtype=self.dtype)
        targets = targets.reshape(len(targets), -1)
        if not first and targets.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__}: y has {targets.shape[1]} targets per row but the network "
                f"was fit on {self.n_outputs_}"
            )
        return targets, MeanSquaredError()

    _stratify = False

    def _n_outputs(self, targets) -> int:
        return targets.shape[1]

    def _score_on(self, x, targets) -> float:
        residual = ((self.model_.forward(x) - targets) ** 2).sum()
        total = ((targets - targets.mean(axis=0)) ** 2).sum()
        return float(1 - residual / total) if total > 0 else 0.0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


_ADVICE = {
    "hidden_layer_sizes": "give one positive integer per hidden layer, e.g. (100,) or (256, 128)",
    "solver": f"choose one of {', '.join(SOLVERS)}",
    "batch_size": "give a positive integer or 'auto' (min(200, n_samples))",
    "max_iter": "give a positive number of epochs",
    "n_iter_no_change": "give a positive number of epochs",
    "activation": f"choose one of logistic, {', '.join(ACTIVATIONS)}",
    "learning_rate": "scikit-learn's invscaling and adaptive rates are not implemented; numpynn's "
    "schedule= gives 'constant', 'cosine', 'step' or 'exponential' over max_iter epochs",
    "momentum": "give a momentum in [0, 1], e.g. 0.9",
    "beta_1": "give a decay rate in [0, 1), e.g. 0.9",
    "beta_2": "give a decay rate in [0, 1), e.g. 0.999",
    "epsilon": "give a small number > 0, e.g. 1e-8",
    "dropout": "give the rate of units dropped after each hidden layer, in [0, 1)",
    "dtype": "choose 'float32' (fast) or 'float64'",
    "alpha": "give an L2 penalty >= 0",
    "learning_rate_init": "give a learning rate > 0, e.g. 1e-3",
    "validation_fraction": "give a fraction strictly between 0 and 1, e.g. 0.1",
    "tol": "give a tolerance >= 0",
}


def _entropy(random_state) -> int | None:
    """A seed for numpy's SeedSequence from scikit-learn's ``random_state`` (None: fresh)."""
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if is_int(random_state) and random_state >= 0:
        return int(random_state)
    raise ValueError(
        f"random_state must be None, an integer >= 0 or a numpy RandomState, got {random_state!r}"
    )
