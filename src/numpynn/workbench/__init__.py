"""The student's workbench: exercises to write a network yourself, and the checks that say what
is right and wrong in it.

``write_exercises(DIR)`` (``numpynn exercises DIR``) writes the skeletons and their notebooks;
``check_directory(DIR)`` (``numpynn check DIR``) checks them; ``check_exercise(name, globals())``
checks one from a notebook; ``compare_to_reference(model_fn)`` trains your network beside
numpynn's on the same data, weights and batches.
"""

from .compare import compare_to_reference
from .exercises import EXERCISES, get_exercise, write_exercises
from .grading import (
    check_directory,
    check_exercise,
    check_file,
    format_result,
    format_results,
    format_score,
)

__all__ = [
    "EXERCISES",
    "get_exercise",
    "write_exercises",
    "check_exercise",
    "check_directory",
    "check_file",
    "format_result",
    "format_score",
    "format_results",
    "compare_to_reference",
]
