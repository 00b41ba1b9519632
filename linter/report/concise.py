"""`path:row:col: CODE message`, one line a finding (for grep and editors' quickfix)."""

from __future__ import annotations

from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import applicable, display_path, ordered, row_col, summary
from bklint.linter.run import LintResult


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    lines = []
    for result, finding in ordered(results):
        row, col = row_col(finding.span.start)
        fixable = " [*]" if applicable(finding, options.unsafe_fixes) else ""
        lines.append(f"{display_path(result)}:{row}:{col}: {finding.code}{fixable} {finding.message}")
    closing = summary(results, sum(len(fixes) for _, fixes in options.fixed), options.unsafe_fixes)
    if closing and not options.quiet:
        lines.append(closing)
    return "\n".join(lines) + ("\n" if lines else "")
