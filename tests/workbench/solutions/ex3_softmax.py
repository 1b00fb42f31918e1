import numpy as np


def softmax_cross_entropy(scores, labels):
    N = len(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), labels].mean()
    dscores = np.exp(log_p)
    dscores[np.arange(N), labels] -= 1
    dscores /= N
    return loss, dscores
