"""The ``broken-runs`` command: the catalogue of canonical broken runs and what ``diagnose`` and
``train --diagnostics`` say first about each."""

from pathlib import Path

from .args import UsageError, add_command, add_output_flags, choose_run_dir

__all__ = ["add_broken_runs"]

BROKEN_RUNS_EXAMPLES = """examples:
  numpynn broken-runs                             # every case, a few seconds each
  numpynn broken-runs deep-sigmoid unscaled-inputs --out runs/broken
  numpynn broken-runs --list

Each case is the default run made small (3,000 images, one epoch) and broken in one known way:
a learning rate far too high or too low, a deep sigmoid network, dead ReLUs, weights 10 times too
large, pixels in 0-255, shuffled labels, a loss that explodes while staying finite. Each is run
through `numpynn diagnose` and through `numpynn train --diagnostics`; a case matches when both put
its true cause first, with the fix. Writes catalogue.csv, catalogue.md and catalogue.json; exit
code 1 if any case does not match. docs/debugging.md shows the table.
"""


def add_broken_runs(commands) -> None:
    broken = add_command(
        commands, "broken-runs", cmd_broken_runs,
        help="canonical broken runs: does diagnose name the true cause first?",
        epilog=BROKEN_RUNS_EXAMPLES,
        description="Run the catalogue of broken runs (all, or the CASEs named) through diagnose "
        "and train --diagnostics and tabulate what each says first.",
    )  # fmt: skip
    broken.add_argument("cases", nargs="*", metavar="CASE", help="cases to run (default: all); "
                        "see --list")  # fmt: skip
    broken.add_argument("--list", action="store_true", help="list the cases and exit")
    broken.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="a folder holding the 4 MNIST IDX files")  # fmt: skip
    add_output_flags(broken, "(default runs/broken-runs-TIME)", "print only the final count")


def cmd_broken_runs(args) -> int:
    from ..experiments.broken_runs import CASES, catalogue_run

    if args.list:
        for case in CASES:
            print(f"{case.name:<18} {case.description}: {case.flags() or '(default flags)'}")
        return 0
    known = [case.name for case in CASES]
    unknown = [name for name in args.cases if name not in known]
    if unknown:
        raise UsageError(f"numpynn broken-runs: unknown case {unknown[0]!r}; choose from: "
                         f"{', '.join(known)}")  # fmt: skip
    out = choose_run_dir(args.out, "broken-runs", "broken-runs")
    log = (lambda line: None) if args.quiet else print
    rows = catalogue_run(out, args.cases or None, args.data_dir, log=log)
    print(f"{sum(r['match'] == 'yes' for r in rows)} of {len(rows)} cases name the true cause "
          f"first; wrote {out / 'catalogue.md'}")  # fmt: skip
    return 0 if all(r["match"] == "yes" for r in rows) else 1
