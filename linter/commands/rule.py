"""`bklint rule CODE`: print a rule's documentation."""

from __future__ import annotations

import argparse

from bklint.linter.cli import UsageError
from bklint.linter.run import rules
from bklint.rules.base import Rule, registered


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", metavar="CODE", help="a rule code (BK101) or name (unknown-key)")


def find_rule(ident: str) -> type[Rule]:
    rules()
    for rule in registered().values():
        if rule.code == ident.upper() or rule.name == ident.lower():
            return rule
    raise UsageError(f"no rule {ident!r} (see `bklint rules`)")


def render_doc(rule: type[Rule]) -> str:
    head = f"# {rule.code} {rule.name}"
    meta = f"Default severity: {rule.severity.label}. Fix: {'available' if rule.fixable else 'none'}."
    parts = [head, "", rule.summary + ".", "", meta, "", rule.docs()]
    if rule.options:
        parts += ["", "**Options**", *[f"- `{k}`: {v}" for k, v in rule.options.items()]]
    return "\n".join(parts).rstrip() + "\n"


def run(args: argparse.Namespace) -> int:
    print(render_doc(find_rule(args.code)), end="")
    return 0
