"""matplotlib figures, one module per consumer (``run``, ``debugging``, ``perceptron``,
``optimizers``, ``ablation``) and the ``style`` they share; matplotlib is imported lazily."""
