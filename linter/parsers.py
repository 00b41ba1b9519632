"""bklint's argparse parsers: the top-level one (commands, --help, --version) and each
command's, built from its module's ``add_arguments``.

Imported only when a command line needs a parser (``linter/arguments.py`` reads a line of
plain operands without one).
"""

from __future__ import annotations

import argparse
import os
import sys
from types import ModuleType

from bklint.linter import __version__
from bklint.linter.cli import COMMANDS


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, given the terminal width up front: asked for it, argparse
    imports `shutil` (and with it bz2 and lzma) in every parser it builds, help or not."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it: $COLUMNS, the terminal, 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    """`bklint` itself: the list of commands, --help and --version (no command's options)."""
    parser = argparse.ArgumentParser(
        prog="bklint",
        description="Lint, fix and migrate BuildKit's buildkitd.toml before the daemon reads it.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"bklint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text, formatter_class=_Formatter)
    return parser


def command_parser(name: str, module: ModuleType) -> argparse.ArgumentParser:
    """The parser of one command (``module``): only the command in use is built."""
    help_text = COMMANDS[name][1]
    parser = argparse.ArgumentParser(prog=f"bklint {name}", description=help_text, formatter_class=_Formatter)
    module.add_arguments(parser)
    return parser
