"""The bug catalogue: the mistakes students make in each exercise, each as one edit of the
solution, and the words the check must answer it with (None: caught, but without a name).

The closing note of issue 17 lists this table with its detection rate; `python
tests/workbench/bugs.py` prints it from a run of the checks.
"""

from dataclasses import dataclass
from pathlib import Path

SOLUTIONS = Path(__file__).parent / "solutions"


@dataclass(frozen=True)
class Bug:
    exercise: str  # the exercise's name
    file: str  # its file in solutions/
    name: str  # the bug, as a student would describe it
    old: str  # text of the solution ...
    new: str  # ... replaced by this
    words: str | None  # what the check must say (None: a FAIL is enough)

    def source(self) -> str:
        text = (SOLUTIONS / self.file).read_text()
        assert self.old in text, f"{self.name}: {self.old!r} is not in {self.file}"
        return text.replace(self.old, self.new, 1)


def _bugs(exercise: str, file: str, *rows) -> list[Bug]:
    return [Bug(exercise, file, *row) for row in rows]


BUGS = [
    *_bugs(
        "dense", "ex1_dense.py",
        ("dW transposed", "dW = x.T @ dout", "dW = dout.T @ x", "transposed"),
        ("bias gradient forgotten", "return dx, dW, db", "return dx, dW", "got None: is it computed and returned?"),
        ("dx with the wrong sign", "dx = dout @ W.T", "dx = -dout @ W.T", "wrong sign"),
        ("db a mean over the batch", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)", "a mean where the sum over the batch belongs"),
        ("db summed over the wrong axis", "db = dout.sum(axis=0)", "db = dout.sum(axis=1)", "expected shape (3,)"),
        ("an update inside backward", "    return dx, dW, db", "    W -= 0.1 * dW\n    return dx, dW, db", "changed in place"),
    ),
    *_bugs(
        "activations", "ex2_activations.py",
        ("sigmoid' written as σ(x)", "return dout * s * (1 - s)", "return dout * s", "f'(x) is the output f(x) itself"),
        ("sigmoid' with the wrong sign", "return dout * s * (1 - s)", "return dout * s * (s - 1)", "wrong sign"),
        ("ReLU in place on the input", "return np.maximum(x, 0), x", "x[x < 0] = 0\n    return x, x", "changed in place"),
        ("ReLU backward without its mask", "return dout * (cache > 0)", "return dout", "f'(x) is missing"),
        ("ReLU backward changing dout in place", "return dout * (cache > 0)", "dout[cache <= 0] = 0\n    return dout", "changed in place"),
        ("tanh' as 1 − tanh", "return dout * (1 - cache**2)", "return dout * (1 - cache)", None),
    ),
    *_bugs(
        "softmax", "ex3_softmax.py",
        ("sum over the batch, not the mean", "loss = -log_p[np.arange(N), labels].mean()", "loss = -log_p[np.arange(N), labels].sum()", "the sum over the batch, not the mean"),
        ("1/N missing from the gradient", "    dscores /= N\n", "", "is 1/N missing?"),
        ("exp without the row maximum", "shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores", "subtract each row's maximum"),
        ("the −1 at the label forgotten", "    dscores[np.arange(N), labels] -= 1\n", "", "subtract 1 at each example's label"),
        ("gradient with the wrong sign", "return loss, dscores", "return loss, -dscores", "wrong sign"),
        ("scores changed in place", "shifted = scores - scores.max(axis=1, keepdims=True)", "scores -= scores.max(axis=1, keepdims=True)\n    shifted = scores", "changed in place"),
    ),
    *_bugs(
        "mlp", "ex4_mlp.py",
        ("ReLU mask forgotten in backward", "dz = dh * (h_prev > 0)", "dz = dh", "masks left out"),
        ("dW transposed", "grads.append((h_prev.T @ dz,", "grads.append((dz.T @ h_prev,", "transposed"),
        ("1/N missing", "    dz /= N\n", "", "is 1/N missing?"),
        ("bias gradient forgotten", "dz.sum(axis=0)))", "np.zeros_like(b)))", "all zeros"),
        ("weights not He-scaled", "* np.sqrt(2 / m)", "", "√(2 / fan_in)"),
        ("ReLU after the last layer too", "if i < len(params) - 1 else z", "", "check the forward pass"),
    ),
    *_bugs(
        "optimizers", "ex5_optimizers.py",
        ("Adam without bias correction", "m_hat = m / (1 - b1**t)\n    v_hat = v / (1 - b2**t)", "m_hat = m\n    v_hat = v", "without bias correction"),
        ("SGD uphill", 'return w - config["learning_rate"] * dw', 'return w + config["learning_rate"] * dw', "wrong sign"),
        ("velocity not kept", '    config["velocity"] = v\n', "", "kept in config between steps"),
        ("Adam's ε inside the root", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)", "after the square root"),
    ),
    *_bugs(
        "perceptron", "ex6_perceptron.py",
        ("< 0 instead of ≤ 0", "if yn * (xn @ w + b) <= 0:", "if yn * (xn @ w + b) < 0:", "never moves"),
        ("an update on every example", "            if yn * (xn @ w + b) <= 0:\n                w", "            if yn * (xn @ w + b) <= 0:\n                count += 1\n            if True:\n                w", "on every example"),
        ("update with the wrong sign", "w = w + yn * xn\n                b = b + yn", "w = w - yn * xn\n                b = b - yn", "wrong sign"),
        ("+1 at a score of 0", "np.where(x @ w + b > 0, 1, -1)", "np.where(x @ w + b >= 0, 1, -1)", "−1 elsewhere"),
    ),
    *_bugs(
        "gradient_check", "ex7_gradient_check.py",
        ("one-sided difference", "(plus - minus) / (2 * h)", "(plus - f(x)) / h", "one-sided"),
        ("divided by h, not 2h", "(plus - minus) / (2 * h)", "(plus - minus) / h", "divide by 2h"),
        ("x not restored", "        x[i] = old\n        grad", "        grad", "put x[i] back"),
        ("mean instead of max", "float(np.max(", "float(np.mean(", "relative_error is the largest"),
        ("no tiny: 0/0 on zeros", "np.maximum(np.abs(a) + np.abs(n), 1e-12)", "(np.abs(a) + np.abs(n))", "relative_error of zeros is 0"),
    ),
]  # fmt: skip


if __name__ == "__main__":  # the table of the closing note
    import sys
    import tempfile

    from numpynn.workbench import check_directory

    caught = named = 0
    print("| exercise | bug | caught | named | message |\n| --- | --- | --- | --- | --- |")
    for bug in BUGS:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / bug.file).write_text(bug.source())
            (result,) = check_directory(folder, [bug.exercise])
        details = "; ".join(f"{r.check}: {r.detail}" for r in result.report.failures)
        is_named = not result.passed and (bug.words is None or bug.words in details)
        caught += not result.passed
        named += bool(bug.words) and bug.words in details
        first = result.report.failures[0].detail if result.report.failures else ""
        print(f"| {bug.exercise} | {bug.name} | {'yes' if not result.passed else 'NO'} | "
              f"{'yes' if bug.words and bug.words in details else '—'} | {first[:90]} |")  # fmt: skip
    print(f"\ncaught {caught} of {len(BUGS)}; named {named} of {len(BUGS)}", file=sys.stderr)
