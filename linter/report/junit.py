"""JUnit XML, for the test-report views of CI systems (GitLab, Jenkins, Azure, CircleCI).

One ``<testsuite>`` per checked file and one ``<testcase>`` per finding, failed with the
finding's message; a file without findings is one passing test case, so a clean run still
shows what was checked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from bklint.linter.report import ReportOptions
from bklint.linter.report.common import display_path, row_col
from bklint.linter.run import LintResult


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    total = sum(max(1, len(r.findings)) for r in results)
    failures = sum(len(r.findings) for r in results)
    suites = ET.Element("testsuites", name="bklint", tests=str(total), failures=str(failures), errors="0")
    for result in results:
        path = display_path(result)
        findings = sorted(result.findings, key=lambda f: f.sort_key)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(max(1, len(findings))),
            failures=str(len(findings)),
            errors="0",
            skipped="0",
        )
        if not findings:
            ET.SubElement(suite, "testcase", name="bklint", classname=path)
        for finding in findings:
            row, col = row_col(finding.span.start)
            case = ET.SubElement(suite, "testcase", name=f"{finding.code} {finding.name} ({row}:{col})", classname=path)
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
            failure.text = f"{path}:{row}:{col}: [{finding.severity.label}] {finding.message}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
