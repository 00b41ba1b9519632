"""One linted version of one document: the engine's result plus what the features need.

Built on the lint worker thread and cached per (document version, settings generation);
every request on that version (code actions, hover, links, symbols, pull diagnostics)
reads it instead of linting again.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import converters, types

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
    # diagnostics[i] was made from findings[i]; wire[i] is diagnostics[i] as JSON text.
    findings: list[Finding] = field(default_factory=list)
    wire: list[str] = field(default_factory=list)
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


_Made = tuple[types.Diagnostic, str]


@dataclass(slots=True)
class Converted:
    """The diagnostics of a document's last version, by what they were made from.

    A keystroke changes a few findings of hundreds: the others are taken from here as they
    were sent last time, LSP object and JSON alike, instead of being converted again. A
    diagnostic's range depends only on its span and the text of the lines it names, so those
    lines are part of the key, and its lines are counted from its first: a diagnostic below
    a line the keystroke inserted or removed is the one sent last time, moved (its range
    written again, the rest of its JSON kept). A text with bare ``\r`` (LSP numbers its
    lines differently) is always converted afresh.
    """

    made: dict[tuple[Any, ...], _Made] = field(default_factory=dict)
    encoding: str = ""


def analyse(
    uri: str,
    path: str | None,
    version: int | None,
    generation: int,
    text: str,
    settings: Settings,
    encoding: str,
    cache: ParseCache | None = None,
    converted: Converted | None = None,
) -> Analysis:
    """Lint ``text`` (on the single worker thread, which alone touches ``cache`` and
    ``converted``) into diagnostics.

    Never raises: a failure becomes a BK902 diagnostic, so the editor shows that the lint
    failed (and every finding that did come out) instead of keeping stale diagnostics.
    """
    try:
        result = kind_for(path).lint(SourceText(text), path, settings, cache)
    except Exception as exc:
        result = LintResult(path, SourceText(text), [InternalError.of("the lint", exc)])
    doc = result.doc
    lines = Lines(text, encoding, doc.line_starts if doc is not None and doc.text is text else None)
    out = Analysis(uri, path, version, generation, text, settings, result, lines)
    reuse = converted is not None and converted.encoding == encoding and lines.client_starts is lines.starts
    previous = converted.made if converted is not None and reuse else {}
    kept: dict[tuple[Any, ...], _Made] = {}
    for finding in result.findings:
        key = _key(finding, lines, uri) if reuse else None
        made = previous.get(key) if key is not None else None
        if made is not None and made[0].range.start.line != finding.span.start.line:
            made = _moved(made, finding.span.start.line - made[0].range.start.line)
        if made is None:
            try:
                diag = diagnostic(finding, lines, uri)
            except Exception as exc:
                finding = InternalError.of(f"the diagnostic for {finding.code}", exc)
                diag = diagnostic(finding, lines, uri)
            made = (diag, json.dumps(_CONVERTER.unstructure(diag, types.Diagnostic), separators=(",", ":")))
        if key is not None:
            kept[key] = made
        out.findings.append(finding)
        out.diagnostics.append(made[0])
        out.wire.append(made[1])
    if converted is not None:
        converted.made = kept
        converted.encoding = encoding
    return out


_CONVERTER = converters.get_converter()


def _key(finding: Finding, lines: Lines, uri: str) -> tuple[Any, ...]:
    """Everything ``diagnostic`` reads but where its first line is: the finding's fields, its
    spans counted from that line, and the text of the lines they are on. A diagnostic of the
    previous version under the same key is this one, moved by whole lines (``_moved``)."""
    spans = [finding.span, *(span for span, _ in finding.related)]
    count = len(lines.starts)
    texts = tuple(lines.line(n) if n < count else None for span in spans for n in (span.start.line, span.end.line))
    base = finding.span.start.line
    return (
        finding.code,
        finding.name,
        int(finding.severity),
        finding.message,
        finding.url,
        finding.fix is not None,
        tuple((s.line - base, s.column, e.line - base, e.column) for s, e in spans),
        tuple(note for _, note in finding.related),
        finding.elsewhere,
        uri,
        texts,
    )


def _moved(made: _Made, lines: int) -> _Made | None:
    """A converted diagnostic ``lines`` lines further down: its range moved, its JSON text
    with the range written again (the rest of the text is unchanged). None when it points
    elsewhere in the document too (converted afresh)."""
    diag, wire = made
    if diag.related_information:
        return None
    start, end = diag.range.start, diag.range.end
    old = _range_json(start.line, start.character, end.line, end.character)
    if not wire.startswith(old):
        return None
    moved = types.Range(
        types.Position(start.line + lines, start.character), types.Position(end.line + lines, end.character)
    )
    new = _range_json(start.line + lines, start.character, end.line + lines, end.character)
    copied = copy.copy(diag)
    copied.range = moved
    return copied, new + wire[len(old) :]


def _range_json(line: int, character: int, end_line: int, end_character: int) -> str:
    """The start of a diagnostic's JSON text up to its range, as the converter writes it."""
    return (
        f'{{"range":{{"start":{{"line":{line},"character":{character}}},'
        f'"end":{{"line":{end_line},"character":{end_character}}}}}'
    )


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

