"""numpynn: neural networks from first principles in pure NumPy."""

from . import data
from .activations import ACTIVATIONS, Identity, LeakyReLU, ReLU, Sigmoid, Tanh, get_activation
from .gradcheck import GradcheckReport, gradcheck
from .history import History
from .init import (
    BIAS_INITIALIZERS,
    INITIALIZERS,
    get_initializer,
    he_normal,
    he_uniform,
    lecun_normal,
    normal,
    xavier_normal,
    xavier_uniform,
)
from .layers import Dense, Dropout, Layer
from .losses import (
    LOSSES,
    Loss,
    MeanSquaredError,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    get_loss,
)
from .model import Sequential, mlp
from .optim import (
    OPTIMIZERS,
    SGD,
    Adam,
    AdamW,
    Optimizer,
    RMSProp,
    clip_grad_norm,
    get_optimizer,
)
from .parameter import Parameter
from .perceptron import MulticlassPerceptron, Perceptron, novikoff_bound
from .saving import load, save
from .schedules import (
    SCHEDULES,
    Constant,
    Cosine,
    Exponential,
    Schedule,
    StepDecay,
    Warmup,
    make_schedule,
)
from .training import evaluate, fit, train_step

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "BIAS_INITIALIZERS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "SCHEDULES",
    "Adam",
    "AdamW",
    "Constant",
    "Cosine",
    "Dense",
    "Dropout",
    "GradcheckReport",
    "Exponential",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "Loss",
    "MeanSquaredError",
    "MulticlassPerceptron",
    "Optimizer",
    "Parameter",
    "Perceptron",
    "RMSProp",
    "ReLU",
    "SGD",
    "Schedule",
    "Sequential",
    "Sigmoid",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "StepDecay",
    "Tanh",
    "Warmup",
    "clip_grad_norm",
    "data",
    "evaluate",
    "fit",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "gradcheck",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "load",
    "make_schedule",
    "mlp",
    "normal",
    "novikoff_bound",
    "save",
    "train_step",
    "xavier_normal",
    "xavier_uniform",
]
