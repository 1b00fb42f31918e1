import numpy as np


def init_mlp(sizes, rng):
    return [
        (rng.standard_normal((m, n)) * np.sqrt(2 / m), np.zeros(n))
        for m, n in zip(sizes[:-1], sizes[1:])
    ]


def mlp_loss(params, x, labels=None):
    hs, h = [x], x
    for i, (W, b) in enumerate(params):
        z = h @ W + b
        h = np.maximum(z, 0) if i < len(params) - 1 else z
        hs.append(h)
    scores = h
    if labels is None:
        return scores
    N = len(x)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), labels].mean()
    dz = np.exp(log_p)
    dz[np.arange(N), labels] -= 1
    dz /= N
    grads = []
    for i in reversed(range(len(params))):
        W, b = params[i]
        h_prev = hs[i]
        grads.append((h_prev.T @ dz, dz.sum(axis=0)))
        dh = dz @ W.T
        dz = dh * (h_prev > 0)
    return loss, grads[::-1]
