"""One linted version of one document: the engine's result plus what the features need.

Built on the lint worker thread and cached per (document version, settings generation);
every request on that version (code actions, hover, links, symbols, pull diagnostics)
reads it instead of linting again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lsprotocol import types

from bklint.linter.incremental import ParseCache
from bklint.linter.inputs import kind_for
from bklint.linter.run import LintResult
from bklint.linter.settings import Settings
from bklint.lsp.positions import Lines
from bklint.lsp.textscan import Layout, layout
from bklint.rules.base import Edit, Finding, Severity
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
    """Lint ``text`` (on the single worker thread, which alone touches ``cache``) into diagnostics."""
    result = kind_for(path).lint(SourceText(text), path, settings, cache)
    lines = Lines(text, encoding)
    out = Analysis(uri, path, version, generation, text, settings, result, lines)
    out.findings = list(result.findings)
    out.diagnostics = [diagnostic(f, lines, uri) for f in out.findings]
    return out


def diagnostic(finding: Finding, lines: Lines, uri: str) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=lines.range(span)), message=message
        )
        for span, message in finding.related
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

