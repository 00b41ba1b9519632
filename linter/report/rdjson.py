"""reviewdog's Diagnostic Format (rdjson), for `reviewdog -f=rdjson` review comments.

Lines and columns are 1-based and columns count UTF-8 bytes, as rdjson defines them;
fixes become ``suggestions`` reviewdog can post as suggested changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import applicable, ordered
from bklint.linter.report.sarif import relative_path
from bklint.linter.run import LintResult
from bklint.rules.base import Position, Severity, Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO", Severity.HINT: "INFO"}


def _position(lines: list[str], pos: Position) -> dict[str, int]:
    text = lines[pos.line] if pos.line < len(lines) else ""
    return {"line": pos.line + 1, "column": len(text[: pos.column].encode("utf-8")) + 1}


def _range(lines: list[str], span: Span) -> dict[str, Any]:
    return {"start": _position(lines, span.start), "end": _position(lines, span.end)}


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    diagnostics: list[dict[str, Any]] = []
    for result, finding in ordered(results):
        path = result.path or "-"
        lines = result.text.split("\n")
        item: dict[str, Any] = {
            "message": finding.message,
            "location": {"path": relative_path(path) or path, "range": _range(lines, finding.span)},
            "severity": SEVERITIES[finding.severity],
            "code": {"value": finding.code, **({"url": finding.url} if finding.url else {})},
        }
        if finding.fix is not None and applicable(finding, options.unsafe_fixes):
            item["suggestions"] = [{"range": _range(lines, e.span), "text": e.content} for e in finding.fix.edits]
        diagnostics.append(item)
    report = {"source": {"name": "bklint", "url": "https://github.com/bklint/bklint"}, "diagnostics": diagnostics}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
