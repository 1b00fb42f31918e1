import numpy as np


def sgd(w, dw, config):
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config):
    mu = config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = mu * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def adam(w, dw, config):
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config.get("t", 0) + 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw**2
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    config.update(m=m, v=v, t=t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + eps), config
