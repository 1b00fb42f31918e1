"""The ``numpynn`` command line: parse, build a config, call the library. Nothing else.

``main`` owns the error policy; ``args`` and ``argtypes`` hold what the commands share; ``train``,
``debug``, ``studies`` and ``data`` are the groups of commands, each command's parser beside its
handler."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
