"""What the browser playground (``editors/web``) asks the engine: findings, fixes, hover, rule docs.

The page runs this module in Pyodide inside a Web Worker, on text it holds in memory. Each
call goes through the path the CLI and the language server use — an in-memory
``linter.inputs.Input`` for findings (the one finding filter) and fixes (``linter.fix``), the
hover text of ``lsp.hover``, the docs of ``bklint rule`` — and answers in JSON. Columns cross as UTF-16 code units, which is what the browser's strings count.

A browser cannot read the files a config names, so rules that need them
(``Rule.reads_files``) are switched off and listed, for the page to say so.
"""

from __future__ import annotations

import json
from typing import Any

from bklint.linter import __version__
from bklint.linter.fix import FixFilter, default_filter
from bklint.linter.inputs import Input
from bklint.linter.run import LintResult, rules
from bklint.linter.settings import Settings
from bklint.lsp.hover import hover_text
from bklint.rules.base import Finding, Position, Span
from bklint.rules.context import RuleSettings
from bklint.rules.document import column_from_utf16, from_utf8, utf8, utf16_column
from bklint.rules.schema.versions import known_versions

# The name findings are reported under; nothing is read from or written to it.
DOCUMENT = "buildkitd.toml"

_last: tuple[tuple[str, str, str], LintResult] | None = None


def _file_rules() -> list[str]:
    return [type(r).code for r in rules() if type(r).reads_files]


def settings(target_version: str = "", buildkitd_flags: str = "") -> Settings:
    """Default settings less the rules that read files, with the page's two options."""
    return Settings(
        ignore=_file_rules(),
        rules=RuleSettings(target_version=target_version or None, buildkitd_flags=buildkitd_flags or None),
    )


def _lint(text: str, target_version: str, buildkitd_flags: str) -> LintResult:
    """Lint, remembering the last result so a hover on the same text does not lint again."""
    global _last
    key = (text, target_version, buildkitd_flags)
    if _last is not None and _last[0] == key:
        return _last[1]
    result = _input(text).lint(settings(target_version, buildkitd_flags))
    _last = (key, result)
    return result


def _input(text: str) -> Input:
    return Input.memory(utf8(text), DOCUMENT)


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r") for line in text.split("\n")]

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def point(self, pos: Position) -> dict[str, int]:
        return {"line": pos.line, "column": utf16_column(self.line(pos.line), pos.column)}

    def span(self, span: Span) -> dict[str, dict[str, int]]:
        return {"start": self.point(span.start), "end": self.point(span.end)}


def _finding(f: Finding, lines: _Lines) -> dict[str, Any]:
    fix = f.fix if f.fix is not None and f.fix.available else None
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.label,
        "message": f.message,
        "span": lines.span(f.span),
        "fix": None if fix is None else {"message": fix.message, "applicability": fix.applicability},
    }


def lint(text: str, target_version: str = "", buildkitd_flags: str = "") -> str:
    """``{"findings": [...]}`` in the order ``bklint check`` reports them."""
    result = _lint(text, target_version, buildkitd_flags)
    lines = _Lines(text)
    return json.dumps({"findings": [_finding(f, lines) for f in result.findings]})


def fix(text: str, target_version: str = "", buildkitd_flags: str = "", index: int = -1) -> str:
    """Apply finding ``index``'s fix (any applicability: the user picked it), or every safe fix.

    ``{"text", "applied", "error"}``, like ``bklint check --fix``: a fix that would break the
    file is refused and the text comes back unchanged with the reason.
    """
    accept = default_filter(unsafe=False)
    if index >= 0:
        findings = _lint(text, target_version, buildkitd_flags).findings
        if index >= len(findings):
            return json.dumps({"text": text, "applied": [], "error": "that finding is gone; try again"})
        accept = _only(findings[index])
    outcome = _input(text).fix(settings(target_version, buildkitd_flags), accept)
    new = from_utf8(outcome.data)
    return json.dumps({"text": new, "applied": outcome.applied, "error": outcome.error})


def _only(chosen: Finding) -> FixFilter:
    key = (chosen.code, chosen.span, chosen.message)
    return lambda f: f.fix is not None and (f.code, f.span, f.message) == key


def hover(text: str, line: int, column: int, target_version: str = "", buildkitd_flags: str = "") -> str:
    """``{"markdown", "span"}`` for the UTF-16 position, or ``null``: the language server's hover."""
    lines = _Lines(text)
    pos = Position(line, column_from_utf16(lines.line(line), column))
    found = hover_text(_lint(text, target_version, buildkitd_flags), pos, None)
    if found is None:
        return "null"
    return json.dumps({"markdown": found.markdown, "span": lines.span(found.span)})


def rule_doc(code: str) -> str:
    """A rule's documentation in Markdown, as ``bklint rule CODE`` prints it ("" if unknown)."""
    from bklint.rules.base import rule_named

    rules()
    rule = rule_named(code)
    return rule.page() if rule is not None else ""


def about() -> str:
    """What the page shows around the editor: the version, the releases to pick, the rules it skips."""
    by_code = {type(r).code: type(r) for r in rules()}
    return json.dumps(
        {
            "version": __version__,
            "versions": [v.minor_name for v in reversed(known_versions())],
            "skipped": [{"code": c, "summary": by_code[c].summary} for c in _file_rules()],
        }
    )
