"""One linted version of one document: the engine's result plus what the features need.

Built on the lint worker thread and cached per (document version, settings generation);
every request on that version (code actions, hover, links, symbols, pull diagnostics)
reads it instead of linting again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from bklint.linter.incremental import ParseCache
from bklint.linter.inputs import kind_for
from bklint.linter.run import LintResult
from bklint.linter.settings import Settings
from bklint.lsp.positions import Lines
from bklint.lsp.textscan import Layout, layout
from bklint.rules.base import Edit, Finding, Severity, Span
from bklint.rules.catalog.meta import InternalError
from bklint.rules.context import SourceText

SOURCE = "bklint"
_TAGS = {"BK901": [types.DiagnosticTag.Unnecessary]}


@dataclass(slots=True, eq=False)
class Analysis:
    uri: str
    path: str | None
    version: int | None
    generation: int
    text: str
    settings: Settings
    result: LintResult
    lines: Lines
    diagnostics: list[types.Diagnostic] = field(default_factory=list)
    # diagnostics[i] was made from findings[i]
    findings: list[Finding] = field(default_factory=list)
    _layout: Layout | None = None
    # Why an edit offered on this version would break the file (None: it would not), by edits.
    verdicts: dict[tuple[Edit, ...], str | None] = field(default_factory=dict)

    @property
    def result_id(self) -> str:
        return f"{self.generation}:{self.version}:{hash(self.text) & 0xFFFFFFFF:x}"

    def relint(self, text: str) -> LintResult:
        """Lint ``text`` as this document is linted (same kind, path and settings)."""
        return kind_for(self.path).lint(SourceText(text), self.path, self.settings)

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = layout(self.text)
        return self._layout


def analyse(
    uri: str,
    path: str | None,
    version: int | None,
    generation: int,
    text: str,
    settings: Settings,
    encoding: str,
    cache: ParseCache | None = None,
) -> Analysis:
    """Lint ``text`` (on the single worker thread, which alone touches ``cache``) into diagnostics.

    Never raises: a failure becomes a BK902 diagnostic, so the editor shows that the lint
    failed (and every finding that did come out) instead of keeping stale diagnostics.
    """
    try:
        result = kind_for(path).lint(SourceText(text), path, settings, cache)
    except Exception as exc:
        result = LintResult(path, SourceText(text), [InternalError.of("the lint", exc)])
    lines = Lines(text, encoding)
    out = Analysis(uri, path, version, generation, text, settings, result, lines)
    for finding in result.findings:
        try:
            made = diagnostic(finding, lines, uri)
        except Exception as exc:
            finding = InternalError.of(f"the diagnostic for {finding.code}", exc)
            made = diagnostic(finding, lines, uri)
        out.findings.append(finding)
        out.diagnostics.append(made)
    return out


def failure_report(exc: Exception) -> types.RelatedFullDocumentDiagnosticReport:
    """The pull-diagnostics answer when serving the request itself failed: say so."""
    return types.RelatedFullDocumentDiagnosticReport(
        items=[diagnostic(InternalError.of("the diagnostics request", exc), Lines(""), "")]
    )


def _plain_range(span: Span) -> types.Range:
    return types.Range(
        types.Position(span.start.line, span.start.column), types.Position(span.end.line, span.end.column)
    )


def diagnostic(finding: Finding, lines: Lines, uri: str) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=lines.range(span)), message=message
        )
        for span, message in finding.related
    ] + [
        # Another file's text is not at hand: its columns are taken as they are (exact for ASCII).
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=Path(os.path.abspath(path)).as_uri(), range=_plain_range(span)),
            message=message,
        )
        for path, span, message in finding.elsewhere
    ]
    return types.Diagnostic(
        range=lines.range(finding.span),
        message=finding.message,
        severity=types.DiagnosticSeverity(int(Severity(finding.severity))),
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url) if finding.url else None,
        source=SOURCE,
        related_information=related or None,
        tags=_TAGS.get(finding.code),
        data={"name": finding.name, "fixable": finding.fix is not None},
    )

