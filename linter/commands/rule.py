"""`bklint rule CODE`: print a rule's documentation."""

from __future__ import annotations

from bklint.linter.cli import UsageError
from bklint.linter.run import rules
from bklint.rules.base import Rule, iter_rules, rule_named

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse



def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", metavar="CODE", nargs="?", help="a rule code (BK101) or name (unknown-key)")
    p.add_argument("--all", action="store_true", help="every rule's documentation")
    p.add_argument("--output-format", choices=("text", "json"), default="text", help="text (default) or json")


def find_rule(ident: str) -> type[Rule]:
    rules()
    rule = rule_named(ident)
    if rule is None:
        raise UsageError(f"no rule {ident!r} (see `bklint rules`)")
    return rule


def as_json(rule: type[Rule]) -> dict[str, object]:
    """A rule as ruff's `rule --output-format json` shapes one."""
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "severity": rule.severity.label,
        "fix": "available" if rule.fixable else "none",
        "explanation": rule.docs(),
        "options": dict(rule.options),
        "url": rule.url(),
    }


def run(args: argparse.Namespace) -> int:
    if args.all == bool(args.code):
        raise UsageError("give a rule CODE or --all")
    if args.all:
        rules()
        chosen = list(iter_rules())
    else:
        chosen = [find_rule(args.code)]
    if args.output_format == "json":
        import json

        items = [as_json(r) for r in chosen]
        print(json.dumps(items if args.all else items[0], indent=2, ensure_ascii=False))
    else:
        print("\n".join(r.page() for r in chosen), end="")
    return 0
