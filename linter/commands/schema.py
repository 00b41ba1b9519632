"""`bklint schema`: print the JSON Schema of buildkitd.toml (for taplo, Even Better TOML, editors).

The schema comes from the same key tree as the linter's own checks, so an editor that
validates with it agrees with `bklint check` on unknown keys and wrong types; with
``--target-version`` it describes that BuildKit release (keys it does not know are absent).
"""

from __future__ import annotations

import json
import sys

from bklint.linter.cli import EXIT_OK, UsageError, open_output

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse



def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target-version", metavar="vX.Y", help="describe this BuildKit release (default: the newest)")
    p.add_argument("-o", "--output-file", metavar="FILE", help="write the schema to FILE instead of stdout")
    p.add_argument("--indent", type=int, default=2, metavar="N", help="JSON indentation (0: one line; default 2)")


def render(target_version: str | None, indent: int = 2) -> str:
    """The schema as JSON text (raises ValueError for a version bklint does not know)."""
    from bklint.rules.schema.models import json_schema

    schema = json_schema(target_version)
    if indent <= 0:
        return json.dumps(schema, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(schema, indent=indent, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.indent < 0:
        raise UsageError("--indent must not be negative")
    try:
        text = render(args.target_version, args.indent)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = open_output(args.output_file)
    try:
        out.write(text)
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_OK
