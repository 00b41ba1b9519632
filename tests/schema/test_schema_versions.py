"""What each BuildKit release knows: keys, Go types, TOML library, deprecations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bklint.rules.schema import versions
from bklint.rules.schema.versions import LATEST, Version, parse_version

# What each release's source declares (extracted from BuildKit's history; a copy of the
# team's reference data), against which the compact copy in rules/schema is checked.
SOURCE = Path(__file__).parents[1] / "data" / "keys-by-version.json"


def test_disk_space_keys_were_plain_integers_before_v0_12() -> None:
    assert versions.type_at("worker.oci.gckeepstorage", "v0.11") == "int64"
    assert versions.type_at("worker.oci.gckeepstorage", "v0.12") == "DiskSpace"
    assert versions.type_at("worker.containerd.gcpolicy[].keepDuration", "v0.11.6") == "int64"
    assert versions.type_at("worker.containerd.gcpolicy[].keepDuration", "v0.12.0") == "Duration"


def test_type_at_is_none_before_a_key_exists() -> None:
    assert versions.type_at("log.level", "v0.29") is None
    assert versions.type_at("log.level", "v0.30") == "string"


def test_key_since() -> None:
    assert versions.key_since("log.level") == Version(0, 30, 0)
    assert versions.key_since("debug") == Version(0, 10, 0)
    assert versions.key_since('frontend."dockerfile.v0".enabled') == Version(0, 14, 0)
    assert versions.key_since("registry.*.keypair[].cert") == Version(0, 10, 0)
    assert versions.key_since("ghacache.sign.cmd") is None


def test_go_toml_v1_until_v0_28() -> None:
    assert versions.uses_go_toml_v1("v0.27")
    assert versions.uses_go_toml_v1("v0.10.0")
    assert not versions.uses_go_toml_v1("v0.28.0")
    assert versions.toml_library("v0.27") == "go-toml v1.9.5"
    assert versions.toml_library("v0.11.1") == "go-toml v1.9.4"
    assert versions.toml_library("v0.31") == "go-toml/v2 v2.3.1"
    assert "lowerFirst" in versions.key_matching("v0.27")
    assert "case-insensitive" in versions.key_matching("v0.28")


def test_patch_releases_that_added_keys() -> None:
    assert "worker.oci.selinux" not in versions.keys_at("v0.10.5")
    assert "worker.oci.selinux" in versions.keys_at("v0.10.6")
    assert "grpc.securityDescriptor" not in versions.keys_at("v0.13.1")
    assert "grpc.securityDescriptor" in versions.keys_at("v0.13.2")


def test_a_bare_minor_means_its_latest_patch() -> None:
    assert parse_version("v0.10") == Version(0, 10, 6)
    assert "worker.oci.selinux" in versions.keys_at("v0.10")
    assert str(parse_version("0.13")) == "v0.13.2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v0.12.3", Version(0, 12, 3)),
        ("0.12.3", Version(0, 12, 3)),
        ("v0.13.0-rc1", Version(0, 13, 0)),
        ("latest", LATEST),
        ("HEAD", LATEST),
        ("v0.40", Version(0, 40, 0)),
    ],
)
def test_parse_version(text: str, expected: Version) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "twelve", "v1", "0.12.x", "v0.12.3.4"])
def test_parse_version_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not a BuildKit version"):
        parse_version(text)


def test_releases_older_than_the_data_are_refused() -> None:
    with pytest.raises(ValueError, match=r"v0\.10\.0 and later"):
        versions.keys_at("v0.9")


def test_newer_releases_answer_like_the_latest() -> None:
    assert versions.keys_at("v0.40") == versions.keys_at(LATEST)
    assert not versions.uses_go_toml_v1("v1.0")


def test_known_versions_are_the_latest_patch_of_each_minor() -> None:
    known = versions.known_versions()
    assert len(known) == 23
    assert known[0] == Version(0, 10, 6)
    assert known[-1] == LATEST
    assert list(known) == sorted(known)


def test_key_counts_grow_from_the_v0_10_baseline() -> None:
    assert len(versions.keys_at("v0.10.0")) == 60
    assert len(versions.keys_at(LATEST)) == 127


def test_tables_come_and_go_with_their_keys() -> None:
    assert "cdi" not in versions.tables_at("v0.19")
    assert versions.tables_at("v0.20")["cdi"] == "CDIConfig"
    assert versions.table_since("cache.gha.verify.policy") == Version(0, 27, 0)


def test_deprecations() -> None:
    debug = versions.deprecation("debug")
    assert debug is not None
    assert debug.replacement == 'log.level = "debug"'
    assert debug.runtime_warning
    assert versions.deprecation("root") is None
    assert versions.deprecated_at("worker.oci.gckeepstorage", "v0.16") is None
    assert versions.deprecated_at("worker.oci.gckeepstorage", "v0.17") is not None
    sigstore = versions.deprecation("cache.gha.verify.policy.githubWorkflowSHA")
    assert sigstore is not None and sigstore.since_version == Version(0, 27, 0)


def test_untagged_sigstore_fields_keep_their_go_names() -> None:
    assert versions.untagged_go_name("cache.gha.verify.policy.certificateIssuer") == "CertificateIssuer"
    assert versions.untagged_go_name("cache.gha.verify.policy.tlogThreshold") is None


def test_doc_only_keys() -> None:
    assert "ghacache.sign.cmd" in versions.doc_only_keys()


def test_results_are_copies() -> None:
    versions.keys_at(LATEST).clear()
    assert versions.keys_at(LATEST)


def test_the_compact_copy_reproduces_every_release_of_the_source() -> None:
    source = json.loads(SOURCE.read_text())
    tags = source["tags"]
    assert tags["HEAD"]["keys"] == versions.keys_at("HEAD")
    for tag, info in tags.items():
        if tag == "HEAD":
            continue
        assert versions.keys_at(tag) == info["keys"], tag
        assert versions.tables_at(tag) == info["tables"], tag
        assert versions.toml_library(tag) == info["toml_library"], tag
        assert versions.key_matching(tag) == info["key_matching"], tag
    last = max((t for t in tags if t != "HEAD"), key=lambda t: parse_version(t))
    assert parse_version(last) == LATEST
