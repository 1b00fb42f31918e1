"""``numpynn reproduce``: the classics' published numbers beside numpynn's, one command per row."""

import json
import sys
from pathlib import Path

from ..files import atomic_write_json
from .args import UsageError, add_command, add_output_flags, choose_run_dir
from .argtypes import positive_int

__all__ = ["add_reproduce"]

REPRODUCE_EXAMPLES = """examples:
  numpynn reproduce --list                       # the rows: source, what they train, published
  numpynn reproduce nielsen-ch1-30               # Nielsen's first network, best of three seeds
  numpynn reproduce mazur-backprop               # a worked example, checked value by value
  numpynn reproduce nielsen-ch3-l2-30 --json     # the result for machines
  numpynn reproduce --all --out runs/classics    # every row; reproductions.md and .png
  numpynn train --config "$(numpynn reproduce --path lecun-800)" --seed 3   # a row as a config
"""


def add_reproduce(commands) -> None:
    reproduce = add_command(
        commands, "reproduce", cmd_reproduce,
        help="rerun the classics (Nielsen, LeCun, a worked example) beside their numbers",
        epilog=REPRODUCE_EXAMPLES,
        description="Each row is a recipe file shipped with numpynn (a training config that "
        "`numpynn train --config` reads, plus where its number comes from). Trains the row's "
        "runs into --out/ID/seed-N (each a run directory with its figures; the same command "
        "again reuses finished runs and resumes stopped ones), prints published vs measured and "
        "writes, for the rows of this command, reproductions.md, reproductions.json and (if a "
        "row trained) reproductions.png to --out, beside reproduce.json, the rows asked for.",
    )  # fmt: skip
    reproduce.add_argument("rows", nargs="*", metavar="ID", help="row ids (see --list)")
    reproduce.add_argument("--list", action="store_true", help="list the rows; train nothing")
    reproduce.add_argument("--all", action="store_true", help="run every row")
    reproduce.add_argument("--path", action="store_true", help="print the rows' recipe files")
    reproduce.add_argument("--json", action="store_true", help="print JSON instead of text")
    reproduce.add_argument("--data-dir", type=Path, metavar="DIR", help="a folder of IDX files")
    reproduce.add_argument("--jobs", type=positive_int, default=1,
                           help="runs in parallel (default 1: the seconds stay comparable)")  # fmt: skip
    add_output_flags(reproduce, "(default runs/reproduce-TIME)")


def cmd_reproduce(args) -> int:
    from ..experiments.reproduce import format_row, list_rows, reproduce, write_report
    from ..runs.recipes import recipe_ids, recipe_path

    _check_choice_of_rows(args)
    if args.list:
        return _print_list(list_rows(), args.json)
    rows = recipe_ids() if args.all else args.rows
    try:
        paths = [recipe_path(row) for row in rows]
    except ValueError as error:
        raise UsageError(f"numpynn reproduce: {error}") from None
    if args.path:
        print("\n".join(str(path) for path in paths))
        return 0
    out = choose_run_dir(args.out, "reproduce", "reproduce", study_file="reproduce.json")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "reproduce.json", {"rows": rows})  # marks a folder to continue
    log = (lambda line: None) if args.json else print
    try:
        results = reproduce(rows, out, data_dir=args.data_dir, jobs=args.jobs,
                            progress=not (args.quiet or args.json), log=log)  # fmt: skip
    except KeyboardInterrupt:
        print(f"interrupted; the same command with --out {out} continues where it stopped "
              "(finished runs are kept, stopped ones resume)", file=sys.stderr)  # fmt: skip
        return 130
    written = write_report(results, out)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("\n\n".join(format_row(result) for result in results))
        print("\nwrote " + ", ".join(str(path) for path in written))
    return 0


def _check_choice_of_rows(args) -> None:
    """Exactly one of: row ids, --all, --list (which takes no ids and prints no paths)."""
    given = [name for name, on in (("row ids", args.rows), ("--all", args.all),
                                   ("--list", args.list)) if on]  # fmt: skip
    if len(given) != 1:
        what = " and ".join(given) if given else "nothing"
        raise UsageError(f"numpynn reproduce: give row ids, --all or --list, one of them (got "
                         f"{what}; see --help)")  # fmt: skip
    if args.path and args.list:
        raise UsageError("numpynn reproduce: --path prints the files of row ids or of --all")


def _print_list(rows: list[dict], as_json: bool) -> int:
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        seconds = "" if row["seconds"] is None else f"~{row['seconds']:.0f} s"
        print(f"{row['id']:<26} {row['published']:<28} {seconds:>7}  {row['source']}\n"
              f"{'':<26} {row['trains']}")  # fmt: skip
    return 0
