"""``numpynn data``: where each data set is found, and downloading one."""

from pathlib import Path

from .args import Parser

__all__ = ["add_data"]


def add_data(commands) -> None:
    data = commands.add_parser(
        "data", help="where data sets are; download them",
        epilog="examples:\n  numpynn data info\n  numpynn data fetch mnist",
    )  # fmt: skip
    data_commands = data.add_subparsers(
        dest="data_command", metavar="{info,fetch}", parser_class=Parser
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
