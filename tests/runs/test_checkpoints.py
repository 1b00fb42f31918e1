"""Checkpoints: a round trip without pickle; truncated, corrupted, torn or foreign checkpoints
refused with a clear error; a kill during a save always leaves one that loads."""

import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from memory import peak_bytes
from train_process import SRC

import numpynn as nn
from numpynn import cli
from numpynn.runs import checkpoints
from numpynn.runs.checkpoints import (
    CheckpointError,
    clean_checkpoints,
    load_checkpoint_model,
    restore_checkpoint,
    save_checkpoint,
)
from numpynn.training import TrainState


def small_run(tmp_path, hidden=8):
    model = nn.mlp([5, hidden, 3], dropout=0.1, seed=0)
    optimizer = nn.Adam(model.parameters())
    rngs = {"model": np.random.default_rng(1), "shuffle": np.random.default_rng(2)}
    x, labels = (
        np.random.default_rng(3).standard_normal((64, 5)).astype(np.float32),
        np.arange(64) % 3,
    )
    state = TrainState()
    nn.fit(
        model,
        nn.SoftmaxCrossEntropy(),
        optimizer,
        (x, labels),
        (x, labels),
        epochs=2,
        rng=rngs["shuffle"],
        state=state,
    )
    folder = tmp_path / "checkpoints"
    save_checkpoint(folder, ["last"], model, optimizer, state, rngs, {"hidden": [hidden]})
    return folder, model, optimizer, rngs


def test_checkpoint_round_trip_without_pickle(tmp_path):
    folder, model, optimizer, rngs = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    with np.load(folder / manifest["arrays"], allow_pickle=False) as archive:
        assert "model/dense0.W" in archive.files and "optimizer/state.0.grad_sum" in archive.files
    other, other_opt = nn.mlp([5, 8, 3], dropout=0.1, seed=9), None
    other_opt = nn.Adam(other.parameters())
    fresh = {"model": np.random.default_rng(7), "shuffle": np.random.default_rng(7)}
    state = restore_checkpoint(folder / "last.json", other, other_opt, fresh)
    assert state.epoch == 2 and other_opt.t == optimizer.t
    for p, q in zip(model.parameters(), other.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    assert fresh["shuffle"].random() == rngs["shuffle"].random()
    assert repr(load_checkpoint_model(folder / "last.json")) == repr(model)


def test_truncated_corrupted_and_torn_checkpoints_are_refused(tmp_path):
    folder, model, optimizer, rngs = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    arrays = folder / manifest["arrays"]
    good = arrays.read_bytes()
    arrays.write_bytes(good[: len(good) // 2])
    with pytest.raises(
        CheckpointError,
        match="arrays-0+2.npz: its SHA-256 does not match the manifest; the checkpoint is damaged or torn",
    ):
        restore_checkpoint(folder / "last.json", model, optimizer, rngs)
    arrays.write_bytes(good)
    (folder / "last.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not a readable checkpoint manifest"):
        restore_checkpoint(folder / "last.json", model, optimizer, rngs)
    with pytest.raises(CheckpointError, match="does not exist; there is no checkpoint"):
        restore_checkpoint(tmp_path / "nowhere.json", model, optimizer, rngs)


def test_checkpoint_of_another_architecture_is_refused_before_reading(tmp_path):
    folder, *_ = small_run(tmp_path, hidden=8)
    bigger = nn.mlp([5, 16, 3], dropout=0.1, seed=0)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    with pytest.raises(
        ValueError, match=r"dense0.W has shape \(5, 8\) float32, the architecture needs \(5, 16\)"
    ):
        restore_checkpoint(folder / "last.json", bigger, nn.Adam(bigger.parameters()), {})
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # nothing rewritten


def test_resume_of_a_run_with_a_damaged_checkpoint_fails_and_keeps_it(
    reference_run, tmp_path, tiny_mnist_dir, capsys
):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(reference_run, run)
    (run / "metrics.json").unlink()  # as if killed after its last checkpoint
    manifest = run / "checkpoints" / "last.json"
    manifest.write_text(manifest.read_text().replace('"sha256": "', '"sha256": "0'))
    kept = {p.name: p.read_bytes() for p in (run / "checkpoints").iterdir()}
    assert (
        cli.main(["train", "--resume", str(run), "--data-dir", str(tiny_mnist_dir), "--quiet"]) == 1
    )
    assert "the manifest does not match its own SHA-256" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (run / "checkpoints").iterdir()} == kept


KILL_SCRIPT = """
import sys, numpy as np, numpynn as nn
from numpynn.runs.checkpoints import save_checkpoint
from numpynn.training import TrainState
model = nn.mlp([784, 256, 10], seed=0)
opt = nn.Adam(model.parameters())
rngs = {"shuffle": np.random.default_rng(0)}
print("ready", flush=True)
while True:
    for p in model.parameters():
        p.grad[...] = 1e-3
    opt.step()
    save_checkpoint(sys.argv[1], ["last"], model, opt, TrainState(), rngs, {})
"""


def test_sigkill_during_saves_always_leaves_a_loadable_checkpoint(tmp_path):
    folder = tmp_path / "checkpoints"
    env = os.environ | {"PYTHONPATH": SRC}
    model = nn.mlp([784, 256, 10], seed=0)
    rng = random.Random(0)
    steps = []
    for _ in range(12):
        process = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        process.stdout.readline()
        time.sleep(rng.uniform(0.05, 0.4))
        process.kill()
        process.communicate()
        if not (folder / "last.json").exists():
            continue  # killed before the first save finished
        state = restore_checkpoint(folder / "last.json", model, nn.Adam(model.parameters()), {})
        assert state.epoch == 0
        steps.append(json.loads((folder / "last.json").read_text())["optimizer"]["t"])
        clean_checkpoints(folder)  # what the next start does
        assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".npz"]
    assert len(steps) >= 8


# ---- manifests that must not be trusted ---------------------------------------------------------


def fresh(hidden=8):
    """A model, optimizer and generators to restore into, as a resumed run builds them."""
    model = nn.mlp([5, hidden, 3], dropout=0.1, seed=9)
    return model, nn.Adam(model.parameters()), {"model": np.random.default_rng(7), "shuffle": np.random.default_rng(7)}  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_one_changed_character_of_a_manifest_is_refused(data, tmp_path_factory):
    folder, *_ = small_run(tmp_path_factory.mktemp("run"))
    text = (folder / "last.json").read_text()
    digits = [i for i, c in enumerate(text) if c.isdigit()]  # the text varies: times of epochs
    i = digits[int(data.draw(st.floats(0, 1, exclude_max=True)) * len(digits))]
    changed = text[:i] + str((int(text[i]) + data.draw(st.integers(1, 9))) % 10) + text[i + 1 :]
    (folder / "last.json").write_text(changed)
    try:
        same = json.loads(changed) == json.loads(text)
    except ValueError:
        same = False
    if same:  # a 17th digit that rounds to the same float: the content did not change
        restore_checkpoint(folder / "last.json", *fresh())
        return
    with pytest.raises(CheckpointError, match="last.json: "):
        restore_checkpoint(folder / "last.json", *fresh())


def forge(folder, change) -> None:
    """Rewrite last.json with ``change`` applied and a fresh, valid digest: a forged manifest."""
    manifest = json.loads((folder / "last.json").read_text())
    change(manifest)
    manifest["manifest_sha256"] = checkpoints._digest(manifest)
    (folder / "last.json").write_text(json.dumps(manifest))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
MANIFEST_PLACES = [("arrays",), ("sha256",), ("model",), ("model", "layers"), ("optimizer",),
                   ("optimizer", "t"), ("optimizer", "lr"), ("state",), ("state", "epoch"),
                   ("state", "batch"), ("state", "loss_sum"), ("state", "epoch_start_rng"),
                   ("history",), ("history", "epochs"), ("history", "batch_loss"), ("rngs",),
                   ("rngs", "shuffle"), ("config",)]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(place=st.sampled_from(MANIFEST_PLACES), value=json_values)
def test_a_forged_manifest_is_one_clear_error_or_a_checkpoint_that_fits(
    place, value, tmp_path_factory
):
    folder, *_ = small_run(tmp_path_factory.mktemp("run"))

    def change(manifest):
        *parents, key = place
        for parent in parents:
            manifest = manifest[parent]
        manifest[key] = value

    forge(folder, change)
    try:
        restore_checkpoint(folder / "last.json", *fresh())
    except CheckpointError as error:
        assert "last.json" in str(error) and "\n" not in str(error)


@pytest.mark.parametrize("arrays", ["/dev/zero", "../run/arrays-000000002.npz", "arrays-x.npz"])
def test_a_manifest_reads_arrays_only_from_its_own_folder(tmp_path, arrays):
    folder, *_ = small_run(tmp_path)
    forge(folder, lambda manifest: manifest.update(arrays=arrays))
    with pytest.raises(CheckpointError, match="the manifest's 'arrays' is missing or malformed"):
        restore_checkpoint(folder / "last.json", *fresh())


def test_an_arrays_file_larger_than_the_model_can_need_is_not_read(tmp_path):
    folder, *_ = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    with open(folder / manifest["arrays"], "ab") as f:
        f.truncate(200_000_000)  # sparse: 200 MB that take no disk
    with pytest.raises(
        CheckpointError, match="larger than the model's weights and optimizer state can be"
    ):
        load_checkpoint_model(folder / "last.json")
    assert peak_bytes(lambda: pytest.raises(CheckpointError, load_checkpoint_model, folder / "last.json")) < 5_000_000  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_place_of_a_manifest_or_its_arrays_is_refused_at_once(tmp_path):
    folder, *_ = small_run(tmp_path)
    manifest = json.loads((folder / "last.json").read_text())
    (folder / manifest["arrays"]).unlink()
    os.mkfifo(folder / manifest["arrays"])
    with pytest.raises(CheckpointError, match="is not a regular file"):
        load_checkpoint_model(folder / "last.json")
    (folder / "last.json").unlink()
    os.mkfifo(folder / "last.json")
    with pytest.raises(CheckpointError, match="is not a regular file"):
        load_checkpoint_model(folder / "last.json")


def test_an_older_checkpoint_format_is_refused_with_the_reason(tmp_path):
    folder, *_ = small_run(tmp_path)
    forge(folder, lambda manifest: manifest.update(format="numpynn.checkpoint/1"))
    with pytest.raises(CheckpointError, match="older numpynn whose manifests carry no checksum"):
        restore_checkpoint(folder / "last.json", *fresh())


def test_a_checkpoint_of_another_config_is_refused_naming_what_changed(tmp_path):
    folder, *_ = small_run(tmp_path)
    with pytest.raises(
        CheckpointError,
        match=r"changed since this checkpoint was saved, in hidden \(checkpoint: \[8\], now: \[9\]\)",
    ):
        restore_checkpoint(folder / "last.json", *fresh(), config={"hidden": [9]})
    restore_checkpoint(folder / "last.json", *fresh(), config={"hidden": [8]})
    # a key added to the config later and left unset is no change
    restore_checkpoint(folder / "last.json", *fresh(), config={"hidden": [8], "new_option": None})


# ---- a failed resume loses nothing --------------------------------------------------------------

DAMAGES = {
    "missing": lambda path: path.unlink(),
    "empty": lambda path: path.write_text(""),
    "truncated": lambda path: path.write_text(path.read_text()[:100]),
    "garbage": lambda path: path.write_bytes(os.urandom(300)),
    "a folder": lambda path: (path.unlink(), path.mkdir()),
    "edited": lambda path: path.write_text(path.read_text().replace('"batch": 0', '"batch": 1')),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_resume_that_fails_on_last_json_deletes_nothing(tmp_path, damage):
    folder, *_ = small_run(tmp_path)
    (folder / "arrays-000000099.npz").write_bytes(b"the newest arrays, whose manifest was lost")
    DAMAGES[damage](folder / "last.json")
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(CheckpointError):
        restore_checkpoint(folder / "last.json", *fresh())
    clean_checkpoints(folder)  # what a run does before its next save
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / "arrays-000000099.npz").exists()


def test_clean_removes_temp_files_and_orphans_only_when_every_manifest_is_readable(tmp_path):
    folder, *_ = small_run(tmp_path)
    (folder / ".last.json.0123.tmp").write_text("half")
    (folder / "arrays-000000001.npz").write_bytes(b"an older save")
    clean_checkpoints(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["arrays-000000002.npz", "last.json"]
