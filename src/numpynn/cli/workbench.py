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
  numpynn check exercises mlp -v       # every check of it, passed ones too
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
        "does not compile, a missing function or a wrong signature fails that exercise alone.",
    )  # fmt: skip
    check.add_argument("directory", type=Path, metavar="DIR", help="the folder of exercises")
    check.add_argument("names", nargs="*", metavar="EXERCISE",
                       help="exercises to check (default: all)")  # fmt: skip
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
    from ..workbench import EXERCISES, check_directory, format_results, get_exercise

    if not args.directory.is_dir():
        raise UsageError(f"numpynn check: {args.directory} is not a folder; "
                         f"`numpynn exercises {args.directory}` writes the exercises there")  # fmt: skip
    try:
        for name in args.names:
            get_exercise(name)
    except ValueError as error:
        raise UsageError(f"numpynn check: {error}") from None
    if not args.names and not any((args.directory / e.file).exists() for e in EXERCISES):
        raise UsageError(f"numpynn check: {args.directory} holds none of the exercise files; "
                         f"`numpynn exercises {args.directory}` writes them")  # fmt: skip
    results = check_directory(args.directory, args.names or None)
    print(format_results(results, verbose=args.verbose))
    return 0 if all(r.passed for r in results) else 1
