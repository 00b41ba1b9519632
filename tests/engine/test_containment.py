"""One rule's bug stays that rule's: the others still report, and the failure is a BK902 finding.

Never a traceback, in the CLI or the server (issue 11: "a crash in the lint becomes an error
finding, not silence").
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from bklint.linter import run
from bklint.linter.cli import main
from bklint.linter.settings import Settings
from bklint.lsp.analysis import analyse
from bklint.rules.context import Context

TEXT = "debug = true\n[worker.oci]\nmax_parallelism = 4\n"


def _break(monkeypatch: pytest.MonkeyPatch, code: str, exc: Exception) -> None:
    [rule] = [r for r in run.rules() if type(r).code == code]

    def check(ctx: Context) -> Iterable[Any]:
        yield from ()
        raise exc

    monkeypatch.setattr(rule, "check", check)


def test_a_rule_that_raises_becomes_a_finding_and_the_others_still_report(monkeypatch: pytest.MonkeyPatch) -> None:
    _break(monkeypatch, "BK101", RecursionError("maximum recursion depth exceeded"))
    findings = run.lint_text(TEXT, "buildkitd.toml", Settings()).findings
    codes = [f.code for f in findings]
    assert "BK401" in codes and "BK101" not in codes
    [internal] = [f for f in findings if f.code == "BK902"]
    assert "BK101" in internal.message and "RecursionError" in internal.message


def test_a_parser_crash_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(text: str) -> Any:
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setattr(run, "parse", explode)
    findings = run.lint_text(TEXT, "buildkitd.toml", Settings()).findings
    assert [f.code for f in findings] == ["BK902"]
    assert "the parse" in findings[0].message


def test_cli_reports_the_internal_error_as_a_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(monkeypatch, "BK101", KeyError("worker"))
    (tmp_path / "buildkitd.toml").write_text(TEXT)
    assert main(["check", str(tmp_path / "buildkitd.toml"), "--output-format", "concise"]) == 1
    out, err = capsys.readouterr()
    assert "BK902" in out and "BK401" in out
    assert "Traceback" not in err


def test_cli_bug_outside_the_lint_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bklint.linter.commands import check

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise AttributeError("'NoneType' object has no attribute 'span'")

    monkeypatch.setattr(check, "run", explode)
    (tmp_path / "buildkitd.toml").write_text(TEXT)
    assert main(["check", str(tmp_path / "buildkitd.toml")]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err


def test_server_analysis_publishes_the_failure_with_the_other_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    _break(monkeypatch, "BK101", RuntimeError("boom"))
    a = analyse("file:///b/buildkitd.toml", "/b/buildkitd.toml", 1, 1, TEXT, Settings(), types.PositionEncodingKind.Utf16)
    assert {d.code for d in a.diagnostics} >= {"BK401", "BK902"}
    assert len(a.diagnostics) == len(a.findings)


def test_server_analysis_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from bklint.lsp import analysis

    class Exploding:
        def lint(self, *args: Any, **kwargs: Any) -> Any:
            raise MemoryError()

    monkeypatch.setattr(analysis, "kind_for", lambda path: Exploding())
    a = analyse("file:///b/buildkitd.toml", None, 1, 1, TEXT, Settings(), types.PositionEncodingKind.Utf16)
    assert [d.code for d in a.diagnostics] == ["BK902"]


def test_feature_handlers_answer_empty_instead_of_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from bklint.lsp import hover, navigation, server

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise IndexError("list index out of range")

    monkeypatch.setattr(hover, "hover_text", explode)
    monkeypatch.setattr(navigation, "document_symbols", explode)
    ls = server.create_server()
    features = ls.protocol.fm.features

    class FakeAnalysis:
        lines = type("L", (), {"from_client": staticmethod(lambda pos: pos)})()
        result = layout = None
        settings = Settings()

    async def analysis(uri: str) -> Any:
        return FakeAnalysis()

    monkeypatch.setattr(ls, "analysis", analysis)
    doc = types.TextDocumentIdentifier(uri="file:///b/buildkitd.toml")
    hover_params = types.HoverParams(text_document=doc, position=types.Position(0, 0))
    assert asyncio.run(features[types.TEXT_DOCUMENT_HOVER](hover_params)) is None
    symbols = types.DocumentSymbolParams(text_document=doc)
    assert asyncio.run(features[types.TEXT_DOCUMENT_DOCUMENT_SYMBOL](symbols)) is None
