"""matplotlib figures, one module per family of consumers: ``run`` (a run's report and
``numpynn plot``), ``debugging`` (``train --diagnostics``, ``lr-find``, ``vanishing``),
``perceptron``, ``optimizers`` and ``ablation`` (their studies); ``style`` is what they share.
matplotlib is imported lazily."""
