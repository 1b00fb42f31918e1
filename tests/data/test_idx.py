"""IDX files: round trips, atomic writes, and hostile files (truncated, forged, trailing data, gzip
bombs) refused with a clear error before memory is spent."""

import gzip
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from memory import peak_bytes
from paths import real_mnist

from numpynn.data import IDXFormatError, read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def write_bytes(path: Path, data: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def header(code: int, *shape: int) -> bytes:
    return bytes([0, 0, code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    for shape in [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 2), (0, 4)]:
        array = (rng.standard_normal(shape) * 100).astype(dtype)
        path = tmp_path / f"a{len(shape)}{suffix}"
        write_idx(path, array)
        back = read_idx(path)
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        assert back.shape == shape
        np.testing.assert_array_equal(back, array)
        assert back.flags.writeable
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")


@settings(max_examples=30, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.dtype(d) for d in DTYPES] + [np.dtype(">i4"), np.dtype("<f8")]),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
    )
)
def test_round_trip_property(tmp_path_factory, array):
    path = tmp_path_factory.mktemp("idx") / "a.gz"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(back, array)


def test_write_layout_is_big_endian_idx(tmp_path):
    write_idx(tmp_path / "a", np.array([[1, 2], [3, 4]], dtype=np.uint8))
    assert (tmp_path / "a").read_bytes() == header(0x08, 2, 2) + bytes([1, 2, 3, 4])
    write_idx(tmp_path / "b", np.array([258, -2], dtype=np.int16))
    assert (tmp_path / "b").read_bytes() == header(0x0B, 2) + b"\x01\x02\xff\xfe"


def test_gzip_is_detected_by_content_not_name(tmp_path):
    data = header(0x08, 3) + bytes([7, 8, 9])
    np.testing.assert_array_equal(read_idx(write_bytes(tmp_path / "plain.gz", data)), [7, 8, 9])
    np.testing.assert_array_equal(
        read_idx(write_bytes(tmp_path / "zipped", data, gz=True)), [7, 8, 9]
    )


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "a.gz"
    write_idx(path, np.arange(5, dtype=np.uint8))
    write_idx(path, np.arange(3, dtype=np.uint8))
    np.testing.assert_array_equal(read_idx(path), [0, 1, 2])
    with pytest.raises(TypeError, match="dtype must be one of"):
        write_idx(path, np.arange(3, dtype=np.int64))
    with pytest.raises(ValueError, match="dimensions"):
        write_idx(path, np.uint8(3))
    assert [p.name for p in tmp_path.iterdir()] == ["a.gz"]
    np.testing.assert_array_equal(read_idx(path), [0, 1, 2])


def test_write_failure_mid_stream_leaves_no_file(tmp_path, monkeypatch):
    class Boom(Exception):
        pass

    def fail(*args, **kwargs):
        raise Boom

    monkeypatch.setattr(gzip.GzipFile, "write", fail)
    with pytest.raises(Boom):
        write_idx(tmp_path / "a.gz", np.arange(3, dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "header must be 4 bytes, file holds 0"),
        (
            b"\x01\x00\x08\x01\x00\x00\x00\x01\x05",
            "magic number must start with bytes 00 00, got 01 00",
        ),
        (header(0x0A, 1) + b"\x05", "dtype code must be one of .*got 0x0A"),
        (header(0x08) + b"\x05", r"number of dimensions must be in 1\.\.8, got 0"),
        (bytes([0, 0, 8, 9]) + b"\x00" * 40, r"number of dimensions must be in 1\.\.8, got 9"),
        (bytes([0, 0, 8, 3]) + b"\x00\x00\x00\x02", "declares 3 dimensions .*truncated"),
        (
            header(0x08, 2, 3) + bytes(5),
            "header declares 2x3 uint8 = 6 bytes of data, file holds 5; the file is truncated",
        ),
        (
            header(0x0C, 4) + bytes(15),
            "header declares 4 int32 = 16 bytes of data, file holds 15; the file is truncated",
        ),
        (header(0x08, 2, 3) + bytes(7), "2x3 uint8 = 6 bytes of data, but the file holds more"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, data, message, gz):
    path = write_bytes(tmp_path / "bad-idx3-ubyte", data, gz=gz)
    with pytest.raises(IDXFormatError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncation_message_says_what_to_do(tmp_path):
    path = write_bytes(tmp_path / "t.gz", header(0x08, 10) + bytes(4), gz=True)
    with pytest.raises(IDXFormatError, match="truncated — delete it and fetch it again"):
        read_idx(path)


def read_fails(path: Path, match: str) -> None:
    with pytest.raises(IDXFormatError, match=match):
        read_idx(path)


def test_peak_bytes_sees_a_real_allocation(tmp_path):
    """The probe the tests below rely on does catch a read that allocates 4 MB."""
    path = tmp_path / "big"
    write_idx(path, np.zeros(4 << 20, dtype=np.uint8))
    assert peak_bytes(lambda: read_idx(path)) > 4 << 20


@pytest.mark.parametrize("gz", [False, True])
def test_forged_huge_header_fails_fast_without_allocating(tmp_path, gz):
    # 2**20 x 2**20 float64 = 2**43 bytes declared; the file holds 3 bytes of data
    path = write_bytes(tmp_path / "forged", header(0x0E, 2**20, 2**20) + bytes(3), gz=gz)
    assert (
        peak_bytes(lambda: read_fails(path, f"= {2**43} bytes of data, more than max_bytes"))
        < 1 << 20
    )


def test_max_bytes_is_enforced(tmp_path):
    path = tmp_path / "a"
    write_idx(path, np.zeros(100, dtype=np.uint8))
    assert read_idx(path, max_bytes=100).shape == (100,)
    with pytest.raises(IDXFormatError, match="100 bytes of data, more than max_bytes=99"):
        read_idx(path, max_bytes=99)


def test_raw_truncation_detected_before_allocating(tmp_path):
    path = write_bytes(tmp_path / "raw", header(0x08, 2**30) + bytes(10))
    assert peak_bytes(lambda: read_fails(path, f"{2**30} bytes of data, file holds 10")) < 1 << 20


def test_gzip_bomb_is_not_decompressed(tmp_path):
    # 10 declared bytes followed by 64 MB of zeros that compress to ~64 KB
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(header(0x08, 10) + bytes(10))
        zeros = bytes(1 << 20)
        for _ in range(64):
            f.write(zeros)
    assert path.stat().st_size < 1 << 20
    assert peak_bytes(lambda: read_fails(path, "file holds more")) < 8 << 20


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(header(0x08, 1024) + bytes(range(256)) * 4, mtime=0)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    path = write_bytes(tmp_path / "flipped.gz", bytes(flipped))
    with pytest.raises(IDXFormatError, match="gzip stream is corrupt"):
        read_idx(path)
    path = write_bytes(tmp_path / "cut.gz", good[: len(good) - 12])
    with pytest.raises(IDXFormatError, match="gzip stream is corrupt"):
        read_idx(path)
    crc = bytearray(good)
    crc[-8] ^= 0x01  # the CRC-32 in the gzip trailer
    path = write_bytes(tmp_path / "crc.gz", bytes(crc))
    with pytest.raises(IDXFormatError, match="gzip stream is corrupt.*CRC"):
        read_idx(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.gz")


def test_real_mnist_test_labels():
    labels = read_idx(real_mnist() / "t10k-labels-idx1-ubyte.gz")
    assert labels.dtype == np.uint8 and labels.shape == (10000,)
    assert labels.min() == 0 and labels.max() == 9
    assert np.bincount(labels).tolist()[:3] == [980, 1135, 1032]
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_a_small_gzip_declaring_a_huge_data_set_is_refused_before_allocating(tmp_path):
    """1.3 million blank images in a ~1 MB gzip: 1 GB of bytes, 4 GB as float32."""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(header(0x08, 1_300_000, 28, 28))
        blank = bytes(28 * 28 * 10_000)
        for _ in range(130):
            f.write(blank)
    assert path.stat().st_size < 2 << 20
    assert peak_bytes(lambda: read_fails(path, "over 100 times its size; .* a gzip bomb")) < 8 << 20


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_a_folder_in_place_of_an_idx_file_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    read_fails(tmp_path / "fifo", "is not a regular file")
    read_fails(tmp_path, "is a folder, not a file")


@st.composite
def idx_files(draw):
    """An IDX file as a forger would write one: any dtype code and number of dimensions, sizes
    up to 2**32 - 1, data of any length, raw or gzip."""
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0x0A, 0xFF]))
    shape = draw(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 9), min_size=0, max_size=9))
    magic = draw(st.sampled_from([b"\0\0", b"\0\1", b"\x1f\x8b"]))
    data = draw(st.binary(max_size=200))
    raw = magic + bytes([code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape) + data
    return gzip.compress(raw, mtime=0) if draw(st.booleans()) else raw


@settings(max_examples=150, deadline=None)
@given(content=idx_files())
def test_any_forged_idx_file_is_read_as_declared_or_one_clear_error(content, tmp_path_factory):
    path = tmp_path_factory.mktemp("idx") / "forged"
    path.write_bytes(content)

    def read():
        try:
            array = read_idx(path)
        except IDXFormatError as error:
            assert str(path) in str(error)
        else:
            assert array.nbytes <= len(content) * 200  # what it declared, and the file held

    assert peak_bytes(read) < 8 << 20


def stored_gzip(path: Path, content: bytes) -> int:
    """``content`` gzipped without compression (level 0): the file's size depends only on the
    content's length. Returns that size."""
    with gzip.open(path, "wb", compresslevel=0) as f:
        f.write(content)
    return path.stat().st_size


def test_a_gzip_may_declare_up_to_100_times_its_size_beyond_64_mb(tmp_path):
    path = tmp_path / "big.gz"
    data = bytes(700_000)  # stored, so 100 times the file is over the 64 MB floor
    size = stored_gzip(path, header(0x08, 1) + data)
    assert 100 * size > 1 << 26
    stored_gzip(path, header(0x08, 100 * size) + data)
    read_fails(path, f"{100 * size} bytes of data, file holds 700000; the file is truncated")
    stored_gzip(path, header(0x08, 100 * size + 1) + data)
    read_fails(path, f"in a {size:,}-byte gzip file, over 100 times its size")


def test_a_small_gzip_may_declare_up_to_64_mb(tmp_path):
    path = tmp_path / "small.gz"
    stored_gzip(path, header(0x08, 1 << 26) + bytes(10))
    read_fails(path, f"{1 << 26} bytes of data, file holds 10; the file is truncated")
    stored_gzip(path, header(0x08, (1 << 26) + 1) + bytes(10))
    read_fails(path, "over 100 times its size; images do not compress that far")


def test_a_bad_dtype_code_lists_every_valid_one(tmp_path):
    path = write_bytes(tmp_path / "bad", header(0x0A, 1) + b"\x05")
    read_fails(path, re.escape(
        "IDX dtype code must be one of 0x08 (uint8), 0x09 (int8), 0x0B (int16), 0x0C (int32), "
        "0x0D (float32), 0x0E (float64), got 0x0A"
    ))  # fmt: skip


def test_eight_dimensions_round_trip(tmp_path):
    array = np.arange(2**8, dtype=np.uint8).reshape((2,) * 8)
    write_idx(tmp_path / "a", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)


def test_by_default_a_file_may_declare_up_to_2_gib(tmp_path):
    path = write_bytes(tmp_path / "raw", header(0x08, 2**31))
    read_fails(path, f"{2**31} bytes of data, file holds 0; the file is truncated")
    path = write_bytes(tmp_path / "raw", header(0x08, 2**31 + 1))
    read_fails(path, f"{2**31 + 1} bytes of data, more than max_bytes={2**31}")


def test_a_raw_file_short_by_one_byte_is_refused_before_allocating(tmp_path):
    path = write_bytes(tmp_path / "raw", header(0x08, 2048, 4096) + bytes(2048 * 4096 - 1))
    message = f"{2048 * 4096} bytes of data, file holds {2048 * 4096 - 1}; the file is truncated"
    assert peak_bytes(lambda: read_fails(path, message)) < 1 << 20


def test_every_dimension_written_must_fit_in_four_bytes(tmp_path):
    largest = np.empty((2**32 - 1, 0), dtype=np.uint8)  # no data: the header alone
    write_idx(tmp_path / "a", largest)
    assert read_idx(tmp_path / "a").shape == (2**32 - 1, 0)
    with pytest.raises(ValueError, match=r"every dimension must be < 2\*\*32, got shape \(4294967296, 0\)"):  # fmt: skip
        write_idx(tmp_path / "b", np.empty((2**32, 0), dtype=np.uint8))


def test_write_idx_lists_the_dtypes_it_writes(tmp_path):
    with pytest.raises(TypeError, match=re.escape(
        "write_idx: array dtype must be one of uint8, int8, int16, int32, float32, float64, got bool"
    )):  # fmt: skip
        write_idx(tmp_path / "a", np.zeros(2, dtype=bool))


def test_a_gzip_file_is_written_without_a_timestamp(tmp_path):
    write_idx(tmp_path / "a.gz", np.arange(3, dtype=np.uint8))
    assert (tmp_path / "a.gz").read_bytes()[4:8] == bytes(4)  # gzip's MTIME field: 0, none


@pytest.mark.parametrize("gz", [False, True])
def test_an_empty_array_declared_with_sizes_no_array_can_have_is_one_clear_error(tmp_path, gz):
    """0 x 2**31 x 2**31 holds no data, but as int32 its nonzero sizes span 2**64 bytes, more
    than NumPy allows any shape; as uint8 (2**62) it is a valid empty array."""
    empty = read_idx(write_bytes(tmp_path / "u8", header(0x08, 0, 2**31, 2**31), gz=gz))
    assert empty.shape == (0, 2**31, 2**31) and empty.dtype == np.uint8
    path = write_bytes(tmp_path / "i32", header(0x0C, 0, 2**31, 2**31), gz=gz)
    read_fails(path, f"declares 0x{2**31}x{2**31} int32 = 0 bytes of data, in sizes too large")
