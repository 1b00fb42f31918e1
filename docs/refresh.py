"""Regenerate the numbers of README.md and docs/ from the commands that produce them.

examples:
  python docs/refresh.py                 # rerun every recipe, rewrite every page (about an hour)
  python docs/refresh.py --stale         # only recipes without a record or with a stale one
  python docs/refresh.py train_default   # these recipes only, then rewrite the pages
  python docs/refresh.py --pages         # rewrite the pages from the records; runs nothing
  python docs/refresh.py --check         # what tests/docs/test_records.py checks; exit 1 if stale
  python docs/refresh.py --list          # every recipe: its commands, when and where it was made

Each recipe runs its commands in a temporary folder and writes docs/records/ID.json; then every
mark in the pages is rendered from the records (docs/docnumbers/marks.py explains marks).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from docnumbers.check import PAGES, check_pages, check_records  # noqa: E402
from docnumbers.marks import rewrite  # noqa: E402
from docnumbers.recipes import RECIPES  # noqa: E402
from docnumbers.records import ROOT, load_records, make_record, mark_values, save_record  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python docs/refresh.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("ids", nargs="*", metavar="RECIPE", help="rerun these only")
    what = parser.add_mutually_exclusive_group()
    for flag, text in (("--stale", "rerun the recipes the check finds stale or missing"),
                       ("--pages", "rewrite the pages from the records"),
                       ("--check", "check pages and records; run nothing"),
                       ("--list", "list the recipes")):  # fmt: skip
        what.add_argument(flag, action="store_true", help=text)
    args = parser.parse_args(argv)
    by_id = {recipe.id: recipe for recipe in RECIPES}
    unknown = [name for name in args.ids if name not in by_id]
    if unknown:
        parser.error(f"no recipe {', '.join(unknown)}; --list shows them")
    if args.list:
        return _list(load_records())
    if args.check:
        return _check()
    if not args.pages:
        todo = [by_id[n] for n in args.ids] if args.ids else RECIPES
        if args.stale:
            problems = check_records(RECIPES, load_records(), PAGES)
            todo = [r for r in RECIPES if any(p.startswith(f"{r.id}:") for p in problems)]
        _run(todo)
    values = mark_values(load_records())
    changed = [page for page in PAGES if rewrite(page, values)]
    print(f"rewrote {', '.join(str(p.relative_to(ROOT)) for p in changed) or 'no page'}")
    return _check()


def _run(recipes) -> None:
    for i, recipe in enumerate(recipes, 1):
        print(f"[{i}/{len(recipes)}] {recipe.id}: {'; '.join(recipe.commands)}", flush=True)
        started = time.time()
        path = save_record(make_record(recipe))
        print(f"    {path.relative_to(ROOT)} in {time.time() - started:.0f} s", flush=True)


def _check() -> int:
    records = load_records()
    problems = check_records(RECIPES, records, PAGES) + check_pages(PAGES, records)
    print("\n".join(problems) or f"{len(records)} records, every page agrees with them")
    return 1 if problems else 0


def _list(records: dict) -> int:
    for recipe in RECIPES:
        made = records.get(recipe.id, {}).get("produced")
        when = f"{made['date']}, {made['seconds']:.0f} s, {made['cpu']}" if made else "no record"
        print(f"{recipe.id} ({when})\n" + "".join(f"    {c}\n" for c in recipe.commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
