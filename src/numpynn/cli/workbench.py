"""``numpynn exercises`` writes the student's exercises; ``numpynn check`` checks them."""

from pathlib import Path

from .args import UsageError, add_command

__all__ = ["add_exercises", "add_check"]

EXERCISES_EXAMPLES = """examples:
  numpynn exercises                    # writes exercises/ex1_dense.py ... and their notebooks
  numpynn exercises my-network         # into my-network/
  numpynn check exercises              # then write the code, and check it
"""

CHECK_EXAMPLES = """examples:
  numpynn check exercises              # every exercise: PASS/FAIL, what is wrong, the score
  numpynn check exercises dense        # one exercise (its name or its file)
  numpynn check -v exercises mlp       # every check of it, passed ones too
  numpynn check exercises/ex4_mlp.py   # the exercise of this file
The .py files are checked; a notebook checks itself in its last cell.
exit status: 0 if every exercise checked passes, 1 if one fails, 2 on a usage error.
"""


def add_exercises(commands) -> None:
    exercises = add_command(
        commands, "exercises", cmd_exercises,
        help="write the exercises for writing a network yourself (files and notebooks)",
        epilog=EXERCISES_EXAMPLES,
        description="Writes one skeleton file per exercise into DIR, and the same exercise as a "
        "Jupyter notebook: dense forward/backward, activations, softmax cross-entropy, an MLP "
        "with backpropagation, SGD/momentum/Adam, the perceptron, and a gradient checker of "
        "your own. Each states the task, the shapes and the formula to derive, and raises "
        "NotImplementedError where you write. A file already in DIR is kept as it is.",
    )  # fmt: skip
    exercises.add_argument("directory", nargs="?", default="exercises", type=Path, metavar="DIR",
                           help="where to write them (default: exercises)")  # fmt: skip


def add_check(commands) -> None:
    check = add_command(
        commands, "check", cmd_check,
        help="check the exercises you wrote: PASS/FAIL, what is wrong, a score",
        epilog=CHECK_EXAMPLES,
        description="Runs the checks of each exercise in DIR (written by `numpynn exercises`) "
        "against numpynn's own layers, in float64: gradients against finite differences, "
        "values against numpynn's, update rules step by step. A wrong result is named where it "
        "has a recognisable pattern (transposed, wrong sign, a missing 1/N, ...). A file that "
        "does not compile, a missing function or a wrong signature fails that exercise alone; a check "
        "that runs longer than a minute is stopped.",
    )  # fmt: skip
    check.add_argument(
        "directory",
        nargs="?",
        default=Path("exercises"),
        type=Path,
        metavar="DIR",
        help="the folder of exercises (default: exercises), or one exercise's file",
    )
    check.add_argument("names", nargs="*", metavar="EXERCISE",
                       help="exercises to check, by name (dense) or file (ex1_dense.py); default: all")  # fmt: skip
    check.add_argument("-v", "--verbose", action="store_true", help="show every check")


def cmd_exercises(args) -> int:
    from ..workbench import EXERCISES, write_exercises

    try:
        done = write_exercises(args.directory)
    except (ValueError, OSError) as error:
        raise UsageError(f"numpynn exercises: {error}") from None
    for path, written in done:
        print(f"{'wrote' if written else 'kept '} {path}" + ("" if written else " (already there)"))
    names = ", ".join(e.name for e in EXERCISES)
    print(f"\n{len(EXERCISES)} exercises: {names}\n"
          f"write the code where each raises NotImplementedError, then: numpynn check {args.directory}")  # fmt: skip
    return 0


def cmd_check(args) -> int:
    from ..workbench import check_file, format_result, format_score

    directory, names = _check_arguments(args)
    results = []
    for name in names:  # each printed as it is done
        results.append(check_file(directory, name))
        print(format_result(results[-1], verbose=args.verbose), flush=True)
    print(format_score(results))
    return 0 if all(r.passed for r in results) else 1


def _check_arguments(args) -> tuple[Path, list[str]]:
    """The folder and the exercises to check; a file given as DIR is its folder and exercise."""
    from ..workbench import EXERCISES, get_exercise

    directory, names = args.directory, list(args.names)
    if directory.is_file():
        directory, names = directory.parent, [directory.name, *names]
    if not directory.is_dir():
        raise UsageError(f"numpynn check: {directory} is not a folder; "
                         f"`numpynn exercises {directory}` writes the exercises there")  # fmt: skip
    try:
        names = [get_exercise(name).name for name in names]
    except ValueError as error:
        raise UsageError(f"numpynn check: {error}") from None
    if not names and not any((directory / e.file).exists() for e in EXERCISES):
        raise UsageError(f"numpynn check: {directory} holds none of the exercise files; "
                         f"`numpynn exercises {directory}` writes them")  # fmt: skip
    return directory, names or [e.name for e in EXERCISES]
