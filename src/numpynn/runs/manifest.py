"""What produced a run (``manifest.json``): its config and seed, the command, the software
versions, the BLAS library and its threads, the machine's cores and the git commit."""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .. import __version__
from .config import TrainConfig

__all__ = ["run_manifest"]


def run_manifest(config: TrainConfig) -> dict:
    """What produced a run: its config and seed, software versions, BLAS, threads, git commit."""
    return {
        "config": config.to_dict(),
        "seed": config.seed,
        "command": " ".join(sys.argv),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": {
            "numpynn": __version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "blas": _blas(),
        "threads": {
            k: os.environ[k]
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            if k in os.environ
        },
        "cpu_count": os.cpu_count(),
        "git_commit": _git_commit(),
    }


def _blas() -> dict:
    try:
        from threadpoolctl import threadpool_info  # optional: reports the live thread count
    except ImportError:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        return {"name": blas.get("name"), "version": blas.get("version")}
    return next(({"name": i.get("internal_api"), "version": i.get("version"), "num_threads": i.get("num_threads")}
                 for i in threadpool_info() if i.get("user_api") == "blas"), {})  # fmt: skip


def _git_commit() -> str | None:
    """The commit of the numpynn checkout this code runs from, if it runs from one."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                                capture_output=True, text=True, timeout=5)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None
