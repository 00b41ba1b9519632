"""Hover on a key shows its effective value when daemon flags are configured."""

from __future__ import annotations

from bklint.linter.run import lint_text
from bklint.linter.settings import Settings
from bklint.lsp.hover import hover_text
from bklint.rules.base import Position

TEXT = '[worker.oci]\nnetworkMode = "host"\n'


def _hover(flags: str | None) -> str:
    settings = Settings()
    settings.rules.buildkitd_flags = flags
    result = lint_text(TEXT, "buildkitd.toml", settings)
    hover = hover_text(result, Position(1, 2), None)
    assert hover is not None
    return hover.markdown


def test_effective_value_with_flags() -> None:
    assert '**Effective** (with buildkitd-flags): `"cni"` — flag --oci-worker-net=cni' in _hover("--oci-worker-net=cni")


def test_no_effective_note_without_flags() -> None:
    assert "Effective" not in _hover(None)
