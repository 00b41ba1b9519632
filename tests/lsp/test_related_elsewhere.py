"""A finding in a config that a script names carries the script as related information."""

from __future__ import annotations

from pathlib import Path

from bklint.lsp.analysis import diagnostic
from bklint.lsp.positions import Lines
from bklint.rules.base import Span
from bklint.rules.catalog.keys.unknown import UnknownKey


def test_elsewhere_is_related_information(tmp_path: Path) -> None:
    script = tmp_path / "ci" / "build.sh"
    finding = UnknownKey.finding("unknown key", Span.at(1, 2, 1, 17))
    finding.elsewhere = ((str(script), Span.at(2, 39, 2, 56), "`docker buildx create --config` names this config here"),)
    made = diagnostic(finding, Lines("[worker.oci]\n  max_parallelism = 4\n"), (tmp_path / "buildkitd.toml").as_uri())
    assert made.related_information is not None
    (info,) = made.related_information
    assert info.location.uri == script.as_uri()
    assert (info.location.range.start.line, info.location.range.start.character) == (2, 39)
    assert "names this config" in info.message
