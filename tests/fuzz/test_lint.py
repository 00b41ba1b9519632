"""The lint over mutants of every config the tests hold: no exception, bounded time, bounded output.

Hypothesis draws structure-aware mutants (tests/fuzz/strategies.py). In CI it runs a fixed
seed and a small budget; ``BKLINT_FUZZ=long`` runs a hundred times more with a fresh seed.
"""

from __future__ import annotations

import functools

from hypothesis import given

from bklint.linter.report import FORMATS, ReportOptions, render
from bklint.linter.run import lint_bytes, lint_text
from bklint.linter.settings import Settings
from tests.fuzz.limits import bounded
from tests.fuzz.strategies import as_bytes, budget, configs

# Output per finding, generously: a header, a frame of a few 160-character lines, notes.
PER_FINDING = 3_000


@functools.cache
def fixed_part(fmt: str) -> int:
    """What a format prints for a file without findings (SARIF carries the rule catalog)."""
    return len(render(fmt, [lint_text("", "buildkitd.toml", Settings())], ReportOptions(show_fixes=True)))


def _internal_errors(findings: list[object]) -> list[str]:
    return [getattr(f, "message", "") for f in findings if getattr(f, "code", "") == "BK902"]


@budget(150)
@given(text=configs())
def test_editor_text_never_raises(text: str) -> None:
    """What the server lints: any text, lone surrogates included."""
    with bounded(what="lint_text"):
        result = lint_text(text, "buildkitd.toml", Settings())
    assert _internal_errors(result.findings) == []


@budget(100)
@given(text=configs())
def test_file_bytes_never_raise_and_every_report_is_proportional(text: str) -> None:
    """What the CLI lints and prints, in every output format."""
    with bounded(what="lint_bytes"):
        result = lint_bytes(as_bytes(text), "buildkitd.toml", Settings())
    assert _internal_errors(result.findings) == []
    for fmt in FORMATS:
        with bounded(what=f"{fmt} report"):
            out = render(fmt, [result], ReportOptions(show_fixes=True))
        assert len(out) <= fixed_part(fmt) + 1_000 + PER_FINDING * len(result.findings), fmt
