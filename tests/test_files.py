"""Atomic writes: the file is complete or untouched, never half-written, and no temp file is left."""

import errno
import json
import os
import stat

import pytest

from numpynn.files import atomic_open, atomic_write_bytes, atomic_write_json


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_write_creates_the_folder_and_gives_the_file_the_usual_mode(tmp_path):
    path = tmp_path / "a" / "b" / "data.bin"
    old = os.umask(0o027)
    try:
        atomic_write_bytes(path, b"123")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"123" and leftovers(path.parent) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 less the umask, as open() gives


def test_an_error_mid_write_leaves_the_old_file_untouched_and_no_temp_file(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_open(path) as f:
            f.write(b"half of the new")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_a_folder_in_the_way_is_an_error_that_leaves_nothing_behind(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path / "taken", b"x")
    assert (tmp_path / "taken").is_dir() and leftovers(tmp_path) == []


def test_json_is_indented_and_ends_with_a_newline(tmp_path):
    atomic_write_json(tmp_path / "m.json", {"a": [1, 2]})
    text = (tmp_path / "m.json").read_text()
    assert text.endswith("}\n") and '\n  "a"' in text and json.loads(text) == {"a": [1, 2]}


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT])
def test_a_full_disk_is_an_error_naming_the_file_that_loses_nothing(tmp_path, monkeypatch, code):
    path = tmp_path / "model.npz"
    path.write_bytes(b"the previous model")

    def no_space(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as error:
        atomic_write_bytes(path, b"the new model")
    assert f"{path}: cannot write it ({os.strerror(code)})" in str(error.value)
    assert path.read_bytes() == b"the previous model" and leftovers(tmp_path) == []


def test_the_caller_s_own_errors_pass_through_unchanged(tmp_path):
    with pytest.raises(ConnectionResetError):
        with atomic_open(tmp_path / "download.gz"):
            raise ConnectionResetError("the mirror hung up")
    assert list(tmp_path.iterdir()) == []
