"""Every recipe, one module per page whose numbers it makes."""

from . import readme

RECIPES = [*readme.RECIPES]
