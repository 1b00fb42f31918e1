"""The manifest of a run: what produced it."""

import json


def test_every_run_records_a_manifest(reference_run):
    manifest = json.loads((reference_run / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["config"]["hidden"] == [64]
    assert {"numpynn", "numpy", "python"} <= set(manifest["versions"])
    assert manifest["blas"] and "cpu_count" in manifest and "git_commit" in manifest
