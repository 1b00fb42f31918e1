"""The ``numpynn`` command line: parse, build a config, call the library. Nothing else.

``main`` owns the error policy; ``args`` holds what the commands share; each other module is one
group of commands, each command's parser beside its handler."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
