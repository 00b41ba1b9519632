"""JSON output: an array of findings shaped like ruff's ``--output-format json``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import display_path, ordered, related, row_col
from bklint.linter.run import LintResult
from bklint.rules.base import Finding, Position, Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _loc(pos: Position) -> dict[str, int]:
    row, col = row_col(pos)
    return {"row": row, "column": col}


def finding_to_json(path: str, finding: Finding, places: list[tuple[str, Span, str]] | None = None) -> dict[str, Any]:
    """One finding; ``related`` (only when there is any) lists the places it refers to."""
    fix = None
    if finding.fix is not None and finding.fix.available:
        fix = {
            "message": finding.fix.message,
            "applicability": finding.fix.applicability,
            "edits": [
                {"content": e.content, "location": _loc(e.span.start), "end_location": _loc(e.span.end)}
                for e in finding.fix.edits
            ],
        }
    out: dict[str, Any] = {
        "filename": path,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "location": _loc(finding.span.start),
        "end_location": _loc(finding.span.end),
        "fix": fix,
        "url": finding.url,
    }
    if places:
        out["related"] = [
            {"filename": where, "location": _loc(span.start), "end_location": _loc(span.end), "message": note}
            for where, span, note in places
        ]
    return out


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    items = [finding_to_json(display_path(r), f, related(r, f)) for r, f in ordered(results)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
