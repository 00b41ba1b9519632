"""Editor packages agree with each other and with the server's contract, without any editor installed.

The VS Code extension's own logic is unit-tested by `npm test` (editors/vscode/ci.sh); these
checks cover the files other tools consume: the JSON Schema handed to TOML extensions, the
settings documentation, and the Helix language definition.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bklint.rules.tomllib_compat import tomllib

EDITORS = Path(__file__).resolve().parents[2] / "editors"
VSCODE = EDITORS / "vscode"


def _manifest() -> dict[str, Any]:
    return json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))


def _schema() -> dict[str, Any]:
    (entry,) = _manifest()["contributes"]["tomlValidation"]
    return json.loads((VSCODE / entry["url"]).read_text(encoding="utf-8"))


def test_contributed_schema_is_a_valid_draft7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(_schema())


def test_schema_accepts_a_typical_config() -> None:
    config = tomllib.loads(
        """
        root = "/var/lib/buildkit"
        insecure-entitlements = ["network.host"]
        [log]
        format = "json"
        [worker.oci]
        max-parallelism = 4
        reservedSpace = "10%"
        [[worker.oci.gcpolicy]]
        keepBytes = "512MB"
        keepDuration = "48h"
        [registry."docker.io"]
        mirrors = ["mirror.example.com"]
        [frontend."dockerfile.v0"]
        enabled = true
        """
    )
    assert list(jsonschema.Draft7Validator(_schema()).iter_errors(config)) == []


@pytest.mark.parametrize(
    ("toml", "path"),
    [
        ('[registry."docker.io"]\nmirrors = "mirror.example.com"\n', ["registry", "docker.io", "mirrors"]),
        ('[worker.oci]\nmax-parallelism = "4"\n', ["worker", "oci", "max-parallelism"]),
        ('insecure-entitlements = ["network"]\n', ["insecure-entitlements", 0]),
        ("[grpc]\nuid = true\n", ["grpc", "uid"]),
    ],
)
def test_schema_rejects_wrong_types(toml: str, path: list[str | int]) -> None:
    errors = list(jsonschema.Draft7Validator(_schema()).iter_errors(tomllib.loads(toml)))
    assert [list(e.absolute_path) for e in errors] == [path]


def test_vscode_readme_documents_every_setting() -> None:
    readme = (VSCODE / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(bklint\.[\w.]+)` \|", readme, flags=re.MULTILINE))
    assert documented == set(_manifest()["contributes"]["configuration"]["properties"])


def test_vsix_ships_the_schema_the_bundle_and_the_server_only() -> None:
    kept = [
        line[1:]
        for line in (VSCODE / ".vscodeignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    ]
    (entry,) = _manifest()["contributes"]["tomlValidation"]
    assert entry["url"].removeprefix("./") in kept
    assert _manifest()["main"].removeprefix("./") in kept
    assert "bundled/**" in kept  # the server launcher and bundled/libs (built at package time)
    assert "bundled/libs/" in (VSCODE / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_helix_runs_bklint_then_taplo_on_buildkitd_files_only() -> None:
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text(encoding="utf-8"))
    server = config["language-server"]["bklint"]
    assert [server["command"], *server["args"]] == ["bklint", "lsp"]
    (language,) = config["language"]
    assert language["language-servers"] == ["bklint", "taplo"]
    assert {"glob": "buildkitd.toml"} in language["file-types"]
    assert language["grammar"] == "toml"
    queries = EDITORS / "helix" / "runtime" / "queries" / language["name"]
    assert {p.name for p in queries.glob("*.scm")} >= {"highlights.scm", "injections.scm"}
    for query in queries.glob("*.scm"):
        assert query.read_text(encoding="utf-8").startswith("; inherits: toml\n")


def _names_in(text: str) -> set[str]:
    """The TOML file-name globs a client's source lists (quoted, with or without a `**/` prefix)."""
    return {m.removeprefix("**/") for m in re.findall(r"'((?:\*\*/)?[\w.*-]*\.toml)'", text)}


def test_every_client_sends_the_files_discovery_finds() -> None:
    """A name `bklint check DIR` discovers but an editor never sends is linted in CI and silent while typing."""
    from bklint.linter.files import DEFAULT_PATTERNS

    manifest = _manifest()
    (language,) = manifest["contributes"]["languages"]
    (validation,) = manifest["contributes"]["tomlValidation"]
    lua = (EDITORS / "nvim" / "bklint.lua").read_text(encoding="utf-8")
    (helix,) = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text(encoding="utf-8"))["language"]
    clients = {
        "vscode document selector": _names_in((VSCODE / "src" / "settings.ts").read_text(encoding="utf-8")),
        "vscode languages": set(language["filenames"]) | set(language["filenamePatterns"]),
        "vscode tomlValidation": set(validation["fileMatch"]),
        "vscode activation": {e.removeprefix("workspaceContains:**/") for e in manifest["activationEvents"]},
        "neovim": _names_in(re.search(r"\n  patterns = \{.*\}", lua).group(0)),  # type: ignore[union-attr]
        "helix": {t["glob"] for t in helix["file-types"]},
    }
    for client, names in clients.items():
        assert names == set(DEFAULT_PATTERNS), client
