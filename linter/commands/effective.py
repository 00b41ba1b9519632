"""`bklint effective`: print the configuration buildkitd would run with, as TOML (or JSON).

Every key with its value: the file, the daemon flags merged over it, defaults for the rest,
and the default GC policies of a worker whose file sets none. A trailing comment on each
value says where it came from. The values come from ``bklint.rules.effective_config``.
"""

from __future__ import annotations

import json
import sys

from bklint.linter.cli import EXIT_OK, UsageError
from bklint.rules.effective_config import Path, Value, resolve
from bklint.rules.schema.values import DiskSpace, human_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the buildkitd.toml")
    p.add_argument("--buildkitd-flags", metavar="FLAGS", help="daemon flags merged over the file")
    p.add_argument("--disk-size", metavar="SIZE", help="size of the disk holding the BuildKit root (e.g. 100GB)")
    p.add_argument("--target-version", metavar="vX.Y", help="the BuildKit release (default: the newest)")
    p.add_argument("--output-format", choices=("toml", "json"), default="toml", help="output format")


def run(args: argparse.Namespace) -> int:
    from bklint.linter.files import read_file
    from bklint.linter.run import lint_bytes
    from bklint.linter.settings import Settings
    from bklint.rules.schema.values import ram_in_bytes
    from bklint.rules.schema.versions import parse_version

    disk = None
    if args.disk_size is not None:
        disk = ram_in_bytes(args.disk_size)
        if disk is None or disk <= 0:
            raise UsageError(f"--disk-size: not a size: {args.disk_size!r}")
    version = None
    if args.target_version:
        try:
            version = parse_version(args.target_version)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    read = read_file(args.file)
    if read.data is None:
        raise UsageError(f"{args.file}: {read.error}")
    settings = Settings()
    settings.select = ["BK0"]
    settings.rules.buildkitd_flags = args.buildkitd_flags
    settings.rules.target_version = args.target_version
    result = lint_bytes(read.data, args.file, settings)
    if result.context is None:
        raise UsageError(f"{args.file}: not read")
    values = resolve(result.context, disk, version)
    if args.output_format == "json":
        sys.stdout.write(json.dumps(to_json(values), indent=2) + "\n")
    else:
        sys.stdout.write(to_toml(values))
    return EXIT_OK


def _origin(v: Value) -> str:
    if isinstance(v.value, DiskSpace) and v.value.bytes:
        return f"{v.origin}; {human_bytes(v.value.bytes)}"
    return v.origin


def to_json(values: list[Value]) -> list[dict[str, Any]]:
    return [
        {"key": [p for p in v.path], "value": v.data, "origin": _origin(v)}
        for v in values
    ]


def _sort_key(path: Path) -> tuple[str, ...]:
    return tuple(f"{p:09d}" if isinstance(p, int) else f"~{p}" for p in path)


def to_toml(values: list[Value]) -> str:
    from bklint.rules import toml_text

    tables: dict[Path, list[Value]] = {}
    for v in values:
        tables.setdefault(v.path[:-1], []).append(v)
    lines: list[str] = []
    for table in sorted(tables, key=_sort_key):
        if table:
            if lines:
                lines.append("")
            names = [str(p) for p in table if not isinstance(p, int)]
            header = toml_text.dotted_key(names)
            lines.append(f"[[{header}]]" if isinstance(table[-1], int) else f"[{header}]")
        for v in sorted(tables[table], key=lambda v: _sort_key(v.path)):
            text = toml_text.inline_value(v.data)
            lines.append(f"{toml_text.key(str(v.path[-1]))} = {text}  # {_origin(v)}")
    return "\n".join(lines) + "\n"
