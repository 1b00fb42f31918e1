"""The classics reproduced (``numpynn reproduce``): each shipped recipe (``runs.recipes``) is one
row, a published number beside numpynn's, measured the way the source measured it.

A training row trains its config once per seed in ``OUT/ID/seed-N`` (``runs.sweep``: a finished
run is reused, a stopped one resumed) and reports the best seed, as the source did (Nielsen shows
the best of three runs in chapter 1). ``peak_test`` is the best epoch's test accuracy, which the
books print; beside it stand the final test accuracy and the test accuracy of the seed and epoch
of the best validation accuracy, the number one may honestly report (selection on validation
only). A
worked example compares every value the tutorial publishes (``experiments.worked_example``).
"""

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from ..files import atomic_write_json, atomic_write_text
from ..history import read_history
from ..runs.recipes import Recipe, load_recipe, recipe_ids
from ..runs.sweep import Task, run_tasks
from ..tables import markdown_table
from .worked_example import compare, compute_values

__all__ = ["list_rows", "reproduce", "measure_run", "format_row", "write_report", "results_table"]


def list_rows() -> list[dict]:
    """Every recipe's id, source, what it trains, published number and seconds here, from the
    files alone (nothing is trained)."""
    rows = []
    for recipe_id in recipe_ids():
        about = load_recipe(recipe_id).about
        rows.append({"id": recipe_id, "source": about.get("source", ""),
                     "trains": about.get("trains", ""), "published": about.get("published_text", ""),
                     "seconds": about.get("seconds")})  # fmt: skip
    return rows


def reproduce(
    recipe_ids: list[str],
    out_dir: Path,
    *,
    data_dir=None,
    jobs: int = 1,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> list[dict]:
    """Run the rows ``recipe_ids`` (all runs at once, ``jobs`` in parallel) and return one result
    per row: published, measured, the seeds' numbers and the seconds they took."""
    recipes = [load_recipe(recipe_id) for recipe_id in recipe_ids]
    tasks = {
        recipe.id: [Task(dataclasses.replace(recipe.config, seed=seed), out_dir / recipe.id / f"seed-{seed}")
                    for seed in recipe.seeds]
        for recipe in recipes if recipe.config is not None
    }  # fmt: skip
    outcomes = run_tasks([t for row in tasks.values() for t in row], data_dir=data_dir, jobs=jobs,
                         figures=True, progress=progress, log=log)  # fmt: skip
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} run(s) failed, e.g. {failed[0].task.run_dir}: "
                           f"{failed[0].error}; rerun the same command to retry them")  # fmt: skip
    return [_training_result(r, tasks[r.id]) if r.config else _example_result(r) for r in recipes]


def measure_run(run_dir: Path) -> dict:
    """A finished run's accuracies: the final test and validation ones, the best epoch's
    validation one, the best epoch's test one and the test one at the best validation epoch
    (these two need ``test_every_epoch``); and its seconds of training."""
    rows = read_history(run_dir).rows
    metrics = json.loads((run_dir / "metrics.json").read_text())
    chosen = max(rows, key=lambda row: row["val_accuracy"])
    result = {"final_test": metrics["test_accuracy"], "final_val": rows[-1]["val_accuracy"],
              "peak_val": chosen["val_accuracy"], "seconds": metrics["train_seconds"]}  # fmt: skip
    if "test_accuracy" in rows[0]:
        peak = max(rows, key=lambda row: row["test_accuracy"])
        result |= {"peak_test": peak["test_accuracy"], "peak_epoch": peak["epoch"],
                   "val_selected_test": chosen["test_accuracy"], "val_selected_epoch": chosen["epoch"]}  # fmt: skip
    return result


def _training_result(recipe: Recipe, tasks: list[Task]) -> dict:
    measure = recipe.about.get("measure", "final_test")
    runs = [measure_run(task.run_dir) | {"seed": task.config.seed} for task in tasks]
    best = max(runs, key=lambda run: run[measure])
    # the honest number: seed and epoch both chosen on validation, the test set read once
    chosen = max(runs, key=lambda run: run["peak_val"])
    return _header(recipe) | {
        "measure": measure,
        "measured": best[measure],
        "best_seed": best["seed"],
        "val_selected_test": chosen.get("val_selected_test"),
        "final_test": best["final_test"],
        "seconds": sum(run["seconds"] for run in runs),
        "runs": runs,
        "run_dirs": [str(task.run_dir) for task in tasks],
        "command": f"numpynn reproduce {recipe.id}",
    }


def _example_result(recipe: Recipe) -> dict:
    rows = compare(recipe.example["published"], compute_values(recipe.example))
    explained = recipe.example.get("explained", {})
    for row in rows:
        row["explained"] = None if row["agrees"] else explained.get(row["value"])
    agree = sum(row["agrees"] for row in rows)
    known = sum(row["explained"] is not None for row in rows)
    measured = f"{agree}/{len(rows)} values agree" + (
        f", {known} differ as explained" if known else ""
    )
    return _header(recipe) | {"measure": "values", "measured": measured, "values": rows,
                              "command": f"numpynn reproduce {recipe.id}"}  # fmt: skip


def _header(recipe: Recipe) -> dict:
    about = recipe.about
    return {"id": recipe.id, "source": about.get("source", ""), "url": about.get("url", ""),
            "trains": about.get("trains", ""), "published": about.get("published"),
            "published_text": about.get("published_text", ""), "notes": about.get("notes", "")}  # fmt: skip


def format_row(result: dict) -> str:
    """A row's result as a few lines a person reads: published vs measured."""
    lines = [f"{result['id']}: {result['source']}", f"  trains:    {result['trains']}",
             f"  published: {result['published_text']}"]  # fmt: skip
    if "values" in result:
        lines += [f"  {'ok  ' if row['agrees'] else 'DIFF'} {row['value']:<26} published "
                  f"{row['published']:<14} numpynn {row['numpynn']:.10g}"
                  + (f"\n         ({row['explained']})" if row["explained"] else "")
                  for row in result["values"]]  # fmt: skip
        return "\n".join(lines + [f"  measured:  {result['measured']}"])
    gap = 100 * (result["measured"] - result["published"])
    lines.append(f"  measured:  {result['measured']:.2%} ({result['measure'].replace('_', ' ')}, "
                 f"seed {result['best_seed']}; {gap:+.2f} points), {result['seconds']:.0f} s")  # fmt: skip
    if result["val_selected_test"] is not None:
        lines.append(f"  selected on validation instead: {result['val_selected_test']:.2%} test")
    return "\n".join(lines)


def write_report(results: list[dict], out_dir: Path) -> list[Path]:
    """``reproductions.md`` (the table), ``reproductions.json`` and, if a row trained,
    ``reproductions.png`` (each training row's accuracy per epoch beside its published number)
    in ``out_dir``."""
    from ..plots.reproduce import plot_reproductions
    from ..plots.style import save_figure

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "reproductions.md", out_dir / "reproductions.json"]
    atomic_write_text(paths[0], to_markdown(results))
    atomic_write_json(paths[1], results)
    curves = {r["id"]: read_history(Path(r["run_dirs"][r["runs"].index(_best_run(r))]))
              for r in results if "runs" in r}  # fmt: skip
    figure = out_dir / "reproductions.png"
    if curves:
        paths.append(save_figure(plot_reproductions(results, curves), figure))
    else:  # a worked example alone draws nothing: no figure of an earlier command stays behind
        figure.unlink(missing_ok=True)
    return paths


def _best_run(result: dict) -> dict:
    return next(run for run in result["runs"] if run["seed"] == result["best_seed"])


def to_markdown(results: list[dict]) -> str:
    return "# Reproductions\n\n" + results_table(results) + "\n"


def results_table(results: list[dict]) -> str:
    """The rows as a Markdown table: published beside measured, the seconds, the command."""
    header = ["row", "source", "trains", "published", "numpynn", "selected on validation",
              "seconds", "command"]  # fmt: skip
    rows = []
    for r in results:
        if "values" in r:
            rows.append([r["id"], r["source"], r["trains"], r["published_text"], r["measured"],
                         "", "", f"`{r['command']}`"])  # fmt: skip
            continue
        selected = "" if r["val_selected_test"] is None else f"{r['val_selected_test']:.2%} test"
        rows.append([r["id"], r["source"], r["trains"], r["published_text"],
                     f"{r['measured']:.2%} ({r['measure'].replace('_', ' ')})", selected,
                     f"{r['seconds']:.0f}", f"`{r['command']}`"])  # fmt: skip
    return markdown_table(header, rows)
