"""What the tests check of a figure: a real PNG file, and its size in pixels."""

PNG = b"\x89PNG\r\n\x1a\n"  # the signature every PNG file starts with


def png_size(path) -> tuple[int, int]:
    """(width, height) of the PNG file ``path``; fails if it is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG, f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
