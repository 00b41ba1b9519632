"""The pydantic models and the JSON Schema built from the key tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pydantic
import pytest

from bklint.rules.schema.models import SCHEMA_DIALECT, config_model, json_schema
from bklint.rules.tomllib_compat import tomllib

DATA = Path(__file__).parent / "data"
FULL = (DATA / "docs-full-example.toml").read_text()
# BuildKit's documented example ends with a [ghacache] block no loader reads.
FULL_WITHOUT_GHACACHE = FULL.split("# optional signed cache configuration")[0]
FIXED_GHA = (DATA / "docs-full-example-fixed-gha.toml").read_text()


def errors(toml: str, version: str | None = None) -> list[str]:
    """Messages of every JSON Schema error, as ``path: message``."""
    validator = jsonschema.Draft7Validator(json_schema(version))
    return [
        ".".join(map(str, e.absolute_path)) + ": " + e.message
        for e in validator.iter_errors(tomllib.loads(toml))
    ]


def test_schema_is_valid_draft_07() -> None:
    schema = json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["title"].startswith("buildkitd.toml")
    assert "case-insensitively" in schema["description"]
    assert "$defs" not in schema


def test_documented_full_example_without_its_ghacache_block_validates() -> None:
    assert errors(FULL_WITHOUT_GHACACHE) == []


def test_documented_ghacache_block_is_an_unknown_table() -> None:
    assert errors(FULL) == [": Additional properties are not allowed ('ghacache' was unexpected)"]


def test_corrected_cache_gha_block_validates() -> None:
    assert errors(FIXED_GHA) == []


def test_unknown_key_is_rejected() -> None:
    assert errors("[worker.oci]\nmaxParallelism = 4\n") == [
        "worker.oci: Additional properties are not allowed ('maxParallelism' was unexpected)"
    ]


def test_keys_match_case_sensitively_unlike_buildkitd() -> None:
    assert errors("[worker.OCI]\nenabled = true\n")


@pytest.mark.parametrize(
    "toml",
    [
        '[worker.oci]\nmax-parallelism = "4"\n',
        "[worker.oci]\nmax-parallelism = 4.5\n",
        '[registry."docker.io"]\nhttp = "true"\n',
        '[registry."docker.io"]\nmirrors = "mirror.gcr.io"\n',
        "root = 1\n",
        '[[registry."docker.io".keypair]]\nkey = 1\n',
        "[worker.oci.labels]\nfoo = 1\n",
        "debug = 1\n",
    ],
)
def test_wrong_types_are_rejected(toml: str) -> None:
    assert errors(toml)


@pytest.mark.parametrize(
    "value", ["1024000000", '"512MB"', '"512 MB"', '"1.5GB"', '"10%"', '"-5%"', '""', '"100 "', "0"]
)
def test_disk_space_accepts_integers_sizes_and_percentages(value: str) -> None:
    assert errors(f"[worker.oci]\nreservedSpace = {value}\n") == []


@pytest.mark.parametrize(
    "value", ["-1", '"-100"', '"1EB"', '"10.5%"', '"10 %"', '"%"', '" 100"', "true", "[]"]
)
def test_disk_space_rejects_what_buildkitd_rejects(value: str) -> None:
    assert errors(f"[worker.oci]\nreservedSpace = {value}\n")


@pytest.mark.parametrize(
    "value", ["172800", '"172800"', '"48h"', '"1h30m"', '"1.5h"', '"300ms"', '"-1h"', '""', "-5"]
)
def test_duration_accepts_seconds_and_go_durations(value: str) -> None:
    assert errors(f"[[worker.oci.gcpolicy]]\nkeepDuration = {value}\n") == []


@pytest.mark.parametrize("value", ['"2d"', '"1w"', '"10 s"', '"172_800"', "1.5", "true"])
def test_duration_rejects_days_spaces_and_floats(value: str) -> None:
    assert errors(f"[[worker.oci.gcpolicy]]\nkeepDuration = {value}\n")


def test_log_level_is_case_insensitive_and_log_format_is_not() -> None:
    assert errors('[log]\nlevel = "DEBUG"\n') == []
    assert errors('[log]\nlevel = "verbose"\n')
    assert errors('[log]\nformat = "json"\n') == []
    assert errors('[log]\nformat = "JSON"\n')


def test_oci_snapshotter_names_are_checked_unless_a_proxy_snapshotter_is_set() -> None:
    assert errors('[worker.oci]\nsnapshotter = "overlay"\n')
    assert errors('[worker.oci]\nsnapshotter = "overlay"\nproxySnapshotterPath = ""\n')
    assert errors('[worker.oci]\nsnapshotter = "mysnap"\nproxySnapshotterPath = "/run/mysnap.sock"\n') == []
    # containerd takes any snapshotter containerd has.
    assert errors('[worker.containerd]\nsnapshotter = "zfs"\n') == []


def test_network_mode_and_entitlements() -> None:
    assert errors('[worker.containerd]\nnetworkMode = "none"\n')
    assert errors('insecure-entitlements = ["network.host", "security.insecure"]\n') == []
    assert errors('insecure-entitlements = ["network-host"]\n')


def test_a_version_drops_keys_it_does_not_know() -> None:
    assert errors('[log]\nlevel = "debug"\n', "v0.30") == []
    assert errors('[log]\nlevel = "debug"\n', "v0.27") == [
        "log: Additional properties are not allowed ('level' was unexpected)"
    ]
    assert errors("[cdi]\ndisabled = true\n", "v0.19") == [
        ": Additional properties are not allowed ('cdi' was unexpected)"
    ]


def test_a_version_uses_its_own_types() -> None:
    assert errors('[worker.oci]\ngckeepstorage = "10GB"\n', "v0.11")
    assert errors("[worker.oci]\ngckeepstorage = 10000000000\n", "v0.11") == []
    assert errors('[worker.oci]\ngckeepstorage = "10GB"\n', "v0.12") == []


def test_a_version_drops_values_it_does_not_accept() -> None:
    assert errors('insecure-entitlements = ["device"]\n', "v0.19")
    assert errors('insecure-entitlements = ["device"]\n', "v0.20") == []
    assert errors('[worker.oci]\nnetworkMode = "bridge"\n', "v0.12")
    assert errors('[worker.oci]\nnetworkMode = "bridge"\n', "v0.13") == []


def test_leaves_carry_go_type_docs_defaults_and_flags() -> None:
    schema = json_schema()
    oci = schema["definitions"]["WorkerOCI"]["properties"]
    assert oci["max-parallelism"]["x-go-type"] == "int"
    assert "default" not in oci["max-parallelism"]  # "0 (unlimited)" stays text: x-default
    assert oci["max-parallelism"]["x-default"] == "0 (unlimited)"
    assert (
        json_schema()["definitions"]["SystemConfig"]["properties"]["maxRegistryConcurrency"]["default"] == 4
    )
    assert oci["max-parallelism"]["x-flag"] == "--oci-max-parallelism"
    assert oci["max-parallelism"]["description"].startswith("Build steps run at once")
    assert oci["snapshotter"]["default"] == "auto"
    assert oci["reservedSpace"]["x-go-type"] == "DiskSpace"
    assert "default" not in oci["platforms"]
    debug = schema["properties"]["debug"]
    assert debug["deprecated"] is True
    assert 'log.level = "debug"' in debug["description"]


def test_one_definition_per_table() -> None:
    names = set(json_schema()["definitions"])
    assert {"WorkerOCI", "WorkerContainerd", "RegistryConfig", "TLSKeyPair", "WorkerOCIGCPolicy"} <= names
    assert {
        "DockerfileFrontendConfig",
        "GatewayFrontendConfig",
        "GHAVerifyPolicy",
        "ContainerdRuntime",
    } <= names


def test_json_schema_returns_a_fresh_copy() -> None:
    json_schema()["properties"].clear()
    assert json_schema()["properties"]


def test_model_reads_toml_names_and_exposes_python_names() -> None:
    config: Any = config_model().model_validate(tomllib.loads(FIXED_GHA))
    assert config.worker.oci.max_parallelism == 4
    assert config.frontend.dockerfile_v0.enabled is True
    assert config.registry["docker.io"].keypair[0].cert == "/etc/config/cert.pem"
    assert config.cache.gha.sign.command == []
    assert config.history.maxAge == 172800


@pytest.mark.parametrize(
    "data",
    [
        {"worker": {"oci": {"bogus": 1}}},
        {"worker": {"oci": {"max_parallelism": 4}}},
        {"worker": {"oci": {"max-parallelism": "4"}}},
        # JSON Schema cannot tell 4.0 from 4; the strict model can, like go-toml.
        {"worker": {"oci": {"max-parallelism": 4.0}}},
        {"registry": {"docker.io": {"http": "true"}}},
        {"log": {"format": "JSON"}},
        {"log": {"level": "verbose"}},
        {"worker": {"oci": {"snapshotter": "overlay"}}},
        {"worker": {"oci": {"gcpolicy": [{"keepDuration": "2d"}]}}},
    ],
)
def test_model_rejects_what_the_schema_rejects(data: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        config_model().model_validate(data)


def test_model_accepts_a_proxy_snapshotter_name() -> None:
    data = {"worker": {"oci": {"snapshotter": "mysnap", "proxySnapshotterPath": "/run/mysnap.sock"}}}
    config_model().model_validate(data)


def test_versioned_models_are_cached_and_distinct() -> None:
    assert config_model("v0.27") is config_model("v0.27.1")
    assert config_model("v0.27") is not config_model()
    with pytest.raises(pydantic.ValidationError):
        config_model("v0.27").model_validate({"log": {"level": "debug"}})


@pytest.mark.skipif(shutil.which("taplo") is None, reason="taplo not installed")
def test_taplo_accepts_the_schema(tmp_path: Path) -> None:
    import json

    schema = tmp_path / "buildkitd.schema.json"
    schema.write_text(json.dumps(json_schema()))
    good = tmp_path / "good.toml"
    good.write_text(FULL_WITHOUT_GHACACHE)
    bad = tmp_path / "bad.toml"
    bad.write_text('[worker.oci]\nsnapshotter = "overlay"\n')

    def check(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["taplo", "check", "--schema", schema.as_uri(), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert check(good).returncode == 0, check(good).stderr
    result = check(bad)
    assert result.returncode != 0
    assert "overlay" in result.stderr


def test_pydantic_is_loaded_only_by_the_models_module() -> None:
    code = "import sys, bklint.rules.schema.models\nassert 'pydantic' in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)
