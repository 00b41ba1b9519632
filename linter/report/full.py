"""The default terminal output: each finding with a code frame and the suggested fix."""

from __future__ import annotations

from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import Style, applicable, display_path, ordered, row_col, summary
from bklint.linter.run import LintResult
from bklint.rules.base import Finding, Severity

CONTEXT_LINES = 1
MAX_LINE = 160


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    style = Style(options.color)
    out: list[str] = []
    total = 0
    for result, finding in ordered(results):
        total += 1
        out.append(_one(result, finding, style, applicable(finding, options.unsafe_fixes)))
    if options.show_fixes and options.fixed:
        out.append(style.bold("Fixed:"))
        for path, lines in options.fixed:
            for line in lines:
                out.append(f"  {path}: {line}")
        out.append("")
    closing = summary(results, sum(len(lines) for _, lines in options.fixed), options.unsafe_fixes)
    if closing and not options.quiet:
        out.append(style.bold(closing) if total else closing)
    return "\n".join(out) + "\n" if out else ""


def _one(result: LintResult, finding: Finding, style: Style, can_fix: bool) -> str:
    row, col = row_col(finding.span.start)
    head = (
        f"{style.bold(display_path(result))}{style.cyan(':')}{row}{style.cyan(':')}{col}{style.cyan(':')} "
        f"{style.severity(finding.severity, finding.code)}"
        f"{' [*]' if can_fix else ''} {style.dim(f'[{finding.severity.label}]')} {finding.message}"
    )
    lines = [head]
    frame = _frame(result, finding, style)
    if frame:
        lines.extend(frame)
    if finding.fix is not None and finding.fix.available:
        tag = "fix" if finding.fix.applicability == "safe" else "unsafe fix"
        lines.append(f"  {style.cyan('=')} {tag}: {finding.fix.message}")
    for span, note in finding.related:
        r, c = row_col(span.start)
        lines.append(f"  {style.cyan('=')} note: {note} ({display_path(result)}:{r}:{c})")
    lines.append("")
    return "\n".join(lines)


def _frame(result: LintResult, finding: Finding, style: Style) -> list[str]:
    text = result.text
    if not text:
        return []
    all_lines = text.split("\n")
    start, end = finding.span.start, finding.span.end
    if start.line >= len(all_lines):
        return []
    first = max(0, start.line - CONTEXT_LINES)
    last = min(len(all_lines) - 1, max(start.line, min(end.line, start.line + 3)))
    width = len(str(last + 1))
    gutter = style.cyan(" " * width + " |")
    out = [gutter]
    for n in range(first, last + 1):
        line = all_lines[n].rstrip("\r").replace("\t", " ")
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE] + "…"
        out.append(f"{style.cyan(str(n + 1).rjust(width) + ' |')} {line}")
        if start.line <= n <= end.line:
            a = start.column if n == start.line else 0
            b = end.column if n == end.line else len(line)
            a = min(a, len(line))
            b = max(a + 1, min(b, len(line) if n != start.line or b <= len(line) else b))
            marker = " " * a + "^" * max(1, b - a)
            label = finding.code if n == end.line or n == last else ""
            color = finding.severity if finding.severity != Severity.HINT else Severity.INFO
            out.append(f"{gutter} {style.severity(color, marker)} {style.severity(color, label)}".rstrip())
    out.append(gutter)
    return out
