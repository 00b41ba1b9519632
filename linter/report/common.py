"""Helpers every reporter shares: 1-based rows and columns, sorting, colour."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bklint.linter.run import LintResult
from bklint.rules.base import Finding, Position, Severity, Span


def row_col(pos: Position) -> tuple[int, int]:
    """1-based row and column (columns count characters, as ruff's output does)."""
    return pos.line + 1, pos.column + 1


def applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    """Whether `--fix` (with or without --unsafe-fixes) would apply this finding's fix."""
    fix = finding.fix
    return fix is not None and (fix.applicability == "safe" or unsafe_fixes) and fix.available


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(results: Sequence[LintResult], fixed: int, unsafe_fixes: bool) -> str:
    """The closing line of the text formats, ruff's way: counts, what --fix did or would do, hidden fixes."""
    findings = [f for r in results for f in r.findings]
    fixable = sum(applicable(f, unsafe_fixes) for f in findings)
    hidden = 0 if unsafe_fixes else sum(applicable(f, True) and not applicable(f, False) for f in findings)
    if not findings and not fixed:
        return f"All checks passed ({_plural(len(results), 'file')})." if results else ""
    notes = []
    if fixed:
        notes.append(f"{fixed} fixed, {len(findings)} remaining")
    if fixable:
        notes.append(f"{fixable} fixable with `bklint check --fix{' --unsafe-fixes' if unsafe_fixes else ''}`")
    if hidden:
        notes.append(f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with `--unsafe-fixes`")
    head = f"Found {_plural(len(findings) + fixed, 'problem')}"
    return head + (f" ({'; '.join(notes)})" if notes else "") + "."


def display_path(result: LintResult) -> str:
    return result.path or "-"


def related(result: LintResult, finding: Finding) -> list[tuple[str, Span, str]]:
    """The places a finding refers to, as (path, span, note): in its own file, then elsewhere."""
    here = display_path(result)
    return [(here, span, note) for span, note in finding.related] + list(finding.elsewhere)


def ordered(results: Sequence[LintResult]) -> Iterator[tuple[LintResult, Finding]]:
    for result in results:
        for finding in sorted(result.findings, key=lambda f: f.sort_key):
            yield result, finding


# Each severity's colour (asked for every header and marker of the report).
_SEVERITY_COLORS = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;34", Severity.HINT: "1;36"}


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def severity(self, severity: Severity, text: str) -> str:
        return self._wrap(_SEVERITY_COLORS[severity], text)
