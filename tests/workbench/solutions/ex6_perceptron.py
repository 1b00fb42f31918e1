import numpy as np


def perceptron_train(x, y, epochs):
    w, b, mistakes = np.zeros(x.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for xn, yn in zip(x, y):
            if yn * (xn @ w + b) <= 0:
                w = w + yn * xn
                b = b + yn
                count += 1
        mistakes.append(count)
    return w, b, mistakes


def perceptron_predict(x, w, b):
    return np.where(x @ w + b > 0, 1, -1)
