"""The default terminal output: each finding with a code frame and the suggested fix.

The output is proportional to the findings, not to the file: a frame shows a window of at
most ``MAX_LINE`` characters around the first span on its line, and findings on one line
share one frame (a minified file with 5,000 findings on one 88 KB line prints 5,000 headers
and one frame, not 5,000 copies of the line). Control characters from the file are shown
as ``�`` so a hostile config cannot drive the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import Style, applicable, display_path, ordered, related, row_col, summary
from bklint.linter.run import LintResult
from bklint.rules.base import Finding, Severity

CONTEXT_LINES = 1
MAX_LINE = 160
# Characters of the window kept before the first span on the line.
LEAD = 40
# Findings marked in one frame; the rest of the line's findings are counted instead.
MAX_MARKERS = 12

# Shown in place of C0/C1 controls and DEL (escape sequences in a config must not reach the terminal).
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS[ord("\t")] = " "


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    style = Style(options.color)
    out: list[str] = []
    total = 0
    current: LintResult | None = None
    source: list[str] = []
    for result, group in _by_line(results):
        if result is not current:  # split each file once, however many findings it has
            current, source = result, result.text.split("\n")
        total += len(group)
        out.append(_group(result, source, group, style, options.unsafe_fixes))
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


def _by_line(results: Sequence[LintResult]) -> Iterator[tuple[LintResult, list[Finding]]]:
    """Consecutive findings of one file that start on the same line, in report order."""
    group: list[Finding] = []
    current: LintResult | None = None
    for result, finding in ordered(results):
        if group and (result is not current or finding.span.start.line != group[0].span.start.line):
            assert current is not None
            yield current, group
            group = []
        current = result
        group.append(finding)
    if group and current is not None:
        yield current, group


def _clean(text: str) -> str:
    return text if text.isprintable() else text.translate(_CONTROLS)


def _group(result: LintResult, source: list[str], group: list[Finding], style: Style, unsafe_fixes: bool) -> str:
    """Each finding's header, one frame for their line, then their fixes and notes."""
    lines = [_head(result, finding, style, applicable(finding, unsafe_fixes)) for finding in group]
    lines.extend(_frame(source, group, style))
    for finding in group:
        lines.extend(_notes(result, finding, style, len(group) > 1))
    lines.append("")
    return "\n".join(lines)


def _head(result: LintResult, finding: Finding, style: Style, can_fix: bool) -> str:
    row, col = row_col(finding.span.start)
    return (
        f"{style.bold(display_path(result))}{style.cyan(':')}{row}{style.cyan(':')}{col}{style.cyan(':')} "
        f"{style.severity(finding.severity, finding.code)}"
        f"{' [*]' if can_fix else ''} {style.dim(f'[{finding.severity.label}]')} {_clean(finding.message)}"
    )


def _notes(result: LintResult, finding: Finding, style: Style, shared: bool) -> list[str]:
    """The fix and the related notes; on a shared frame, each says which finding it is for."""
    which = ""
    if shared:
        row, col = row_col(finding.span.start)
        which = f" ({finding.code} at {row}:{col})"
    lines = []
    if finding.fix is not None and finding.fix.available:
        tag = "fix" if finding.fix.applicability == "safe" else "unsafe fix"
        lines.append(f"  {style.cyan('=')} {tag}{which}: {_clean(finding.fix.message)}")
    for path, span, note in related(result, finding):
        r, c = row_col(span.start)
        lines.append(f"  {style.cyan('=')} note{which}: {_clean(note)} ({path}:{r}:{c})")
    return lines


def _frame(source: list[str], group: list[Finding], style: Style) -> list[str]:
    start_line = group[0].span.start.line
    if source == [""] or not 0 <= start_line < len(source):
        return []
    first = max(0, start_line - CONTEXT_LINES)
    last = min(len(source) - 1, max(start_line, min(max(f.span.end.line for f in group), start_line + 3)))
    lead = group[0].span.start.column
    w0 = 0 if lead < MAX_LINE - LEAD else lead - LEAD
    w1 = w0 + MAX_LINE
    width = len(str(last + 1))
    gutter = style.cyan(" " * width + " |")
    drawn: set[int] = set()
    out = [gutter]
    for n in range(first, last + 1):
        raw = source[n].rstrip("\r")
        prefix = "…" if w0 > 0 and raw else ""
        suffix = "…" if len(raw) > w1 else ""
        out.append(f"{style.cyan(str(n + 1).rjust(width) + ' |')} {prefix}{_clean(raw[w0:w1])}{suffix}")
        for i, finding in enumerate(group):
            start, end = finding.span.start, finding.span.end
            if not start.line <= n <= end.line or (len(drawn) >= MAX_MARKERS and i not in drawn):
                continue
            a = min(start.column, len(raw)) if n == start.line else 0
            b = max(end.column if n == end.line else len(raw), a + 1)
            if a >= w1 or b <= w0:
                continue  # outside the window
            a, b = max(a, w0) - w0, min(b, w1) - w0
            marker = " " * (a + len(prefix)) + "^" * max(1, b - a)
            label = finding.code if n == end.line or n == last else ""
            color = finding.severity if finding.severity != Severity.HINT else Severity.INFO
            out.append(f"{gutter} {style.severity(color, marker)} {style.severity(color, label)}".rstrip())
            drawn.add(i)
    hidden = len(group) - len(drawn)
    if hidden > 0:
        out.append(f"{gutter} {style.dim(f'… and {hidden} more on this line')}")
    out.append(gutter)
    return out
