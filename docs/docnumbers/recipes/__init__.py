"""Every recipe, one module per page whose numbers it makes."""

from . import perceptron, readme

RECIPES = [*readme.RECIPES, *perceptron.RECIPES]
