"""Every recipe, one module per page whose numbers it makes."""

from . import (
    ablation,
    activations,
    best_mlp,
    debugging,
    ecosystem,
    optimizers,
    perceptron,
    performance,
    readme,
    reproductions,
)

RECIPES = [
    *readme.RECIPES,
    *perceptron.RECIPES,
    *performance.RECIPES,
    *ablation.RECIPES,
    *activations.RECIPES,
    *optimizers.RECIPES,
    *debugging.RECIPES,
    *reproductions.RECIPES,
    *best_mlp.RECIPES,
    *ecosystem.RECIPES,
]
