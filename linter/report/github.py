"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message``. GitHub takes
columns only when the annotation starts and ends on one line, and reads ``endColumn`` as
the last annotated column, so multi-line findings carry lines only.
"""

from __future__ import annotations

from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import ordered
from bklint.linter.report.sarif import relative_path
from bklint.linter.run import LintResult
from bklint.rules.base import Finding, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def escape_data(text: str) -> str:
    """The message part: GitHub decodes %25, %0D and %0A there."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Property values additionally need ``:`` and ``,`` escaped (they delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(path: str | None, finding: Finding) -> str:
    start, end = finding.span.start, finding.span.end
    end_line = end.line - 1 if end.line > start.line and end.column == 0 else end.line
    props: list[tuple[str, str]] = []
    if path is not None and path != "-":
        rel = relative_path(path)
        props.append(("file", rel if rel is not None else path))
    props.append(("line", str(start.line + 1)))
    if end.line == start.line:
        props.append(("col", str(start.column + 1)))
        props.append(("endLine", str(end.line + 1)))
        props.append(("endColumn", str(max(start.column + 1, end.column))))
    else:
        props.append(("endLine", str(max(start.line, end_line) + 1)))
    props.append(("title", f"bklint ({finding.code})"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[finding.severity]} {head}::{escape_data(f'{finding.message} [{finding.name}]')}"


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    lines = [annotation(result.path, finding) for result, finding in ordered(results)]
    return "\n".join(lines) + ("\n" if lines else "")
