"""``numpynn data``: where each data set is found, downloading one, and converting a data set
between IDX, CSV and NPZ."""

from pathlib import Path

from .args import Parser, UsageError

__all__ = ["add_data"]


def add_data(commands) -> None:
    data = commands.add_parser(
        "data", help="where data sets are; download them; convert IDX, CSV and NPZ",
        epilog="examples:\n  numpynn data info\n  numpynn data fetch mnist\n"
        "  numpynn data convert flowers.csv flowers-idx/",
    )  # fmt: skip
    data_commands = data.add_subparsers(
        dest="data_command", metavar="{info,fetch,convert}", parser_class=Parser
    )
    info = data_commands.add_parser(
        "info", help="say where each data set is found, or that it is missing"
    )
    info.add_argument("--data-dir", type=Path, metavar="DIR")
    info.set_defaults(run=cmd_data_info)
    fetch = data_commands.add_parser("fetch", help="download a data set into the cache")
    fetch.add_argument("name", choices=["mnist", "fashion-mnist"])
    fetch.add_argument("--data-dir", type=Path, metavar="DIR", help="download into this folder")
    fetch.set_defaults(run=cmd_data_fetch)
    add_convert(data_commands)


CONVERT_EXAMPLES = """examples:
  numpynn data convert ~/.cache/numpynn/mnist mnist.npz      # the four IDX files -> one archive
  numpynn data convert mnist.npz mnist-idx/                  # and back (bit-identical files)
  numpynn data convert flowers.csv flowers.npz --target species
  numpynn data convert mnist-idx/ mnist.csv    # writes mnist.csv and mnist.test.csv

A CSV holds one split: converting to NAME.csv also writes the test rows to NAME.test.csv, and
converting from NAME.csv reads NAME.test.csv beside it if there is one (else a fifth of the rows
is held out with seed 0, as train --data does). Labels and pixel values are kept as they are; an
IDX label file holds integers 0..255 only.
"""


def add_convert(data_commands) -> None:
    convert = data_commands.add_parser(
        "convert", help="convert a data set between an IDX folder, a CSV and an NPZ",
        description="Convert SRC into DEST. Each is a folder of the four MNIST-style IDX files\n"
        "(any path without a .csv or .npz suffix), a .csv file, or an .npz archive (x, y,\n"
        "x_test, y_test, class_names). Files that exist are not replaced without --force.",
        epilog=CONVERT_EXAMPLES, formatter_class=Parser().formatter_class,
    )  # fmt: skip
    convert.add_argument("src", type=Path, metavar="SRC")
    convert.add_argument("dest", type=Path, metavar="DEST")
    convert.add_argument("--target", metavar="COLUMN", help="a CSV's label column (default last)")
    convert.add_argument("--force", action="store_true", help="replace files DEST already has")
    convert.set_defaults(run=cmd_data_convert)


def cmd_data_convert(args) -> int:
    from ..data.convert import convert
    from ..data.file_checks import DataFileError

    try:
        written = convert(args.src, args.dest, args.target, args.force)
    except (DataFileError, FileExistsError, FileNotFoundError) as error:
        raise UsageError(str(error)) from None
    print(f"{args.src} -> {', '.join(map(str, written))}")
    return 0


def cmd_data_info(args) -> int:
    from ..data import DATASETS, locate_dataset, search_paths

    for name in DATASETS:
        found = locate_dataset(name, args.data_dir)
        if found:
            print(f"{name}: found in {found}")
        else:
            places = ", ".join(str(p) for p in search_paths(name, args.data_dir))
            print(f"{name}: missing (looked in {places}); run `numpynn data fetch {name}`")
    return 0


def cmd_data_fetch(args) -> int:
    from ..data import fetch_dataset, locate_dataset

    found = locate_dataset(args.name, args.data_dir)
    if found:
        print(f"{args.name}: already in {found}")
        return 0
    print(f"{args.name}: downloaded to {fetch_dataset(args.name, args.data_dir)}")
    return 0
