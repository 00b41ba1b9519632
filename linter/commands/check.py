"""`bklint check`: lint files, directories or stdin; optionally fix them (ruff's habits throughout).

Every input — a TOML config, a YAML file with embedded configs, stdin — is a
``linter.inputs.Input`` driven through the same steps; settings come from the one resolver
(``linter/config.py``) with the command line as its top layer.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator

from bklint.linter.cli import EXIT_FINDINGS, EXIT_OK, UsageError, open_output
from bklint.linter.config import OPTIONS, ConfigError, SettingsResolver
from bklint.linter.files import discover
from bklint.linter.findings import failing
from bklint.linter.inputs import Input
from bklint.linter.report import FORMATS, TEXT_FORMATS, ReportOptions, render
from bklint.linter.run import LintResult, enabled_refs
from bklint.linter.settings import Settings
from bklint.rules.base import Severity
from bklint.rules.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import TextIO

FORMAT_ENV = "BKLINT_OUTPUT_FORMAT"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - for stdin")
    out = p.add_argument_group("output")
    out.add_argument(
        "--output-format",
        help=f"how to print findings: {', '.join(FORMATS)} (default: full; env {FORMAT_ENV})",
    )
    out.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--statistics", action="store_true", help="count the findings per rule instead of listing them")
    out.add_argument("-q", "--quiet", action="store_true", help="print the findings and nothing else")
    out.add_argument("-s", "--silent", action="store_true", help="print nothing; only the exit code speaks")
    out.add_argument("--show-files", action="store_true", help="list the files that would be checked, and stop")
    out.add_argument("--show-settings", action="store_true", help="print the settings the first file gets, and stop")
    out.add_argument("--show-fixes", action="store_true", help="list the fixes that were applied")
    out.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour (auto: a terminal; FORCE_COLOR, NO_COLOR)"
    )
    rule = p.add_argument_group("rule selection")
    rule.add_argument("--select", metavar="CODES", help="only these codes, prefixes or names (e.g. BK1,BK201)")
    rule.add_argument("--extend-select", metavar="CODES", help="add codes to the selection")
    rule.add_argument("--ignore", metavar="CODES", help="skip these codes, prefixes or names")
    rule.add_argument("--fixable", metavar="CODES", help="rules whose fixes may be applied (default: ALL)")
    rule.add_argument("--unfixable", metavar="CODES", help="rules whose fixes are never applied")
    fix = p.add_argument_group("fixing")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or show unsafe fixes")
    fix.add_argument("--diff", action="store_true", help="print the fixes as a unified diff, write nothing")
    fix.add_argument("--fix-only", action="store_true", help="apply fixes and report only what was fixed (implies --fix)")
    fix.add_argument("--add-noqa", action="store_true", help="add `# noqa` comments to every line with findings")
    exit_ = p.add_argument_group("exit status")
    exit_.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    exit_.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a fix was applied")
    exit_.add_argument(
        "--failure-threshold",
        choices=[s.label for s in Severity],
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    files = p.add_argument_group("files and settings")
    files.add_argument("--stdin-filename", metavar="PATH", help="the path of the text read from stdin")
    files.add_argument("--exclude", metavar="GLOBS", help="skip these files and folders (replaces the defaults)")
    files.add_argument("--extend-exclude", metavar="GLOBS", help="skip these too")
    files.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_const",
        const=False,
        help="also check what .gitignore files ignore",
    )
    files.add_argument("--config", metavar="PATH", help="use this bklint configuration file")
    files.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    files.add_argument("--base-dir", metavar="DIR", help="resolve relative certificate paths against DIR (default: cwd)")
    files.add_argument("--target-version", metavar="vX.Y", help="judge the file for this BuildKit release")
    files.add_argument("--buildkitd-flags", metavar="FLAGS", help="daemon flags the config is used with")
    files.add_argument(
        "--buildx-default",
        action="store_true",
        help="also lint the buildkitd.default.toml buildx applies to new builders on this machine",
    )
    files.add_argument("--cert-expiry-days", type=int, metavar="N", help="warn about certificates expiring within N days")
    files.add_argument("-w", "--watch", action="store_true", help="check again whenever a file changes")


# Command-line options that are settings, by their config-file key (the resolver's top layer).
SETTINGS_OPTIONS = (
    "select",
    "extend-select",
    "ignore",
    "fixable",
    "unfixable",
    "failure-threshold",
    "base-dir",
    "target-version",
    "buildkitd-flags",
    "cert-expiry-days",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
)


def cli_values(args: argparse.Namespace) -> dict[str, object]:
    """The settings given on the command line, for the resolver's top layer."""
    values = {key: getattr(args, key.replace("-", "_")) for key in SETTINGS_OPTIONS}
    return {key: value for key, value in values.items() if value is not None}


def use_color(mode: str, stream: TextIO) -> bool:
    if mode in ("always", "never"):
        return mode == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _output_format(args: argparse.Namespace) -> str:
    if args.output_format is not None:
        given, where = args.output_format, "--output-format"
    else:
        given, where = os.environ.get(FORMAT_ENV) or "full", FORMAT_ENV
    if given not in FORMATS:
        raise UsageError(f"{where}: unknown output format {given!r} (one of {', '.join(FORMATS)})")
    return str(given)


class Console:
    """stderr messages, silenced by -q (notes) and -s (everything)."""

    def __init__(self, quiet: bool, silent: bool) -> None:
        self.quiet = quiet or silent
        self.silent = silent

    def warn(self, message: str) -> None:
        if not self.quiet:
            print(f"bklint: warning: {message}", file=sys.stderr)

    def error(self, message: str) -> None:
        if not self.silent:
            print(f"bklint: {message}", file=sys.stderr)

    def note(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)


class Run(Record):
    """What one pass over the inputs found and did."""

    __slots__ = ("added", "diffs", "fix_failed", "fixed", "results")

    results: list[tuple[LintResult, Settings]]
    fixed: list[tuple[str, tuple[str, ...]]]
    diffs: list[str]
    fix_failed: bool
    added: int  # --add-noqa

    def __init__(
        self,
        results: list[tuple[LintResult, Settings]] | None = None,
        fixed: list[tuple[str, tuple[str, ...]]] | None = None,
        diffs: list[str] | None = None,
        fix_failed: bool = False,
        added: int = 0,
    ) -> None:
        self.results = [] if results is None else results
        self.fixed = [] if fixed is None else fixed
        self.diffs = [] if diffs is None else diffs
        self.fix_failed = fix_failed
        self.added = added

    @property
    def fixes(self) -> int:
        return sum(len(lines) for _, lines in self.fixed)


def run(args: argparse.Namespace) -> int:
    fmt = _output_format(args)
    if args.fix_only:
        args.fix = True
    stdin = args.paths == ["-"] or (not args.paths and args.stdin_filename is not None)
    if "-" in args.paths and len(args.paths) > 1:
        raise UsageError("- (stdin) cannot be combined with other paths")
    if args.watch and stdin:
        raise UsageError("--watch needs files or directories, not stdin")
    console = Console(args.quiet, args.silent)
    if args.buildx_default:
        from bklint.linter.buildx_default import default_config

        found, why, exists = default_config()
        if exists:
            print(f"bklint: buildx default config ({why}): {found}", file=sys.stderr)
            args.paths = [*args.paths, found]
        else:
            print(f"bklint: no buildx default config: {found} ({why}) does not exist", file=sys.stderr)
            if not args.paths:
                return EXIT_OK
    if args.watch:
        from bklint.linter.commands.watch import watch

        return watch(args.paths or ["."], lambda: _check(args, fmt, stdin, console))
    return _check(args, fmt, stdin, console)


def _check(args: argparse.Namespace, fmt: str, stdin: bool, console: Console) -> int:
    try:
        resolver = SettingsResolver(
            cli_values(args), "cli", config_path=args.config, isolated=args.isolated, one_pass=True
        )
        top = resolver.for_path(None)
        if not enabled_refs(top, None):
            console.warn("no rules are selected (check `select` and `ignore`)")
        if args.show_settings:
            first = next(iter(_names(args, stdin, top)), None)
            sys.stdout.write(describe(resolver.for_path(first), first, resolver))
            return EXIT_OK
        if args.show_files:
            for name in _names(args, stdin, top):
                print(name)
            return EXIT_OK
        done = _process(args, stdin, resolver, console)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    for warning in resolver.warnings:
        console.warn(warning)
    if not done.results:
        console.warn(f"no buildkitd configs found under {', '.join(args.paths or ['.'])}")
    if args.add_noqa:
        console.note(f"Added {done.added} noqa directive{'s' if done.added != 1 else ''}.")
        return EXIT_FINDINGS if done.fix_failed else EXIT_OK
    if args.diff:
        text = "".join(d for d in done.diffs if d)
        sys.stdout.write(text)
        if fmt in TEXT_FORMATS:
            console.note(f"Would fix {done.fixes} problem{'s' if done.fixes != 1 else ''}." if done.fixes else "No fixes to apply.")
        return EXIT_FINDINGS if text or done.fix_failed else EXIT_OK
    if not args.silent:
        _report(args, fmt, stdin, done)
    if done.fix_failed or (args.exit_non_zero_on_fix and done.fixes):
        return EXIT_FINDINGS
    if args.exit_zero or args.fix_only:
        return EXIT_OK
    return EXIT_FINDINGS if any(failing(r.findings, s.failure_threshold) for r, s in done.results) else EXIT_OK


def _process(args: argparse.Namespace, stdin: bool, resolver: SettingsResolver, console: Console) -> Run:
    done = Run()
    for source in _inputs(args, stdin, resolver.for_path(None)):
        settings = resolver.for_path(source.name)
        shown = source.name or "-"
        if args.add_noqa:
            from bklint.linter.fix import ConcurrentChange

            result = source.lint(settings)
            try:
                done.added += _add_noqa(source, result, settings)
            except (OSError, ConcurrentChange) as exc:
                console.error(f"{shown}: {exc}")
                done.fix_failed = True
            done.results.append((result, settings))
            continue
        if not (args.fix or args.diff):
            result = source.lint(settings)
            # A report needs the findings and the text, not each file's syntax tree and
            # decoded model: over many files, keeping them all made every full garbage
            # collection walk them all again (and the memory grow with the run).
            result.doc = result.context = None
            done.results.append((result, settings))
            continue
        from bklint.linter.fix import default_filter

        outcome = source.fix(settings, default_filter(args.unsafe_fixes))
        if args.fix and not args.diff:  # as in ruff, --diff wins over --fix: nothing is written
            source.write(outcome, settings)
        if outcome.error:
            console.error(f"{shown}: {outcome.error}")
            done.fix_failed = True
        for dropped in outcome.dropped:
            console.error(f"{shown}: {dropped}")
        if args.diff:
            done.diffs.append(outcome.diff(shown))
        if outcome.applied:
            done.fixed.append((shown, tuple(outcome.applied)))
        done.results.append((outcome.result, settings))
    _follow(done, resolver)
    return done


def _follow(done: Run, resolver: SettingsResolver) -> None:
    """Lint the configs that scripts and workflows name, now that every file is final.

    A config that was also checked on its own keeps one result: what both lints found is
    listed once, with the script as a location elsewhere (``linter/followed.py``).
    """
    if not any(result.followed for result, _ in done.results):
        return  # (resolving every checked path costs a stat per folder of it, per file)
    from bklint.linter.findings import merge

    own = {os.path.realpath(r.path): r for r, _ in done.results if r.path is not None and r.path != "-"}
    for result, _ in list(done.results):
        for followed in result.followed:
            settings = resolver.for_path(followed.path)
            config = followed.lint(settings)
            key = os.path.realpath(followed.path)
            if key in own:
                own[key].findings = merge(own[key].findings, config.findings)
            else:
                own[key] = config
                done.results.append((config, settings))


def _report(args: argparse.Namespace, fmt: str, stdin: bool, done: Run) -> None:
    results = [r for r, _ in done.results]
    if args.fix_only:  # only what was fixed is reported
        results = [LintResult(r.path, r.source) for r in results]
    out_stream = open_output(args.output_file)
    try:
        options = ReportOptions(
            color=use_color(args.color, out_stream) and fmt in TEXT_FORMATS,
            show_fixes=args.show_fixes,
            fixed=tuple(done.fixed),
            unsafe_fixes=args.unsafe_fixes,
            quiet=args.quiet,
        )
        if args.statistics:
            out_stream.write(statistics(results, fmt, args.unsafe_fixes))
        elif stdin and args.fix:  # stdout holds the fixed text
            if args.show_fixes:
                sys.stderr.write(render(fmt, results, options))
        else:
            out_stream.write(render(fmt, results, options))
            if args.show_fixes and fmt != "full":
                # Only the full format lists fixes; machine formats keep stdout clean.
                for path, lines in done.fixed:
                    for line in lines:
                        print(f"bklint: fixed: {path}: {line}", file=sys.stderr)
    finally:
        if out_stream is not sys.stdout:
            out_stream.close()


def statistics(results: list[LintResult], fmt: str, unsafe_fixes: bool) -> str:
    """`--statistics`: findings counted per rule, most frequent first (JSON with --output-format json)."""
    from bklint.linter.report.common import applicable

    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    fixable: Counter[str] = Counter()
    for result in results:
        for f in result.findings:
            counts[f.code] += 1
            names[f.code] = f.name
            fixable[f.code] += applicable(f, unsafe_fixes)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        import json

        items = [{"code": c, "name": names[c], "count": n, "fixable": fixable[c] == n} for c, n in rows]
        return json.dumps(items, indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = [f"{n:>{width}}\t{c}\t{'[*] ' if fixable[c] == n else '    '}{names[c]}" for c, n in rows]
    return "".join(line + "\n" for line in lines)


def _names(args: argparse.Namespace, stdin: bool, top: Settings) -> Iterator[str]:
    if stdin:
        yield args.stdin_filename or "-"
        return
    yield from discover(args.paths or ["."], top)


def _inputs(args: argparse.Namespace, stdin: bool, top: Settings) -> Iterator[Input]:
    if stdin:
        yield Input.from_stdin(args.stdin_filename)
        return
    for path in discover(args.paths or ["."], top):
        yield Input.file(path)


def _add_noqa(source: Input, result: LintResult, settings: Settings) -> int:
    """Suppress every finding where it is: TOML and YAML share the `#` comment, so one edit serves both."""
    from bklint.linter.fix import apply_edits, write_atomic
    from bklint.linter.noqa import noqa_edit
    from bklint.linter.source import decode_bytes
    from bklint.rules.base import Edit, Span

    if source.stdin or source.data is None or source.name is None or not result.source.readable:
        return 0
    lines = result.text.split("\n")
    wanted: dict[int, list[str]] = {}
    for f in result.findings:
        codes = wanted.setdefault(f.span.start.line, [])
        if f.code not in codes:
            codes.append(f.code)
    edits = []
    for line, codes in wanted.items():
        if line >= len(lines):
            continue
        old = text = lines[line].rstrip("\r")
        for code in codes:
            edit = noqa_edit(text, line, code)
            text = text[: edit.span.start.column] + edit.content + text[edit.span.end.column :]
        edits.append(Edit(Span.at(line, 0, line, len(old)), text))
    if not edits:
        return 0
    new = (b"\xef\xbb\xbf" if result.source.had_bom else b"") + apply_edits(result.text, edits).encode("utf-8")
    after = source.kind.lint(decode_bytes(new), source.name, settings)
    meant = {(code, line) for line, codes in wanted.items() for code in codes}
    if meant & {(f.code, f.span.start.line) for f in after.findings} or _refusals(after) > _refusals(result):
        # e.g. a line that ends inside a multi-line string: the comment would be text, not a comment
        raise OSError("a `# noqa` comment cannot be added here without changing the file's meaning; nothing was changed")
    write_atomic(source.name, source.data, new)
    return sum(len(codes) for codes in wanted.values())


def _refusals(result: LintResult) -> int:
    """Errors of the loader's own (BK0xx): what a rewrite must never add."""
    return sum(f.code.startswith("BK0") and f.severity == Severity.ERROR for f in result.findings)


def describe(settings: Settings, path: str | None, resolver: SettingsResolver) -> str:
    """`--show-settings`: every option's value for ``path``, and where the config came from."""
    config = resolver.config_for(path)
    config_path = config.path if config is not None else None
    values = {
        "select": settings.select,
        "extend-select": settings.extend_select,
        "ignore": settings.ignore,
        "per-file-ignores": settings.per_file_ignores,
        "severity": {code: level.label for code, level in settings.severity.items()},
        "failure-threshold": settings.failure_threshold.label,
        "base-dir": settings.rules.base_dir,
        "buildkitd-flags": settings.rules.buildkitd_flags,
        "target-version": settings.rules.target_version,
        "cert-expiry-days": settings.rules.cert_expiry_days,
        "files": settings.files,
        "exclude": settings.excluded,
        "extend-exclude": settings.extend_exclude,
        "respect-gitignore": settings.respect_gitignore,
        "fixable": settings.fixable,
        "unfixable": settings.unfixable,
        "rule-options": settings.rules.options,
    }
    assert set(values) == set(OPTIONS), "every option is shown"
    lines = [f"# settings for {path or '-'}", f"# config file: {config_path or '(none)'}"]
    lines += [f"{key} = {values[key]!r}" for key in OPTIONS]
    return "\n".join(lines) + "\n"
