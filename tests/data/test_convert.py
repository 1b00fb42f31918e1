"""Converting data sets between an IDX folder, a CSV (with NAME.test.csv) and an NPZ archive:
what passes through unchanged, and what is refused rather than lost."""

import numpy as np
import pytest

from numpynn.data import read_idx, write_idx
from numpynn.data.convert import IDX_FILES, convert, read_arrays
from numpynn.data.file_checks import DataFileError
from numpynn.data.labeled import read_labeled


@pytest.fixture
def idx_folder(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "idx"
    folder.mkdir()
    for (images, labels), n in zip((IDX_FILES[:2], IDX_FILES[2:]), (40, 10), strict=True):
        write_idx(folder / images, rng.integers(0, 256, (n, 4, 4), dtype=np.uint8))
        write_idx(folder / labels, (np.arange(n) % 3).astype(np.uint8))
    return folder


def test_idx_to_csv_to_npz_to_idx_gives_back_the_same_bytes(idx_folder, tmp_path):
    written = convert(idx_folder, tmp_path / "d.csv")
    assert [p.name for p in written] == ["d.csv", "d.test.csv"]
    assert (tmp_path / "d.csv").read_text().startswith("x0,x1,")
    convert(tmp_path / "d.csv", tmp_path / "d.npz")
    convert(tmp_path / "d.npz", tmp_path / "again")
    for base in IDX_FILES:
        assert (tmp_path / "again" / base).read_bytes() == (idx_folder / base).read_bytes(), base
    assert read_idx(tmp_path / "again" / IDX_FILES[0]).shape == (40, 4, 4)


def test_a_csv_keeps_its_words_and_float_features_through_npz(tmp_path):
    (tmp_path / "f.csv").write_text(
        "a,b,kind\n0.346,1e-7,cat\n2,3,dog\n4,5,cat\n6,7,dog\n8,9,cat\n"
    )
    convert(tmp_path / "f.csv", tmp_path / "f.npz", target="kind")
    convert(tmp_path / "f.npz", tmp_path / "g.csv")
    rows = (tmp_path / "g.csv").read_text() + (tmp_path / "g.test.csv").read_text()
    assert "0.346,1e-07,cat" in rows and "2,3,dog" not in rows  # floats stay floats: "2.0"
    with pytest.raises(
        DataFileError, match=r"IDX label files hold integers 0..255; these labels are words"
    ):
        convert(tmp_path / "f.npz", tmp_path / "idx")


def test_nothing_is_overwritten_without_force(idx_folder, tmp_path):
    (tmp_path / "d.test.csv").write_text("precious")
    with pytest.raises(FileExistsError, match=r"d.test.csv exists; numpynn never overwrites data"):
        convert(idx_folder, tmp_path / "d.csv")
    assert (tmp_path / "d.test.csv").read_text() == "precious" and not (tmp_path / "d.csv").exists()
    convert(idx_folder, tmp_path / "d.csv", force=True)
    assert (tmp_path / "d.test.csv").read_text().startswith("x0,")


def test_a_file_is_never_converted_into_itself_even_with_force(tmp_path):
    original = "a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n9,10,cat\n"
    (tmp_path / "f.csv").write_text(original)
    with pytest.raises(
        FileExistsError,
        match=r"f.csv is read by this conversion; numpynn never writes data over its own source",
    ):
        convert(tmp_path / "f.csv", tmp_path / "sub" / ".." / "f.csv", target="kind", force=True)
    assert (tmp_path / "f.csv").read_text() == original and not (tmp_path / "f.test.csv").exists()
    (tmp_path / "f.test.csv").write_text(original)  # the source's test rows are its source too
    for src, dest in (("f.csv", "f.test.csv"), ("f.test.csv", "f.csv")):
        with pytest.raises(FileExistsError, match=r"is read by this conversion"):
            convert(tmp_path / src, tmp_path / dest, target="kind", force=True)
    assert (tmp_path / "f.csv").read_text() == (tmp_path / "f.test.csv").read_text() == original


def test_a_table_stays_a_table_in_an_npz_even_when_its_width_is_a_square(tmp_path):
    rows = "".join(f"{i},{i + 1},{i + 2},{i + 3},{i % 2}\n" for i in range(20))
    (tmp_path / "t.csv").write_text("a,b,c,d,y\n" + rows)  # 4 integer features: not 2x2 pixels
    convert(tmp_path / "t.csv", tmp_path / "t.npz", target="y")
    data = read_labeled(tmp_path / "t.npz")
    assert data.info.image_shape is None and data.in_features == 4


def test_a_csv_with_a_test_file_beside_it_is_trained_and_tested_on_them(tmp_path):
    (tmp_path / "p.csv").write_text("a,b,y\n1,2,cat\n3,4,dog\n5,6,cat\n")
    (tmp_path / "p.test.csv").write_text("a,b,y\n7,8,dog\n")
    data = read_labeled(tmp_path / "p.csv")
    assert len(data.y_train) == 3 and data.x_test.tolist() == [[7, 8]]
    assert data.y_test.tolist() == [1] and data.info.source["test"] == "p.test.csv"
    assert len(read_arrays(tmp_path / "p.csv").y) == 3
    (tmp_path / "p.test.csv").write_text("a,c,y\n7,8,dog\n")
    with pytest.raises(
        DataFileError,
        match=r"p.test.csv: the test rows must have the columns of p.csv \(2 features: a, b\), got 2: a, c",
    ):
        read_labeled(tmp_path / "p.csv")
    (tmp_path / "p.test.csv").write_text("a,b,y\n7,8,bird\n")
    with pytest.raises(DataFileError, match=r"y_test\[0\] = 'bird' is a label y never has"):
        read_labeled(tmp_path / "p.csv")


def test_an_idx_folder_missing_a_file_names_it(idx_folder, tmp_path):
    (idx_folder / IDX_FILES[3]).unlink()
    with pytest.raises(FileNotFoundError, match="holds no t10k-labels-idx1-ubyte"):
        convert(idx_folder, tmp_path / "d.npz")
