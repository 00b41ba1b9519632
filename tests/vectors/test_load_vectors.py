"""bklint agrees with BuildKit's own loader on every load vector (tests/vectors/load).

For each case: an error where the loader (or buildx's first parse) fails or crashes, on the
loader's line when it names one; a BK1xx finding on the line of every key the loader
ignores; and no BK0xx finding where both are happy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Severity

LOAD = Path(__file__).parent / "load"
CASES = sorted(p.name for p in LOAD.iterdir() if (p / "expected.json").exists())


def _run(case: str) -> tuple[dict, list]:
    expected = json.loads((LOAD / case / "expected.json").read_text())
    data = (LOAD / case / "buildkitd.toml").read_bytes()
    settings = Settings()
    settings.rules.base_dir = str(LOAD / case)
    result = lint_bytes(data, "buildkitd.toml", settings)
    return expected, result.findings


def _loader_fails(expected: dict) -> bool:
    return expected.get("ok") is not True or expected.get("toml_valid") is False


@pytest.mark.parametrize("case", CASES)
def test_load_vector(case: str) -> None:
    expected, findings = _run(case)
    errors = [f for f in findings if f.code.startswith("BK0") and f.severity == Severity.ERROR]
    if _loader_fails(expected):
        assert errors, f"loader says {expected.get('error') or expected.get('toml_error')}; bklint: {findings}"
        pos = expected.get("error_pos") if expected.get("ok") is not True else expected.get("toml_error_pos")
        if pos and pos != [1, 1]:
            lines = {f.span.start.line + 1 for f in errors}
            assert pos[0] in lines, f"loader fails on line {pos[0]}, bklint on {sorted(lines)}: {errors}"
    else:
        assert not [f for f in findings if f.code.startswith("BK0")], findings
    for unknown in expected.get("unknown", []):
        # BK404 reports the upstream docs' ignored [ghacache] table in place of BK101.
        lines = {f.span.start.line + 1 for f in findings if f.code.startswith("BK1") or f.code == "BK404"}
        assert unknown["line"] in lines, f"ignored key {unknown['key']} at line {unknown['line']}: {findings}"
