"""The `bklint` command line: a thin argparse front over subcommand modules.

Each subcommand lives in ``bklint.linter.commands.<name>`` with ``add_arguments`` and
``run``; only the chosen one is imported, so `bklint check` never loads the language
server or pydantic.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from bklint.linter import __version__

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bklint",
        description="Lint, fix and migrate BuildKit's buildkitd.toml before the daemon reads it.",
    )
    parser.add_argument("--version", action="version", version=f"bklint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module_name)
    return parser


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
    parser = build_parser()
    # Parse the command name first, then let its module add its own options.
    command = next((a for a in args_list if not a.startswith("-")), None)
    sub_parser = None
    if command in COMMANDS:
        module = importlib.import_module(f"bklint.linter.commands.{COMMANDS[command][0]}")
        sub_parser = _subparser(parser, command)
        module.add_arguments(sub_parser)
    args, unknown = parser.parse_known_args(args_list)
    if unknown:  # with the usage of the subcommand they were given to, not bklint's
        (sub_parser or parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    module = importlib.import_module(f"bklint.linter.commands.{args._module}")
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


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    raise KeyError(name)


if __name__ == "__main__":
    raise SystemExit(main())
