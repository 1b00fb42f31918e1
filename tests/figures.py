"""PNG files for the tests: the signature every PNG starts with, the size of one, and a huge blank
one made in a few KB."""

import struct
import zlib

PNG = b"\x89PNG\r\n\x1a\n"  # the signature every PNG file starts with


def png_size(path) -> tuple[int, int]:
    """(width, height) of the PNG file ``path``; fails if it is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG, f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def blank_png(width: int, height: int) -> bytes:
    """A valid PNG of a width x height black gray image: a few KB that decode to width x height
    bytes (compressed a row at a time, never held whole)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor, row = zlib.compressobj(9), bytes(width + 1)  # a filter byte, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
