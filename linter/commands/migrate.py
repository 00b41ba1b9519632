"""`bklint migrate`: rewrite a config for a BuildKit release, keeping its meaning and layout.

Forward (the default, the latest release) every deprecated spelling becomes its current one
(BK401–BK405); with ``--target-version`` keys that release does not know take the older
spelling that means the same (BK410–BK413). The work is done by the rules' own fixes,
applied by the fix engine until nothing changes, so a migration is exactly what
``bklint check --fix --unsafe-fixes --select BK4`` would do, plus two things only a
migration may do: integers go-toml v1 accepted and v0.28+ refuses are rewritten in decimal,
and keys whose meaning changes across v0.28 are listed.
"""

from __future__ import annotations

import sys

from bklint.linter.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from bklint.linter.fix import ConcurrentChange, FixOutcome, apply_edits, fix_data, write_atomic
from bklint.linter.inputs import Input
from bklint.linter.run import LintResult, lint_bytes, rules
from bklint.linter.settings import Settings
from bklint.linter.source import UTF8_BOM, decode_bytes
from bklint.rules.base import Edit, Finding
from bklint.rules.catalog.deprecations.target_version import legacy_integer_issues, v1_accepts
from bklint.rules.schema import versions

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


MIGRATION_CODES = ("BK401", "BK402", "BK403", "BK404", "BK405", "BK410", "BK411", "BK412", "BK413")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the buildkitd.toml to migrate")
    p.add_argument("--target-version", metavar="vX.Y", help="the BuildKit release to migrate to (default: latest)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite FILE in place (atomically)")
    mode.add_argument("--diff", action="store_true", help="print a unified diff instead of the file")


def _settings(target: str | None) -> Settings:
    settings = Settings()
    # BK0xx too, so the engine can refuse a result buildkitd would not load.
    settings.select = ["BK0", *MIGRATION_CODES]
    settings.rules.target_version = target
    return settings


def _accept(finding: Finding) -> bool:
    return finding.fix is not None and finding.code in MIGRATION_CODES


def legacy_integers(data: bytes, target: versions.Version) -> tuple[bytes, list[str]]:
    """Sizes/durations as hex or underscore integers, rewritten in decimal for v0.28+.

    go-toml v1 (≤ v0.27) read them as numbers; v0.28+ refuses them. The decimal form means
    the same to both, so this changes nothing for an old daemon and makes the file load on
    a new one.
    """
    if target < versions.GO_TOML_V2_SINCE or data.startswith(UTF8_BOM):
        return data, []
    result = lint_bytes(data, None, _settings(None))
    if result.doc is None or result.context is None or result.context.decoded is None:
        return data, []
    doc = result.doc
    edits: list[Edit] = []
    notes: list[str] = []
    for issue, number in legacy_integer_issues(doc, result.context.decoded):
        node = issue.node
        edits.append(Edit(doc.value_span(node), str(number)))
        line = doc.position(node.value_start).line + 1
        notes.append(
            f"line {line}: {doc.slice(node.value_start, node.value_end)} written as {number} "
            "(BuildKit v0.28+ refuses hex and underscore sizes/durations)"
        )
    if not edits:
        return data, []
    return apply_edits(doc.text, edits).encode("utf-8"), notes


def meaning_changes(result: LintResult, target: versions.Version) -> list[str]:
    """Keys read from v0.28 on that go-toml v1 (≤ v0.27) ignored: the file means more now."""
    if target < versions.GO_TOML_V2_SINCE or result.context is None or result.context.decoded is None:
        return []
    doc = result.doc
    assert doc is not None
    out = []
    for issue in result.context.decoded.issues:
        if issue.kind != "case" or not issue.path or not issue.canonical:
            continue
        if v1_accepts(str(issue.path[-1]), issue.canonical):
            continue
        line = doc.position(issue.anchor[0]).line + 1
        out.append(
            f"line {line}: `{issue.path[-1]}` was ignored by BuildKit before v0.28 (go-toml v1) and is read as "
            f"`{issue.canonical}` from v0.28 on: check that the value is what you want"
        )
    return out


def migrate_bytes(data: bytes, name: str | None, target_text: str | None) -> tuple[FixOutcome, list[str]]:
    """The migrated bytes (``outcome.data``) and the notes a user should read."""
    target = versions.parse_version(target_text) if target_text else versions.LATEST
    settings = _settings(target_text)
    prepared, notes = legacy_integers(data, target)
    outcome = fix_data(prepared, name, settings, _accept)
    if outcome.error is not None:
        return outcome, notes
    outcome.original = data
    notes.extend(meaning_changes(outcome.result, target))
    for finding in outcome.result.findings:
        if finding.code in MIGRATION_CODES:
            line = finding.span.start.line + 1
            notes.append(f"line {line}: {finding.code} {finding.message} (not migrated automatically)")
    return outcome, notes


def run(args: argparse.Namespace) -> int:
    rules()
    if args.target_version:
        try:
            versions.supported(args.target_version)
        except ValueError as exc:
            raise UsageError(f"--target-version: {exc}") from None
    source = Input.file(args.file)
    if source.data is None:
        print(f"bklint: {args.file}: {source.error}", file=sys.stderr)
        return EXIT_FINDINGS
    if not decode_bytes(source.data).readable:
        print(f"bklint: {args.file}: not UTF-8 text; nothing to migrate", file=sys.stderr)
        return EXIT_FINDINGS
    settings = _settings(args.target_version)
    # A file that does not parse (or is JSON, or YAML that is not YAML) has nothing migrate can keep.
    unreadable = [f for f in source.lint(settings).findings if f.code in ("BK001", "BK603")]
    if unreadable:
        f = unreadable[0]
        where = f"{args.file}:{f.span.start.line + 1}:{f.span.start.column + 1}"
        print(f"bklint: {where}: {f.message}; nothing migrated", file=sys.stderr)
        return EXIT_FINDINGS
    if source.kind.name == "toml":
        outcome, notes = migrate_bytes(source.data, args.file, args.target_version)
    else:  # configs embedded in YAML: the same fixes, through the file's kind
        outcome = source.fix(settings, _accept)
        notes = [
            f"line {f.span.start.line + 1}: {f.code} {f.message} (not migrated automatically)"
            for f in outcome.result.findings
            if f.code in MIGRATION_CODES
        ]
    if outcome.error is not None:
        print(f"bklint: {args.file}: {outcome.error}", file=sys.stderr)
        return EXIT_FINDINGS
    for applied in outcome.applied:
        print(f"bklint: migrated: {applied}", file=sys.stderr)
    for dropped in outcome.dropped:
        print(f"bklint: {args.file}: {dropped}", file=sys.stderr)
    for note in notes:
        print(f"bklint: note: {note}", file=sys.stderr)
    if args.diff:
        text = outcome.diff(args.file)
        sys.stdout.write(text)
        return EXIT_FINDINGS if text else EXIT_OK
    if args.write:
        if outcome.changed:
            try:
                write_atomic(args.file, source.data, outcome.data)
            except (OSError, ConcurrentChange) as exc:
                print(f"bklint: {args.file}: not written: {exc}", file=sys.stderr)
                return EXIT_FINDINGS
        return EXIT_OK
    sys.stdout.buffer.write(outcome.data)
    sys.stdout.flush()
    return EXIT_OK
