"""A command line of plain operands skips argparse: it must give exactly what argparse gives."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from bklint.linter.arguments import operands_only
from bklint.linter.cli import COMMANDS
from bklint.linter.parsers import command_parser

OPERAND_LINES = ([], ["buildkitd.toml"], ["a.toml", "conf/b.toml", "C:/x y.toml", ""])


def _module(command: str) -> ModuleType:
    return importlib.import_module(f"bklint.linter.commands.{COMMANDS[command][0]}")


# The commands whose operands are a plain list of paths; the others always go to argparse.
WITHOUT_PARSER = sorted(c for c in COMMANDS if operands_only(_module(c), []) is not None)


def test_the_path_taking_commands_skip_the_parser() -> None:
    assert "check" in WITHOUT_PARSER
    assert "rule" not in WITHOUT_PARSER  # one CODE operand: argparse checks it is there


@pytest.mark.parametrize("command", WITHOUT_PARSER)
@pytest.mark.parametrize("line", OPERAND_LINES, ids=len)
def test_plain_operands_give_what_argparse_gives(command: str, line: list[str]) -> None:
    module = _module(command)
    fast = operands_only(module, line)
    assert fast is not None
    assert vars(fast) == vars(command_parser(command, module).parse_args(line))


def test_check_with_only_file_operands_needs_no_parser() -> None:
    module = importlib.import_module("bklint.linter.commands.check")
    assert operands_only(module, ["a.toml", "b.toml"]) is not None


@pytest.mark.parametrize("line", [["-"], ["--fix", "a.toml"], ["a.toml", "-q"], ["-1"]])
def test_anything_that_looks_like_an_option_goes_to_argparse(line: list[str]) -> None:
    module = importlib.import_module("bklint.linter.commands.check")
    assert operands_only(module, line) is None
