"""Shared fixtures: paths to the copied conformance vectors and a lint helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.run import LintResult, lint_bytes
from bklint.linter.settings import Settings

TESTS = Path(__file__).parent
VECTORS = TESTS / "vectors"
REPO = TESTS.parent


def lint(text: str | bytes, path: str = "buildkitd.toml", **settings: object) -> LintResult:
    data = text.encode() if isinstance(text, str) else text
    s = Settings()
    for key, value in settings.items():
        if hasattr(s.rules, key):
            setattr(s.rules, key, value)
        else:
            setattr(s, key, value)
    return lint_bytes(data, path, s)


def codes(text: str | bytes, **settings: object) -> list[str]:
    return [f.code for f in lint(text, **settings).findings]


@pytest.fixture
def repo() -> Path:
    return REPO
