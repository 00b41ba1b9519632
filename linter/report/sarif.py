"""SARIF 2.1.0 output, for GitHub code scanning and other static-analysis dashboards.

Columns are code points (``columnKind: unicodeCodePoints`` on the run), as bklint counts
them everywhere else; SARIF's UTF-16 default would shift columns after any non-BMP
character. Paths under the working directory are written relative to ``%SRCROOT%`` so a
report uploaded from CI points at files in the repository, not at the runner's disk.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from bklint.linter import __version__
from bklint.linter.report import ReportOptions
from bklint.linter.report.common import ordered
from bklint.linter.run import LintResult, rules
from bklint.rules.base import Finding, Rule, Severity, Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/bklint/bklint"
SRCROOT = "%SRCROOT%"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def relative_path(path: str, cwd: str | None = None) -> str | None:
    """``path`` relative to ``cwd`` with ``/`` separators, or None when it lies outside it."""
    base = os.path.abspath(cwd or os.getcwd())
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def artifact_location(path: str | None) -> dict[str, Any]:
    if path is None or path == "-":
        return {"uri": "stdin"}
    rel = relative_path(path)
    if rel is not None:
        return {"uri": quote(rel), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def region(span: Span) -> dict[str, int]:
    """1-based, end column exclusive (SARIF's "column following the region")."""
    return {
        "startLine": span.start.line + 1,
        "startColumn": span.start.column + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.column + 1,
    }


def _docs(rule: type[Rule]) -> str:
    # cleandoc, not dedent: a docstring's first line carries no indentation.
    return inspect.cleandoc(rule.__doc__ or "") or rule.summary


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    docs = _docs(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": docs},
        "help": {"text": docs, "markdown": docs},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fixable": rule.fixable},
    }


def _fix(path: str | None, finding: Finding) -> dict[str, Any] | None:
    fix = finding.fix
    if fix is None or not fix.available:
        return None
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(path),
                "replacements": [
                    {"deletedRegion": region(edit.span), "insertedContent": {"text": edit.content}}
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"applicability": fix.applicability},
    }


def result_object(path: str | None, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in index:
        out["ruleIndex"] = index[finding.code]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": finding.message}
    out["locations"] = [
        {"physicalLocation": {"artifactLocation": artifact_location(path), "region": region(finding.span)}}
    ]
    places = [(path, span, note) for span, note in finding.related] + list(finding.elsewhere)
    if places:
        out["relatedLocations"] = [
            {
                "id": n,
                "physicalLocation": {"artifactLocation": artifact_location(where), "region": region(span)},
                "message": {"text": note},
            }
            for n, (where, span, note) in enumerate(places)
        ]
    fix = _fix(path, finding)
    if fix is not None:
        out["fixes"] = [fix]
    return out


def build(results: Sequence[LintResult]) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (tests inspect it without re-parsing)."""
    catalog = sorted((type(r) for r in rules()), key=lambda r: r.code)
    index = {r.code: n for n, r in enumerate(catalog)}
    cwd = os.getcwd()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "bklint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in catalog],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": Path(cwd).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [result_object(result.path, finding, index) for result, finding in ordered(results)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(results: Sequence[LintResult], options: ReportOptions) -> str:
    return json.dumps(build(results), indent=2, ensure_ascii=False) + "\n"
