"""Many training runs at once: worker processes on this machine, or a Dask cluster.

A ``Task`` trains one ``TrainConfig`` into its own run directory. ``run_tasks`` skips a task whose
``metrics.json`` exists beside a ``config.toml`` of the same config hash, resumes one that left a
checkpoint, retries a failed one (``retries`` times) while the others go on, and returns one
``Outcome`` per task, in the order given.

Locally every run is a fresh Python process whose BLAS uses ``threads`` threads (set in its
environment before NumPy loads), so a crash or a ``kill -9`` ends that run only. Only the worker
of a task writes into its run directory (a lock file makes sure of it); the caller writes none.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..progress import progress_bar
from .config import TrainConfig, load_config
from .directories import lock_run_dir

__all__ = [
    "Task",
    "Outcome",
    "config_hash",
    "finished_metrics",
    "run_task",
    "run_tasks",
    "worker_main",
]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Task:
    config: TrainConfig
    run_dir: Path


@dataclass
class Outcome:
    task: Task
    status: str  # "done" (trained now), "skipped" (finished before) or "failed"
    metrics: dict | None = None
    error: str | None = None
    attempts: int = 0


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it): the
    default number of parallel runs."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def config_hash(config: TrainConfig) -> str:
    """12 hex digits of the SHA-256 of the config's keys (unset optional keys left out, so a
    key added to TrainConfig later does not change the hash of existing runs)."""
    values = {k: v for k, v in config.to_dict().items() if v is not None}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


def finished_metrics(task: Task) -> dict | None:
    """The metrics of a finished run of ``task.config`` in ``task.run_dir``, else None."""
    metrics, config = task.run_dir / "metrics.json", task.run_dir / "config.toml"
    if not (metrics.exists() and config.exists()):
        return None
    try:
        same = config_hash(load_config(config)) == config_hash(task.config)
        return json.loads(metrics.read_text()) if same else None
    except (ValueError, OSError):
        return None


def run_tasks(
    tasks: Iterable[Task],
    *,
    data_dir: str | Path | None = None,
    jobs: int = 1,
    threads: int = 1,
    scheduler: str | None = None,
    retries: int = 1,
    figures: bool = False,
    keep_checkpoints: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> list[Outcome]:
    """Run every unfinished task: in ``jobs`` local worker processes, or on the Dask cluster at
    ``scheduler`` (``tcp://host:8786``; the run directories and data must be on a file system
    its workers share). ``figures``: draw each run's own figures too; ``keep_checkpoints``:
    keep those of finished runs (by default deleted: they serve to resume)."""
    tasks = list(tasks)
    outcomes = {id(t): Outcome(t, "skipped", m) for t in tasks if (m := finished_metrics(t))}
    todo = [t for t in tasks if id(t) not in outcomes]
    if outcomes:
        log(f"{len(outcomes)} of {len(tasks)} runs already finished: skipped")
    data_dir = None if data_dir is None else str(Path(data_dir).resolve())
    spec = {"data_dir": data_dir, "threads": threads, "figures": figures,
            "keep_checkpoints": keep_checkpoints}  # fmt: skip
    bar = (
        progress_bar(total=len(todo), desc="runs", unit="run", leave=True)
        if progress and todo
        else None
    )
    say = bar.write if bar is not None else log

    def record(outcome: Outcome) -> None:
        outcomes[id(outcome.task)] = outcome
        if outcome.status == "failed":
            say(f"FAILED {outcome.task.run_dir.name}: {outcome.error}")
        if bar is not None:
            bar.update()

    def retrying(task: Task, attempt: int, error: str) -> None:
        say(f"{task.run_dir.name}: attempt {attempt} failed ({error}); retrying")

    run = _run_on_dask if scheduler else _run_locally
    try:
        run(todo, spec, scheduler if scheduler else jobs, retries, record, retrying)
    finally:
        if bar is not None:
            bar.close()
    return [outcomes[id(t)] for t in tasks]


# ---- local worker processes ---------------------------------------------------------------------


def _run_locally(tasks, spec, jobs, retries, record, retrying) -> None:
    """Keep ``jobs`` worker processes busy; one process per run attempt."""
    from .run import stop_requested_by_signals

    pending = deque((task, 1) for task in tasks)
    running: dict[subprocess.Popen, tuple[Task, int]] = {}
    with stop_requested_by_signals() as should_stop:
        try:
            while pending or running:
                while pending and len(running) < jobs:
                    task, attempt = pending.popleft()
                    running[_start_worker(task, spec)] = (task, attempt)
                time.sleep(0.05)
                if should_stop():
                    raise KeyboardInterrupt
                for process in [p for p in running if p.poll() is not None]:
                    task, attempt = running.pop(process)
                    if process.returncode == 0 and (metrics := finished_metrics(task)):
                        record(Outcome(task, "done", metrics, attempts=attempt))
                        continue
                    error = _worker_error(process.returncode, task.run_dir / "train.log")
                    if attempt <= retries:
                        retrying(task, attempt, error)
                        pending.append((task, attempt + 1))
                    else:
                        record(Outcome(task, "failed", error=error, attempts=attempt))
        finally:  # interrupted: each worker saves a checkpoint (SIGTERM) and exits
            for process in running:
                process.terminate()
            for process in running:
                process.wait()


def _start_worker(task: Task, spec: dict) -> subprocess.Popen:
    """A Python process training ``task``; its output goes to the run's train.log."""
    task.run_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ | {name: str(spec["threads"]) for name in THREAD_VARIABLES}
    # the workers import this very numpynn, wherever it was imported from
    source = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    payload = json.dumps(_payload(task, spec))
    code = "import sys; from numpynn.runs.sweep import worker_main; worker_main(sys.argv[1])"
    with open(task.run_dir / "train.log", "ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-c", code, payload], env=env, stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip


def worker_main(payload: str) -> None:
    """The body of a local worker process (stdout and stderr are its run's train.log)."""
    task = json.loads(payload)
    sys.argv = ["numpynn.runs.sweep worker", task["run_dir"]]  # what the run's manifest records
    _watch_parent()
    train_task(task, log=lambda line: print(line, flush=True))


def _watch_parent() -> None:
    """If the study that started this worker dies, stop as Ctrl-C would: save a checkpoint."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def _worker_error(returncode: int, log_path: Path) -> str:
    """What ended a worker: the signal that killed it, or the last line of its traceback."""
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name} (exit code {returncode})"
    if returncode == 0:
        return "the worker exited without writing metrics.json"
    try:
        lines = log_path.read_text(errors="replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1] if lines else f"the worker exited with code {returncode}"


# ---- a Dask cluster -----------------------------------------------------------------------------


def _run_on_dask(tasks, spec, scheduler, retries, record, retrying) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ImportError(
            "run_tasks: scheduler needs dask.distributed; pip install 'numpynn[sweep]'"
        ) from None
    try:
        client = Client(scheduler, timeout="30s")
    except (OSError, ValueError) as error:  # a timeout is an OSError
        raise RuntimeError(
            f"run_tasks: cannot reach the Dask scheduler at {scheduler} ({error}); check the "
            "address and that `dask scheduler` runs there, or run without a scheduler"
        ) from None
    with client:

        def submit(task: Task, attempt: int):
            key = f"numpynn-{task.run_dir.name}-{attempt}"
            return client.submit(run_task, _payload(task, spec), key=key, pure=False, retries=0)

        futures = {submit(task, 1): (task, 1) for task in tasks}
        completed = as_completed(list(futures))
        for future in completed:
            task, attempt = futures.pop(future)
            if future.status == "finished":
                record(Outcome(task, "done", future.result(), attempts=attempt))
                continue
            exception = future.exception()
            error = f"{type(exception).__name__}: {exception}"
            if attempt <= retries:
                retrying(task, attempt, error)
                retry = submit(task, attempt + 1)
                futures[retry] = (task, attempt + 1)
                completed.add(retry)
            else:
                record(Outcome(task, "failed", error=error, attempts=attempt))


def run_task(payload: dict) -> dict:
    """Train one task in this process (a Dask worker), logging to its run's train.log."""
    run_dir = Path(payload["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "train.log", "a", buffering=1, encoding="utf-8") as log_file:
        try:
            return train_task(payload, log=lambda line: print(line, file=log_file))
        except Exception:
            traceback.print_exc(file=log_file)
            raise


# ---- one run, in whichever process --------------------------------------------------------------


def train_task(payload: dict, log: Callable[[str], None]) -> dict:
    """Train (or resume) the run a payload describes, holding its run directory's lock."""
    from .checkpoints import CheckpointError
    from .run import train_run

    config = TrainConfig(**payload["config"]).validate()
    run_dir = Path(payload["run_dir"])
    options = {"data_dir": payload["data_dir"], "figures": payload["figures"], "log": log}
    with lock_run_dir(run_dir), _blas_threads(payload["threads"]):
        saved = run_dir / "config.toml"
        if saved.exists() and config_hash(load_config(saved)) != config_hash(config):
            raise ValueError(
                f"{run_dir} holds a run of another config; delete that folder to train it again"
            )
        metrics = None
        if (run_dir / "checkpoints" / "last.json").exists() and saved.exists():
            try:
                metrics = train_run(config, run_dir, resume=True, **options)
            except CheckpointError as error:
                log(f"cannot resume ({error}); starting over")
        metrics = metrics or train_run(config, run_dir, **options)
        if not payload["keep_checkpoints"]:  # a finished run needs none; they hold 3x its weights
            shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
        return metrics


def _payload(task: Task, spec: dict) -> dict:
    return {"config": task.config.to_dict(), "run_dir": str(task.run_dir.resolve()), **spec}


def _blas_threads(threads: int):
    """Limit BLAS to ``threads`` threads where threadpoolctl can (a Dask worker's BLAS is
    already loaded, so its environment variables come too late)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")
