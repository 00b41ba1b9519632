"""`bklint rules`: list the catalog."""

from __future__ import annotations

import argparse
import json

from bklint.linter.run import rules
from bklint.rules.base import iter_rules


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output-format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    rules()
    catalog = list(iter_rules())
    if args.output_format == "json":
        items = [
            {
                "code": r.code,
                "name": r.name,
                "summary": r.summary,
                "severity": r.severity.label,
                "fixable": r.fixable,
                "url": r.url(),
                "explanation": r.docs(),
            }
            for r in catalog
        ]
        print(json.dumps(items, indent=2))
        return 0
    width = max(len(r.name) for r in catalog)
    for r in catalog:
        fix = "*" if r.fixable else " "
        print(f"{r.code} {fix} {r.name.ljust(width)}  {r.severity.label:<7}  {r.summary}")
    return 0
