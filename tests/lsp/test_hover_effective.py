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


MORE = (
    '[registry."docker.io"]\n'
    '  mirrors = ["mirror.gcr.io"]\n'
    "[worker.oci]\n"
    '  networkMode = "host"\n'
    "[[worker.oci.gcpolicy]]\n"
    "  keepBytes = 1024\n"
)


def _hover_at(line: int, column: int, flags: str = "--debug") -> str:
    settings = Settings()
    settings.rules.buildkitd_flags = flags
    hover = hover_text(lint_text(MORE, "buildkitd.toml", settings), Position(line, column), None)
    assert hover is not None
    return hover.markdown


def test_effective_value_of_map_entries_and_array_tables() -> None:
    # Keys under a registry name and in an array of tables: the schema path has `*` and no
    # index there, so only the loader's own path finds their effective value.
    assert '**Effective** (with buildkitd-flags): `["mirror.gcr.io"]` — file' in _hover_at(1, 4)
    assert "**Effective** (with buildkitd-flags): `1024` — file" in _hover_at(5, 4)


def test_effective_value_on_the_value_too() -> None:
    assert '`"bridge"` — flag --oci-worker-net=bridge' in _hover_at(3, 18, "--oci-worker-net=bridge")
