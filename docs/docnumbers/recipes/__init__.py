"""Every recipe, one module per page whose numbers it makes."""

from . import ablation, debugging, perceptron, performance, readme

RECIPES = [
    *readme.RECIPES,
    *perceptron.RECIPES,
    *performance.RECIPES,
    *ablation.RECIPES,
    *debugging.RECIPES,
]
