"""bklint agrees with buildkitd's own start-up on every recorded start-up vector.

tests/vectors/startup/results.tsv records what buildkitd v0.32.2 did when started with each
public config (README there). For every row:
- the daemon failed for want of a file or service (`no such file or directory`, a containerd
  socket timeout): a finding names that path and says it is needed at start;
- it failed otherwise (everywhere): bklint has an error or a warning;
- it started: no finding says buildkitd refuses to start, and a BK001 (buildx's stricter
  parse refuses the file) names buildx.
Corpus rows read the copy in tests/data/corpus/real (as tests/vectors/test_corpus.py).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Finding, Severity
from bklint.rules.startup import BUILDX_REFUSES, FAILS_AT_START, NEEDED_AT_START

HERE = Path(__file__).parent
CORPUS = HERE.parent / "data" / "corpus"
with (HERE / "startup" / "results.tsv").open(newline="") as f:
    ROWS = [(r["config"], r["outcome"], r["daemon_error"]) for r in csv.DictReader(f, delimiter="\t")]

_MISSING = re.compile(r"(?:open|stat) (\S+): no such file or directory")
_SOCKET = re.compile(r"dial unix://(\S+?): timeout")


def _config(name: str) -> Path:
    if name.startswith("vectors/"):
        return HERE / name.removeprefix("vectors/")
    return CORPUS / name.removeprefix("corpus/")


def _findings(path: Path) -> list[Finding]:
    settings = Settings()
    settings.rules.base_dir = str(path.parent)
    return lint_bytes(path.read_bytes(), "buildkitd.toml", settings).findings


def needed_path(error: str) -> str | None:
    """The file or socket a host-dependent failure names, else None (the failure is everywhere)."""
    m = _MISSING.search(error) or _SOCKET.search(error)
    return m.group(1) if m else None


def agrees(outcome: str, error: str, findings: list[Finding]) -> bool:
    if outcome == "starts":
        if any(FAILS_AT_START.phrase in f.message for f in findings):
            return False
        return all(BUILDX_REFUSES.phrase in f.message for f in findings if f.code == "BK001")
    path = needed_path(error)
    if path is None:
        return any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)
    names = (path, os.path.dirname(path))
    return any(NEEDED_AT_START.phrase in f.message and any(n in f.message for n in names) for f in findings)


@pytest.mark.parametrize(("name", "outcome", "error"), ROWS, ids=[r[0] for r in ROWS])
def test_startup_vector(name: str, outcome: str, error: str) -> None:
    path = _config(name)
    assert path.exists(), f"{name} is missing from tests/"
    findings = _findings(path)
    assert agrees(outcome, error, findings), f"buildkitd: {outcome} {error!r}; bklint: {findings}"


def test_every_outcome_is_recorded() -> None:
    """The classes of issue 17 each have recorded vectors."""
    errors = " ".join(e for _, o, e in ROWS if o == "fails")
    for text in ("no worker found", "missing port in address", "could not get user", "NoProcessSandbox",
                 "tls.crt", "slice bounds out of range", "containerd.sock: timeout", "/opt/cni/bin/bridge"):
        assert text in errors
