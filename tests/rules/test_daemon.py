"""Start-up failures and other values (BK240–BK257): bad and good configs, and fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.fix import apply_edits
from bklint.rules.base import Severity
from bklint.rules.catalog.daemon.frontends import reference_problem
from bklint.rules.catalog.daemon.workers import platform_problem
from bklint.rules.startup import FAILS_AT_START, NEEDED_AT_START
from tests.conftest import codes, lint

CASES = {
    "BK240": (
        "[worker.oci]\nnoProcessSandbox = true\n",
        "[worker.oci]\nrootless = true\nnoProcessSandbox = true\n",
    ),
    "BK241": ('[log]\nlevel = "verbose"\n', '[log]\nlevel = "DEBUG"\n'),
    "BK242": ('[log]\nformat = "JSON"\n', '[log]\nformat = "json"\n'),
    "BK243": (
        '[grpc]\naddress = ["fd://3"]\n',
        '[grpc]\naddress = ["fd://", "unix:///run/buildkit/buildkitd.sock"]\n',
    ),
    "BK244": ('[grpc]\naddress = ["tcp://0.0.0.0:1234"]\n', '[grpc]\naddress = ["tcp://127.0.0.1:1234"]\n'),
    "BK246": (
        '[dns]\nnameservers = ["dns.google"]\n',
        '[dns]\nnameservers = ["8.8.8.8", "2001:4860:4860::8888"]\n',
    ),
    "BK247": ('[dns]\nnameservers = ["127.0.0.53"]\n', '[dns]\nnameservers = ["10.0.0.2"]\n'),
    "BK248": ('insecure-entitlements = ["network-host"]\n', 'insecure-entitlements = ["network.host"]\n'),
    "BK249": (
        '[worker.oci]\nplatforms = ["linux/arm/v7/x"]\n',
        '[worker.oci]\nplatforms = ["linux/amd64", "linux/arm/v7", "arm64"]\n',
    ),
    "BK250": ("[history]\nmaxAge = 60\nmaxEntries = -1\n", "[history]\nmaxAge = 60\nmaxEntries = 10\n"),
    "BK251": ('[history]\nmaxAge = "168h"\n', '[history]\nmaxAge = "168h"\nmaxEntries = 50\n'),
    "BK252": ('[worker.oci]\nsnapshotter = "overlay"\n', '[worker.oci]\nsnapshotter = "overlayfs"\n'),
    "BK253": (
        '[worker.containerd.runtime]\npath = "/usr/bin/shim"\n',
        '[worker.containerd.runtime]\nname = "io.containerd.runc.v2"\npath = "/usr/bin/shim"\n',
    ),
    "BK254": (
        '[cache.gha.sign]\ncommand = ["cosign"]\n',
        '[cache.gha.sign]\ncommand = ["cosign"]\n[cache.gha.verify]\nrequired = true\n',
    ),
    "BK255": ('[frontend."gateway.v0"]\nenabled = false\n', '[frontend."gateway.v0"]\nenabled = true\n'),
    "BK256": (
        '[frontend."gateway.v0"]\nallowedRepositories = ["Docker/Dockerfile"]\n',
        '[frontend."gateway.v0"]\nallowedRepositories = ["docker/dockerfile:1", "ghcr.io/acme/fe"]\n',
    ),
    "BK257": (
        'insecure-entitlements = ["security.insecure"]\n',
        'insecure-entitlements = ["network.host", "security.insecure"]\n',
    ),
}


def _codes(text: str, **settings: object) -> list[str]:
    return [f.code for f in lint(text, **settings).findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_config_is_reported(code: str) -> None:
    assert code in _codes(CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_config_is_not_reported(code: str) -> None:
    assert code not in _codes(CASES[code][1])


def test_no_process_sandbox_has_one_severity_and_message_with_or_without_rootless_false() -> None:
    # buildkitd behaves the same in both cases (start-up vectors: "can't enable NoProcessSandbox without Rootless").
    written = "[worker.oci]\nrootless = false\nnoProcessSandbox = true\n"
    left_out = "[worker.oci]\nnoProcessSandbox = true\n"
    [a] = [f for f in lint(written).findings if f.code == "BK240"]
    [b] = [f for f in lint(left_out).findings if f.code == "BK240"]
    assert a.severity == b.severity == Severity.ERROR
    assert a.message == b.message and FAILS_AT_START.phrase in a.message
    assert "BK240" not in _codes(left_out, buildkitd_flags="--rootless")


def test_no_worker_left() -> None:
    both = "[worker.oci]\nenabled = false\n[worker.containerd]\nenabled = false\n"
    [f] = [f for f in lint(both).findings if f.code == "BK245"]
    assert f.severity == Severity.ERROR and "no worker found" in f.message
    [f] = [f for f in lint("[worker.oci]\nenabled = false\n").findings if f.code == "BK245"]
    assert f.severity == Severity.ERROR and "/run/containerd/containerd.sock" in f.message
    only_ctd = '[worker.containerd]\nenabled = true\naddress = "/run/k3s/containerd/containerd.sock"\n'
    [f] = [f for f in lint(only_ctd).findings if f.code == "BK245"]
    assert f.severity == Severity.WARNING and NEEDED_AT_START.phrase in f.message
    assert "/run/k3s/containerd/containerd.sock" in f.message
    assert "BK245" not in _codes("[worker.oci]\nenabled = true\n")


def test_debug_address_needs_a_port_or_unix_scheme() -> None:
    assert "BK259" in _codes('[grpc]\ndebugAddress = "debug.sock"\n')
    for ok in ("unix:///run/buildkit/debug.sock", "127.0.0.1:6060", ":6060", "[::1]:6060"):
        assert "BK259" not in _codes(f'[grpc]\ndebugAddress = "{ok}"\n'), ok


def test_user_remap_names_a_user() -> None:
    [f] = [f for f in lint('[worker.oci]\nuserRemapUnsupported = "host"\n').findings if f.code == "BK268"]
    assert f.severity == Severity.WARNING and "not a mode" in f.message and "/etc/subuid" in f.message
    [f] = [f for f in lint('[worker.oci]\nuserRemapUnsupported = "a:b:c"\n').findings if f.code == "BK268"]
    assert f.severity == Severity.ERROR


def test_files_opened_at_start_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "tls.crt"
    text = f'[grpc.tls]\ncert = "{missing}"\nkey = "{tmp_path}"\n'
    by_path = {f.message.split("`")[3]: f for f in lint(text).findings if f.code == "BK269"}
    assert by_path[str(missing)].severity == Severity.WARNING
    assert NEEDED_AT_START.phrase in by_path[str(missing)].message and "does not exist" in by_path[str(missing)].message
    assert by_path[str(tmp_path)].severity == Severity.INFO
    proxy = '[worker.oci]\nproxySnapshotterPath = "/run/nowhere/stargz.sock"\n'
    assert any("/run/nowhere/stargz.sock" in f.message for f in lint(proxy).findings if f.code == "BK269")


def test_negative_max_entries_says_it_crashes_the_daemon() -> None:
    [f] = [f for f in lint("[history]\nmaxAge = 1\nmaxEntries = -1\n").findings if f.code == "BK250"]
    assert "crashes the daemon" in f.message and FAILS_AT_START.phrase in f.message


def test_daemon_rules_read_the_flags_as_buildkitd_parses_them() -> None:
    """One flag parser (rules/daemon_flags/command_line.py): one dash works, the last use of a flag wins."""
    text = "[worker.oci]\nnoProcessSandbox = true\n"
    assert "BK240" not in _codes(text, buildkitd_flags="-oci-worker-rootless")
    assert "BK240" in _codes(text, buildkitd_flags="--rootless --rootless=false")
    tcp = '[grpc]\naddress = ["tcp://0.0.0.0:1234"]\n'
    assert "BK244" in _codes(tcp)
    assert "BK244" not in _codes(tcp, buildkitd_flags="-tlscert /c.pem")
    listed = 'insecure-entitlements = ["network.host"]\n'
    assert "BK257" in _codes(listed, buildkitd_flags="-allow-insecure-entitlement=security.insecure")


def test_tls_silences_the_tcp_warning() -> None:
    text = '[grpc]\naddress = ["tcp://0.0.0.0:1234"]\n[grpc.tls]\ncert = "/c"\nkey = "/k"\n'
    assert "BK244" not in _codes(text)


def test_device_entitlement_is_redundant_unless_cdi_is_disabled() -> None:
    text = 'insecure-entitlements = ["network.host", "device"]\n'
    [finding] = [f for f in lint(text).findings if f.code == "BK248"]
    assert finding.severity == Severity.INFO
    assert "BK248" not in _codes(text + "[cdi]\ndisabled = true\n")


def test_snapshotter_is_not_judged_with_a_proxy_or_for_containerd() -> None:
    assert "BK252" not in _codes('[worker.oci]\nsnapshotter = "x"\nproxySnapshotterPath = "/run/x.sock"\n')
    assert "BK252" not in _codes('[worker.containerd]\nsnapshotter = "zfs"\n')


def test_entitlement_flags_replace_the_list() -> None:
    text = 'insecure-entitlements = ["network.host"]\n'
    [finding] = [
        f
        for f in lint(text, buildkitd_flags="--allow-insecure-entitlement security.insecure").findings
        if f.code == "BK257"
    ]
    assert finding.severity == Severity.WARNING


@pytest.mark.parametrize(
    ("spec", "fatal"),
    [
        ("linux/amd64", None),
        ("linux", None),
        ("arm64", None),
        ("windows(10.0.17763)/amd64", None),
        ("linux/amd65", False),
        ("amd65", True),
        ("linux/*", True),
        ("linux//amd64", True),
        ("a/b/c/d", True),
    ],
)
def test_platforms_follow_containerd(spec: str, fatal: bool | None) -> None:
    problem = platform_problem(spec)
    assert (problem[1] if problem else None) == fatal


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("docker/dockerfile", True),
        ("docker.io/docker/dockerfile:1.7", True),
        ("localhost:5000/fe@sha256:" + "a" * 64, True),
        ("Docker/Dockerfile", False),
        ("https://ghcr.io/x", False),
        ("", False),
        ("a" * 64, False),
        ("x y", False),
    ],
)
def test_allowed_repositories_follow_reference_grammar(ref: str, ok: bool) -> None:
    assert (reference_problem(ref) is None) == ok


FIXES = [
    ("BK242", '[log]\nformat = "JSON"\n', 'format = "json"'),
    (
        "BK243",
        '[grpc]\naddress = ["/run/buildkit/buildkitd.sock"]\n',
        '"unix:///run/buildkit/buildkitd.sock"',
    ),
    ("BK246", '[dns]\nnameservers = ["1.1.1.1:53"]\n', 'nameservers = ["1.1.1.1"]'),
    ("BK248", "insecure-entitlements = ['network.host', 'security_insecure']\n", "'security.insecure'"),
    ("BK252", "[worker.oci]\nsnapshotter = 'overlay'\n", "snapshotter = 'overlayfs'"),
]


@pytest.mark.parametrize(("code", "text", "expected"), FIXES)
def test_fix_removes_the_finding_without_new_errors(code: str, text: str, expected: str) -> None:
    fix = next(f.fix for f in lint(text).findings if f.code == code and f.fix is not None)
    assert fix is not None and fix.applicability == "safe"
    fixed = apply_edits(text, fix.edits)
    assert expected in fixed
    after = lint(fixed).findings
    assert code not in [f.code for f in after]
    assert not [f for f in after if f.code.startswith("BK0")]


def test_debug_address_on_all_interfaces_is_reported() -> None:
    for address in ("0.0.0.0:6060", ":6060", "tcp://10.0.0.5:6060"):
        assert "BK258" in codes(f'[grpc]\ndebugAddress = "{address}"\n')


def test_debug_address_on_loopback_is_fine() -> None:
    for address in ("127.0.0.1:6060", "localhost:6060", "[::1]:6060", "unix:///run/buildkit/debug.sock"):
        assert "BK258" not in codes(f'[grpc]\ndebugAddress = "{address}"\n')
