"""The TOML test suite with BuildKit's verdicts (tests/vectors/toml-test).

An error finding (BK0xx) for every file buildx's parse refuses, on the line it names;
no BK0xx where buildx parses it (unknown-key findings are expected: none of these keys
belong to buildkitd.toml).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Severity

SUITE = Path(__file__).parent / "toml-test"
VERDICTS = {v["file"]: v for v in json.loads((SUITE / "verdicts.json").read_text())}


@pytest.mark.parametrize("file", sorted(VERDICTS))
def test_toml_test_file(file: str) -> None:
    verdict = VERDICTS[file]
    findings = lint_bytes((SUITE / file).read_bytes(), file, Settings()).findings
    bk0 = [f for f in findings if f.code.startswith("BK0")]
    if verdict["buildx_parses"]:
        assert not bk0, bk0
        return
    assert bk0 and all(f.severity == Severity.ERROR for f in bk0), findings
    pos = verdict.get("toml_error_pos")
    if pos and pos != [1, 1]:
        assert pos[0] in {f.span.start.line + 1 for f in bk0}, (pos, verdict["toml_error"], bk0)
