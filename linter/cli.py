"""The `bklint` command line: a thin front over subcommand modules.

Each subcommand lives in ``bklint.linter.commands.<name>`` with ``add_arguments`` and
``run``; only the chosen one is imported and only its parser is built, so `bklint check`
never loads the language server or pydantic, nor builds another command's options. A
command line of plain operands (`bklint check a.toml b.toml`, what pre-commit runs) needs
no parser at all: the options take the defaults ``add_arguments`` declares
(``linter/arguments.py`` reads them without argparse, whose import is a tenth of start-up).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from bklint.linter.arguments import operands_only

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

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
        from bklint.linter.parsers import build_parser

        top = build_parser()
        top.parse_args(args_list)
        top.print_help(sys.stderr)
        return EXIT_USAGE
    module = importlib.import_module(f"bklint.linter.commands.{COMMANDS[command][0]}")
    args: Any = operands_only(module, args_list[1:])
    if args is None:  # options, or operands a parser must check: argparse reads them
        from bklint.linter.parsers import command_parser

        args = command_parser(command, module).parse_args(args_list[1:])
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
