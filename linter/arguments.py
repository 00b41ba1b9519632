"""The values a command line of plain operands gives, read from the command's own
``add_arguments`` without argparse.

`bklint check a.toml b.toml` (pre-commit's call, an editor's, a script's) names files and
sets no option: every option takes the default ``add_arguments`` declares. Recording those
declarations spares importing argparse (with gettext and locale) and building a parser,
about a tenth of the command's start-up (issue 15). Anything else — an option, a ``-`` for
stdin, a command whose operands a parser must check — returns None and argparse reads it
(``linter/parsers.py``); tests/cli/test_arguments.py holds both to the same values.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The default argparse gives an option whose declaration names none, by action.
_IMPLIED_DEFAULT: dict[object, object] = {"store_true": False, "store_false": True}


class _Declarations:
    """Stands in for a parser and its groups while ``add_arguments`` declares its options."""

    def __init__(self) -> None:
        self.defaults: dict[str, object] = {}
        self.operands: list[tuple[str, dict[str, Any]]] = []

    def add_argument_group(self, *_args: object, **_kwargs: object) -> _Declarations:
        return self

    def add_mutually_exclusive_group(self, *_args: object, **_kwargs: object) -> _Declarations:
        return self

    def add_argument(self, *names: str, **kwargs: Any) -> None:
        if not names[0].startswith("-"):
            self.operands.append((kwargs.get("dest") or names[0], kwargs))
            return
        action = kwargs.get("action")
        if action in ("help", "version"):
            return
        spelled = next((name for name in names if name.startswith("--")), names[0])
        dest = kwargs.get("dest") or spelled.lstrip("-").replace("-", "_")
        self.defaults[dest] = kwargs.get("default", _IMPLIED_DEFAULT.get(action))


def operands_only(module: ModuleType, args: list[str]) -> SimpleNamespace | None:
    """What argparse would make of ``args`` for the command ``module``, when ``args`` are
    only operands of its one ``nargs="*"`` operand and sets no option; else None."""
    if any(arg.startswith("-") for arg in args):
        return None
    declared = _Declarations()
    module.add_arguments(declared)
    if len(declared.operands) != 1:
        return None
    name, kwargs = declared.operands[0]
    if kwargs.get("nargs") != "*" or set(kwargs) - {"nargs", "metavar", "help"}:
        return None
    return SimpleNamespace(**declared.defaults, **{name: list(args)})
