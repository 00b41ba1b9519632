"""GitLab Code Quality JSON (the `codequality` report artifact of a merge request).

Each finding is ``{description, check_name, fingerprint, severity, location: {path,
lines: {begin, end}}}``. GitLab compares reports across pipelines by fingerprint, so the
fingerprint hashes what identifies a finding independently of unrelated edits — the
file, the code, the message and the text of its line — plus its rank among otherwise
identical findings: stable from run to run, distinct per finding.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import ordered
from bklint.linter.report.sarif import relative_path
from bklint.linter.run import LintResult
from bklint.rules.base import Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# GitLab's levels: info, minor, major, critical, blocker.
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info", Severity.HINT: "info"}


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    items: list[dict[str, Any]] = []
    seen: Counter[tuple[str, ...]] = Counter()
    for result, finding in ordered(results):
        path = result.path or "-"
        shown = relative_path(path) or path
        lines = result.text.split("\n")
        start, end = finding.span.start.line, finding.span.end.line
        line_text = lines[start].strip() if start < len(lines) else ""
        identity = (shown, finding.code, finding.message, line_text)
        seen[identity] += 1
        digest = hashlib.sha256("\0".join((*identity, str(seen[identity]))).encode("utf-8")).hexdigest()
        items.append(
            {
                "description": f"{finding.code} {finding.message}",
                "check_name": f"{finding.code} {finding.name}",
                "fingerprint": digest,
                "severity": SEVERITIES[finding.severity],
                "location": {"path": shown, "lines": {"begin": start + 1, "end": max(start, end) + 1}},
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
