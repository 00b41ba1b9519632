"""The server offers an edit only if the engine's judge (the one ``--fix`` uses) accepts it."""

from __future__ import annotations

from lsprotocol import types

from bklint.linter.settings import Settings
from bklint.lsp import actions
from bklint.lsp.analysis import analyse, diagnostic
from bklint.rules.base import Edit, Finding, Fix, Severity, Span

URI = "file:///ws/buildkitd.toml"
TEXT = "[worker.oci]\nenabled = true # keep this note\n"


def _with(fix: Fix) -> actions.Analysis:
    a = analyse(URI, "/ws/buildkitd.toml", 1, 0, TEXT, Settings(), "utf-16")
    finding = Finding("BK999", "synthetic", Severity.WARNING, "synthetic", Span.at(1, 0, 1, 7), fix=fix)
    a.findings.append(finding)
    a.diagnostics.append(diagnostic(finding, a.lines, URI))
    return a


def _titles(a: actions.Analysis) -> list[str]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=1)),
        context=types.CodeActionContext(diagnostics=[]),
    )
    return [action.title for action in actions.code_actions(a, params, True, None)]


def test_an_edit_that_breaks_the_file_is_not_offered() -> None:
    a = _with(Fix("break it", (Edit(Span.at(1, 0, 1, 7), "enabled = true\nenabled"),)))
    assert _titles(a) == ["Disable BK999 for this line"]
    assert "it would introduce BK001" in a.verdicts.values()


def test_an_edit_that_deletes_a_comment_is_not_offered() -> None:
    a = _with(Fix("drop the note", (Edit(Span.at(1, 15, 1, 31), ""),)))
    assert _titles(a) == ["Disable BK999 for this line"]


def test_a_sound_edit_is_offered_once_judged_and_then_remembered() -> None:
    a = _with(Fix("rename", (Edit(Span.at(1, 0, 1, 7), "enabled"),)))
    assert _titles(a) == ["bklint (BK999): rename", "Disable BK999 for this line"]
    judged = dict(a.verdicts)
    assert _titles(a) == ["bklint (BK999): rename", "Disable BK999 for this line"]
    assert a.verdicts == judged
