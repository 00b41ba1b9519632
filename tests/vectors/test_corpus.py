"""The real configs of the shared corpus: no crash, and the loader's verdict on every one.

The corpus (201 configs from public repositories, byte for byte; ``SOURCES.tsv`` names the
repository, path and commit of each, ``verdicts.json`` what BuildKit's loader and buildx did
with it) is kept in tests/data/corpus/real, so these tests run wherever the tests run.
"""

from __future__ import annotations

import json

import pytest

from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Severity
from tests.conftest import TESTS

CORPUS = TESTS / "data" / "corpus" / "real"
VERDICTS = {v["file"]: v for v in json.loads((CORPUS / "verdicts.json").read_text())}


def test_the_corpus_is_complete() -> None:
    """Every config has a verdict and a source line (attribution), and the other way round."""
    configs = {p.name for p in CORPUS.glob("*.toml")}
    sources = {line.split("\t")[0] + ".toml" for line in (CORPUS / "SOURCES.tsv").read_text().splitlines()[1:]}
    assert len(configs) == 201
    assert configs == set(VERDICTS) == sources


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_real_config(name: str) -> None:
    verdict = VERDICTS[name]
    settings = Settings()
    settings.rules.base_dir = str(CORPUS)
    findings = lint_bytes((CORPUS / name).read_bytes(), name, settings).findings
    loader_errors = [f for f in findings if f.code.startswith("BK0") and f.severity == Severity.ERROR]
    fails = not verdict["buildkitd_loads"] or not verdict["buildx_parses"]
    assert bool(loader_errors) == fails, (verdict.get("loader_error") or verdict.get("toml_error"), loader_errors)
    for ignored in verdict.get("ignored_keys", []):
        lines = {f.span.start.line + 1 for f in findings if f.code[:3] in ("BK1", "BK4")}
        assert ignored["line"] in lines, (ignored, findings)
