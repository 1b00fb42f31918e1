"""Reading your own data: CSV tables and NPZ archives, their labels mapped to classes, a test set
held out when there is none, and every malformed file one DataFileError naming the file and the
line and column (or array and index) at fault."""

import io
import json
import re
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numpynn.data.csv_tables import read_csv_table, read_feature_rows
from numpynn.data.file_checks import DataFileError
from numpynn.data.labeled import TEST_FRACTION, encode_labels, hold_out_test, read_labeled

IRIS = "a,b,species\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n9,10,bird\n"


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def npz(tmp_path, name="d.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_a_csv_with_a_header_and_string_labels(tmp_path):
    data = read_labeled(write(tmp_path, "pets.csv", IRIS), "species")
    assert data.info.class_names == ["bird", "cat", "dog"]  # sorted
    assert data.info.features == ["a", "b"] and data.info.image_shape is None
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    rows = {tuple(r): c for r, c in zip(x.tolist(), y.tolist(), strict=True)}
    assert rows == {(1, 2): 1, (3, 4): 2, (5, 6): 1, (7, 8): 2, (9, 10): 0}
    assert data.info.source["target_index"] == 2 and len(data.info.source["sha256"]) == 64


def test_the_label_column_by_name_index_or_default(tmp_path):
    path = write(tmp_path, "t.csv", "y,a,b\n0,1,2\n1,3,4\n0,5,6\n")
    for target in ("y", "0", "-3"):
        x, labels, features, column = read_csv_table(path, target)
        assert labels == ["0", "1", "0"] and features == ["a", "b"] and column == 0
        assert x.tolist() == [[1, 2], [3, 4], [5, 6]]
    x, labels, _, column = read_csv_table(path)  # default: the last column
    assert labels == ["2", "4", "6"] and column == 2


def test_a_header_is_detected_and_a_headerless_file_keeps_its_first_row(tmp_path):
    x, labels, features, _ = read_csv_table(write(tmp_path, "n.csv", "1,2,a\n3,4,b\n"))
    assert features is None and x.tolist() == [[1, 2], [3, 4]] and labels == ["a", "b"]
    _, _, features, _ = read_csv_table(write(tmp_path, "h.csv", "p,q,a\n3,4,b\n"))
    assert features == ["p", "q"]
    # told there is no header, "p" is a cell of data, and not a number
    with pytest.raises(DataFileError, match="line 1, column index 0: 'p' is not a number"):
        read_csv_table(write(tmp_path, "h2.csv", "p,q,a\n3,4,b\n"), header=False)


def test_integer_labels_are_mapped_in_numeric_order_and_named_by_their_value():
    y, _, names = encode_labels(["7", "3", "10", "7"])
    assert names == ["3", "7", "10"] and y.tolist() == [1, 0, 2, 1]
    y, y_test, names = encode_labels(np.array([0, 1, 2, 1]), np.array([2, 0]))
    assert names == ["0", "1", "2"] and y.tolist() == [0, 1, 2, 1] and y_test.tolist() == [2, 0]


def test_the_test_split_is_a_fixed_fifth_whatever_else_happens(tmp_path):
    x, y = np.arange(100, dtype=np.float32)[:, None], np.arange(100) % 2
    (x_train, _), (x_test, _) = hold_out_test(x, y)
    assert len(x_test) == round(100 * TEST_FRACTION) and len(x_train) == 80
    assert sorted(np.concatenate([x_train, x_test]).ravel().tolist()) == list(range(100))
    again = hold_out_test(x, y)[1][0]
    assert np.array_equal(again, x_test) and not np.array_equal(x_test.ravel(), np.arange(20))


def test_an_npz_with_images_a_test_set_and_class_names(tmp_path):
    rng = np.random.default_rng(0)
    path = npz(
        tmp_path, x=rng.integers(0, 255, (12, 4, 5), dtype=np.uint8), y=np.arange(12) % 3,
        x_test=np.ones((2, 4, 5)), y_test=np.array([2, 1]), class_names=np.array(["a", "b", "c"]),
    )  # fmt: skip
    data = read_labeled(path)
    assert data.info.image_shape == (4, 5) and data.x_train.shape == (12, 20)
    assert data.info.class_names == ["a", "b", "c"] and data.y_test.tolist() == [2, 1]
    assert data.x_test.shape == (2, 20) and data.info.source["test"] == "x_test"


def test_a_fortran_ordered_array_reads_as_the_same_array(tmp_path):
    x = np.asfortranarray(np.arange(12, dtype=np.float64).reshape(6, 2))
    data = read_labeled(npz(tmp_path, x=x, y=np.arange(6) % 2, x_test=x, y_test=np.arange(6) % 2))
    assert data.x_test.tolist() == x.tolist()


def test_rows_to_predict_with_or_without_the_label_column(tmp_path):
    features = ["a", "b"]
    with_label = write(tmp_path, "p.csv", "a,b,species\n1,2,cat\n3,4,dog\n")
    without = write(tmp_path, "q.csv", "a,b\n1,2\n3,4\n")
    bare = write(tmp_path, "r.csv", "1,2\n3,4\n")
    for path in (with_label, without, bare):
        assert read_feature_rows(path, 2, features, 2).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(DataFileError, match=r"r2.csv: its columns are b, a; the model takes a, b"):
        read_feature_rows(write(tmp_path, "r2.csv", "b,a\n1,2\n"), 2, features, 2)
    with pytest.raises(DataFileError, match=r"line 1 has 4 cells; the model takes rows of 2"):
        read_feature_rows(write(tmp_path, "r3.csv", "1,2,3,4\n"), 2, features, 2)


MALFORMED_CSV = [  # (content, target, what the message must say)
    ("a,b,c\n1,2,0\n3,4\n", None, "line 3 has 2 cells, expected 3"),
    ("a,b,c\n1,x,0\n3,4,1\n", None, "line 2, column 'b' (index 1): 'x' is not a number"),
    ("a,b,c\n1,2,0\nnan,4,1\n", None, "line 3, column 'a' (index 0): is NaN"),
    ("1,2,0\n3,-inf,1\n", None, "line 2, column index 1: is -inf, not finite"),
    ("a,b,c\n1,,0\n3,4,1\n", None, "line 2, column 'b' (index 1): is empty"),
    ("a,b,c\n1,2,0\n3,4,0\n", None, "the labels hold a single class"),
    ("a,b,c\n1,2,0\n3,4,1\n", "label", "no column named 'label'; the columns are 'a', 'b', 'c'"),
    ("", None, "the file is empty"),
    ("\n\n  \n", None, "holds no rows"),
    ("a,b,c\n", None, "has a header line but no rows of data"),
    (b"a,b,c\n1,2,0\n3,\xff4,1\n", None, "line 3 is not UTF-8 text (byte 0xff at character 3)"),
    (
        "label\ncat\ndog\n",
        None,
        "line 1 has 1 column; a table needs at least one column of features",
    ),
    ("a,b,c\n1,2,\n3,4,1\n", None, "line 2, column 'c' (index 2): the label is empty"),
    ("a,b,c\n1,1e39,0\n3,4,1\n", None, "line 2, column 'b' (index 1): is 1e+39, beyond float32"),
    ("1,2,0\n3,4,1\n", "5", "target column index 5 is out of range; the file has 3 columns"),
    ("1,2,0\n3,4,1\n", "label", "has no header line, so there is no column named 'label'"),
    ('a,b,c\n"1,2,0\n', None, "line 2 cannot be split into cells"),
    ("a,b,c\n" + "".join(f"{i},{i},{i + 100}\n" for i in range(40)), None, "looks like a feature"),
    (
        "a,b,c\n" + "".join(f"{i},{i},{i % 3}.5\n" for i in range(40)),
        None,
        "the labels are numbers with fractions, such as '0.5': a measured value, not a class",
    ),
]


@pytest.mark.parametrize(("content", "target", "message"), MALFORMED_CSV)
def test_a_malformed_csv_is_one_error_naming_the_file_and_where(tmp_path, content, target, message):
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(DataFileError) as error:
        read_labeled(path, target)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value), error.value


def forged_npz(path, key: str, shape: tuple, descr: str = "<f4", data: bytes = b"") -> None:
    """An .npz whose array ``key`` declares ``shape`` but holds ``data``."""
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{key}.npy", buffer.getvalue() + data)
        archive.writestr("y.npy", _npy(np.arange(2)))


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def malformed_npz(tmp_path, case: str):
    x, y = np.arange(12.0).reshape(6, 2), np.arange(6) % 2
    path = tmp_path / "bad.npz"
    if case == "object array":
        np.savez(path, x=np.array([[1, "a"]] * 6, dtype=object), y=y)
    elif case == "length mismatch":
        np.savez(path, x=x, y=y[:5])
    elif case == "test width":
        np.savez(path, x=x, y=y, x_test=np.ones((2, 3)), y_test=y[:2])
    elif case == "no y":
        np.savez(path, x=x)
    elif case == "unknown array":
        np.savez(path, x=x, y=y, labels=y)
    elif case == "float labels":
        np.savez(path, x=x, y=y + 0.5)
    elif case == "nan":
        np.savez(path, x=np.where(x == 5, np.nan, x), y=y)
    elif case == "truncated":
        np.savez(path, x=x, y=y)
        path.write_bytes(path.read_bytes()[:300])
    elif case == "huge declared":
        forged_npz(path, "x", (10**6, 10**6), data=bytes(64))
    elif case == "short data":
        forged_npz(path, "x", (2, 8), data=bytes(40))
    elif case == "one-dimensional x":
        np.savez(path, x=x.ravel(), y=y)
    elif case == "x_test alone":
        np.savez(path, x=x, y=y, x_test=x)
    elif case == "unseen test label":
        np.savez(path, x=x, y=y, x_test=x[:2], y_test=np.array([0, 7]))
    elif case == "not a zip":
        path.write_bytes(b"x,y\n1,2\n")
    return path


MALFORMED_NPZ = {
    "object array": "x is an array of Python objects, which numpy stores pickled",
    "length mismatch": "y must hold one label per row of x, shape (6,), got (5,)",
    "test width": "x_test must have shape (N, 2) with N >= 1, as x has, got (2, 3)",
    "no y": "has no array 'y'",
    "unknown array": "holds 'labels'; an .npz data file holds only the arrays x, y",
    "float labels": "y must hold integers or strings, got dtype float64; labels are classes",
    "nan": "x[2, 1] is nan, not a finite float32",
    "truncated": "not an .npz archive",
    "huge declared": "x declares shape (1000000, 1000000) float32 (4,000,000,000,000 bytes)",
    "short data": "x holds 40 bytes, its header declares 64; the file is truncated",
    "one-dimensional x": "x must be (N, features) or images (N, rows, cols)",
    "x_test alone": "has only one of x_test and y_test",
    "unseen test label": "y_test[1] = 7 is a label y never has",
    "not a zip": "not an .npz archive",
}


@pytest.mark.parametrize("case", MALFORMED_NPZ)
def test_a_malformed_npz_is_one_error_naming_the_file_and_the_array(tmp_path, case):
    path = malformed_npz(tmp_path, case)
    with pytest.raises(DataFileError) as error:
        read_labeled(path)
    assert str(error.value).startswith(f"{path}: ") and MALFORMED_NPZ[case] in str(error.value), (
        error.value
    )


def test_only_csv_and_npz_files_are_read(tmp_path):
    with pytest.raises(DataFileError, match=r"unknown kind of data file '.txt'; give .csv"):
        read_labeled(write(tmp_path, "d.txt", IRIS))
    with pytest.raises(FileNotFoundError, match="nothing.csv does not exist"):
        read_labeled(tmp_path / "nothing.csv")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataFileError, match=r"folder: is a folder, not a file"):
        read_labeled(tmp_path / "folder")
    with pytest.raises(DataFileError, match="is a folder, not a file"):
        read_labeled(tmp_path / "folder.csv")


def test_a_line_longer_than_the_limit_is_refused_before_it_is_split(tmp_path, monkeypatch):
    import numpynn.data.csv_tables as csv_tables

    monkeypatch.setattr(csv_tables, "MAX_LINE_BYTES", 100)
    path = write(tmp_path, "wide.csv", "1,2,0\n" + "1," * 60 + "0\n")
    with pytest.raises(DataFileError, match=r"wide.csv: line 2 is longer than 100 bytes"):
        read_labeled(path)
    monkeypatch.setattr(csv_tables, "MAX_CELLS", 9)
    with pytest.raises(DataFileError, match=r"more than 9 cells"):
        read_labeled(write(tmp_path, "long.csv", "1,2,0\n3,4,1\n5,6,0\n7,8,1\n"))


# hostile files, generated: whatever the bytes, the reader gives data or one DataFileError that
# names the file, and the file is left as it was
CELLS = st.sampled_from(["1", "2.5", "-3", "", "nan", "inf", "x", "1e40", '"4"', '"', "cat", " 7 "])


@st.composite
def csv_texts(draw) -> bytes:
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELLS, min_size=width - 1, max_size=width + 1), max_size=8))
    text = "\n".join(",".join(row) for row in rows)
    if draw(st.booleans()):
        text = "a,b,c,d"[: 2 * width - 1] + "\n" + text
    raw = text.encode()
    if draw(st.booleans()) and raw:  # a stray byte anywhere
        i = draw(st.integers(0, len(raw) - 1))
        raw = raw[:i] + bytes([draw(st.integers(0, 255))]) + raw[i + 1 :]
    return raw


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=csv_texts() | st.binary(max_size=200))
def test_any_csv_is_read_or_one_clear_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(content)
    try:
        data = read_labeled(path)
    except DataFileError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
        lines = [int(n) for n in re.findall(r"\bline (\d+)", str(error))]
        assert all(1 <= n <= content.count(b"\n") + 1 for n in lines), error
    else:
        assert np.isfinite(data.x_train).all() and data.info.num_classes >= 2
        assert data.y_train.max() < data.info.num_classes
    assert path.read_bytes() == content  # nothing written


def _valid_npz() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez(buffer, x=rng.normal(size=(8, 3)), y=np.arange(8) % 2, x_test=np.ones((2, 3)),
             y_test=np.array([1, 0]))  # fmt: skip
    return buffer.getvalue()


VALID_NPZ = _valid_npz()


@settings(max_examples=200, deadline=None)
@given(
    cut=st.integers(0, len(VALID_NPZ)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID_NPZ) - 1), st.integers(0, 255)), max_size=4),
)
def test_any_damaged_npz_is_read_or_one_clear_error(tmp_path_factory, cut, flips):
    content = bytearray(VALID_NPZ[:cut])
    for i, value in flips:
        if i < len(content):
            content[i] = value
    path = tmp_path_factory.mktemp("npz") / "data.npz"
    path.write_bytes(bytes(content))
    try:
        data = read_labeled(path)
    except DataFileError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
    else:
        assert np.isfinite(data.x_train).all() and data.x_train.shape[1] == 3
    assert path.read_bytes() == bytes(content)


def test_the_error_tests_would_catch_a_reader_that_names_no_place(tmp_path):
    """The checker of the hostile-file tests fails on a message without the file."""
    error = DataFileError("line 3 has 2 cells")
    assert not str(error).startswith(f"{tmp_path / 'data.csv'}: ")
    assert json.dumps(str(error))  # one line of text


def test_labels_written_as_whole_floats_are_classes(tmp_path):
    (tmp_path / "f.csv").write_text("a,b,y\n1,2,1.0\n3,4,2.0\n5,6,1.0\n7,8,2.0\n9,10,1.0\n")
    data = read_labeled(tmp_path / "f.csv")
    assert data.info.class_names == ["1.0", "2.0"]
