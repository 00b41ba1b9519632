"""The `bklint` command line: a thin argparse front over subcommand modules.

Each subcommand lives in ``bklint.linter.commands.<name>`` with ``add_arguments`` and
``run``; only the chosen one is imported and only its parser is built, so `bklint check`
never loads the language server or pydantic, nor builds another command's options.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from bklint.linter import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

# name -> (module, help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "lint buildkitd.toml files (and fix them with --fix)"),
    "rule": ("rule", "show the documentation of a rule"),
    "rules": ("rules", "list every rule"),
    "migrate": ("migrate", "rewrite deprecated keys for a target BuildKit version"),
    "certs": ("certs", "copy registry certificates and rewrite their paths as `docker buildx create` does"),
    "schema": ("schema", "print a JSON Schema of buildkitd.toml"),
    "effective": ("effective", "print the configuration buildkitd would run with (flags and defaults merged)"),
    "lsp": ("lsp", "run the language server on stdio"),
    "version": ("version", "print bklint's version"),
}


class UsageError(Exception):
    """A bad command line: exit code 2 with the message."""


def open_output(path: str | None) -> TextIO:
    """``-o FILE`` (stdout without one); a file that cannot be created is a usage error."""
    if not path:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # the caller closes it
    except OSError as exc:
        raise UsageError(f"-o {path}: {exc.strerror or exc}") from None


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


def command_parser(name: str) -> tuple[argparse.ArgumentParser, ModuleType]:
    """The parser of one command, and its module: only the command in use is built."""
    module = importlib.import_module(f"bklint.linter.commands.{COMMANDS[name][0]}")
    help_text = COMMANDS[name][1]
    parser = argparse.ArgumentParser(prog=f"bklint {name}", description=help_text, formatter_class=_Formatter)
    module.add_arguments(parser)
    return parser, module


# Options whose values are themselves command lines ("--config=/x --debug"): argparse would
# read such a value as an option, so they are joined to their option before parsing.
_FREE_FORM = ("--buildkitd-flags",)


def _join_free_form(args: list[str]) -> list[str]:
    out: list[str] = []
    it = iter(args)
    for arg in it:
        if arg in _FREE_FORM:
            value = next(it, None)
            out.append(arg if value is None else f"{arg}={value}")
        else:
            out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _join_free_form(list(sys.argv[1:] if argv is None else argv))
    command = args_list[0] if args_list else None
    if command not in COMMANDS:  # no command, --help, --version or a typo: bklint's own parser says
        top = build_parser()
        top.parse_args(args_list)
        top.print_help(sys.stderr)
        return EXIT_USAGE
    parser, module = command_parser(command)
    args = parser.parse_args(args_list[1:])
    args.command = command
    try:
        code: int = module.run(args)
    except UsageError as exc:
        print(f"bklint {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug outside the lint (which contains its own): one line, no traceback
        print(
            f"bklint {args.command}: internal error: {type(exc).__name__}: {exc} (a bug in bklint; please report it)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
