"""Every recipe, one module per page whose numbers it makes."""

from . import activations, optimizers, readme

RECIPES = [*readme.RECIPES, *activations.RECIPES, *optimizers.RECIPES]
