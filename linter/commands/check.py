"""`bklint check`: lint files, directories or stdin; optionally fix them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from bklint.linter.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from bklint.linter.config import ConfigError, SettingsResolver
from bklint.linter.files import discover
from bklint.linter.findings import failing
from bklint.linter.inputs import Input
from bklint.linter.report import FORMATS, ReportOptions, render
from bklint.linter.run import LintResult, rules
from bklint.linter.settings import Settings
from bklint.rules.base import Severity


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - for stdin")
    p.add_argument(
        "--output-format",
        choices=sorted(FORMATS),
        default=os.environ.get("BKLINT_OUTPUT_FORMAT") or "full",
        help="how to print findings (default: full; env BKLINT_OUTPUT_FORMAT)",
    )
    p.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--select", metavar="CODES", help="only these codes or prefixes (e.g. BK1,BK201)")
    p.add_argument("--extend-select", metavar="CODES", help="add codes to the selection")
    p.add_argument("--ignore", metavar="CODES", help="skip these codes or prefixes")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument(
        "--failure-threshold",
        choices=[s.label for s in Severity],
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    p.add_argument("--stdin-filename", metavar="PATH", help="the path of the text read from stdin")
    p.add_argument("--config", metavar="PATH", help="use this bklint configuration file")
    p.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    p.add_argument("--base-dir", metavar="DIR", help="resolve relative certificate paths against DIR (default: cwd)")
    p.add_argument("--target-version", metavar="vX.Y", help="judge the file for this BuildKit release")
    p.add_argument("--buildkitd-flags", metavar="FLAGS", help="daemon flags the config is used with")
    p.add_argument(
        "--buildx-default",
        action="store_true",
        help="also lint the buildkitd.default.toml buildx applies to new builders on this machine",
    )
    p.add_argument("--cert-expiry-days", type=int, metavar="N", help="warn about certificates expiring within N days")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or show unsafe fixes")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff, write nothing")
    p.add_argument("--show-fixes", action="store_true", help="list the fixes that were applied")
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour (auto: only on a terminal)"
    )


# Command-line options that are settings, by their config-file key.
SETTINGS_OPTIONS = (
    "select",
    "extend-select",
    "ignore",
    "failure-threshold",
    "base-dir",
    "target-version",
    "buildkitd-flags",
    "cert-expiry-days",
)


def cli_values(args: argparse.Namespace) -> dict[str, object]:
    """The settings given on the command line, for the resolver's top layer."""
    values = {key: getattr(args, key.replace("-", "_")) for key in SETTINGS_OPTIONS}
    return {key: value for key, value in values.items() if value is not None}


def _use_color(mode: str, stream: TextIO) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def run(args: argparse.Namespace) -> int:
    rules()  # load the catalog before validating selectors
    try:
        resolver = SettingsResolver(cli_values(args), "cli", config_path=args.config, isolated=args.isolated)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    paths = args.paths or ([] if args.buildx_default else ["."])
    if args.buildx_default:
        from bklint.linter.buildx_default import default_config

        found, why, exists = default_config()
        if exists:
            print(f"bklint: buildx default config ({why}): {found}", file=sys.stderr)
            paths.append(found)
        else:
            print(f"bklint: no buildx default config: {found} ({why}) does not exist", file=sys.stderr)
            if not paths:
                return EXIT_OK
    if args.fix and args.diff:
        raise UsageError("--fix and --diff do not go together")
    if "-" in paths and len(paths) > 1:
        raise UsageError("- (stdin) cannot be combined with other paths")

    results: list[tuple[LintResult, Settings]] = []  # each with the settings it was linted with
    fixed: list[tuple[str, tuple[str, ...]]] = []
    diffs: list[str] = []
    fix_failed = False
    try:
        for source in _inputs(paths, args, resolver):
            settings = resolver.for_path(source.name)
            if not (args.fix or args.diff):
                results.append((source.lint(settings), settings))
                continue
            from bklint.linter.fix import default_filter

            outcome = source.fix(settings, default_filter(args.unsafe_fixes))
            if args.fix:
                source.write(outcome, settings)
            shown = source.name or "-"
            if outcome.error:
                print(f"bklint: {shown}: {outcome.error}", file=sys.stderr)
                fix_failed = True
            for dropped in outcome.dropped:
                print(f"bklint: {shown}: {dropped}", file=sys.stderr)
            if args.diff:
                diffs.append(outcome.diff(shown))
            if outcome.applied and not source.stdin:
                fixed.append((shown, tuple(outcome.applied)))
            results.append((outcome.result, settings))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    for warning in resolver.warnings:
        print(f"bklint: warning: {warning}", file=sys.stderr)

    if args.diff:
        text = "".join(d for d in diffs if d)
        sys.stdout.write(text)
        return EXIT_FINDINGS if text or fix_failed else EXIT_OK

    out_stream: TextIO = open(args.output_file, "w", encoding="utf-8") if args.output_file else sys.stdout  # noqa: SIM115
    try:
        options = ReportOptions(
            color=_use_color(args.color, out_stream) and args.output_format in ("full", "concise"),
            show_fixes=args.show_fixes,
            fixed=tuple(fixed),
            unsafe_fixes=args.unsafe_fixes,
        )
        if not (paths == ["-"] and args.fix):
            out_stream.write(render(args.output_format, [r for r, _ in results], options))
            if args.show_fixes and args.output_format != "full":
                # Only the full format lists fixes; machine formats keep stdout clean.
                for path, lines in fixed:
                    for line in lines:
                        print(f"bklint: fixed: {path}: {line}", file=sys.stderr)
        elif args.show_fixes:
            sys.stderr.write(render(args.output_format, [r for r, _ in results], options))
    finally:
        if out_stream is not sys.stdout:
            out_stream.close()

    if fix_failed:
        return EXIT_FINDINGS
    if args.exit_zero or not any(failing(r.findings, s.failure_threshold) for r, s in results):
        return EXIT_OK
    return EXIT_FINDINGS


def _inputs(paths: list[str], args: argparse.Namespace, resolver: SettingsResolver) -> Iterator[Input]:
    if paths == ["-"]:
        yield Input.from_stdin(args.stdin_filename)
        return
    for path in discover(paths, resolver.for_path(None).files):
        yield Input.file(path)
