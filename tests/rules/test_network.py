"""BK260–BK267: network mode, CNI and bridge settings, from the file and from daemon flags."""

from __future__ import annotations

from bklint.linter.fix import fix_data
from bklint.linter.settings import Settings
from bklint.rules.base import FILE_START, Finding, Severity
from bklint.rules.startup import NEEDED_AT_START
from tests.conftest import lint


def _found(code: str, text: str, **settings: object) -> list[Finding]:
    return [f for f in lint(text, **settings).findings if f.code == code]


def _safe_fixed(text: str) -> str:
    outcome = fix_data(
        text.encode(),
        "buildkitd.toml",
        Settings(),
        lambda f: f.code == "BK260" and f.fix is not None and f.fix.applicability == "safe",
    )
    assert outcome.error is None
    return outcome.data.decode()


# -- BK260 invalid-network-mode ---------------------------------------------------------


def test_network_mode_in_wrong_case_is_an_error_with_a_safe_lowercase_fix() -> None:
    text = '[worker.oci]\nnetworkMode = "Host"\n'
    [f] = _found("BK260", text)
    assert f.severity is Severity.ERROR
    assert 'invalid network mode: "Host"' in f.message
    assert f.span.start.line == 1
    assert f.fix is not None and f.fix.applicability == "safe"
    assert _safe_fixed(text) == '[worker.oci]\nnetworkMode = "host"\n'


def test_literal_string_keeps_its_quotes_when_fixed() -> None:
    assert _safe_fixed("[worker.containerd]\nnetworkMode = 'CNI'\n") == "[worker.containerd]\nnetworkMode = 'cni'\n"


def test_unknown_network_mode_suggests_the_closest_and_has_no_fix() -> None:
    [f] = _found("BK260", '[worker.oci]\nnetworkMode = "bridged"\n')
    assert "did you mean `bridge`" in f.message
    assert f.fix is None


def test_none_is_explained_as_a_per_step_choice() -> None:
    [f] = _found("BK260", '[worker.oci]\nnetworkMode = "none"\n')
    assert "RUN --network=none" in f.message


def test_valid_network_modes_pass() -> None:
    for mode in ("", "auto", "host", "bridge", "cni"):
        assert not _found("BK260", f'[worker.oci]\nnetworkMode = "{mode}"\n')


def test_bridge_mode_is_refused_by_releases_before_0_13() -> None:
    text = '[worker.oci]\nnetworkMode = "bridge"\n'
    assert "v0.13.0" in _found("BK260", text, target_version="v0.12")[0].message
    assert not _found("BK260", text, target_version="v0.13")


def test_unrendered_template_values_are_left_alone() -> None:
    assert not _found("BK260", '[worker.oci]\nnetworkMode = "${NETWORK_MODE}"\n')


def test_network_mode_from_a_flag_is_reported_at_the_file_start() -> None:
    [f] = _found("BK260", "", buildkitd_flags="--oci-worker-net=foo")
    assert f.span == FILE_START
    assert f.message.startswith("`--oci-worker-net=foo`")
    assert f.message.endswith("(from --buildkitd-flags)")
    assert f.fix is None
    assert f.flags_span == (0, len("--oci-worker-net=foo"))


def test_a_valid_flag_mode_replaces_an_invalid_file_mode() -> None:
    assert not _found("BK260", '[worker.oci]\nnetworkMode = "Host"\n', buildkitd_flags="--oci-worker-net host")


# -- BK261 negative-cni-pool-size -------------------------------------------------------


def test_negative_cni_pool_size_is_a_warning() -> None:
    [f] = _found("BK261", "[worker.oci]\ncniPoolSize = -1\n")
    assert f.severity is Severity.WARNING
    assert "same as 0" in f.message


def test_positive_and_zero_pool_sizes_pass() -> None:
    assert not _found("BK261", "[worker.oci]\ncniPoolSize = 16\n[worker.containerd]\ncniPoolSize = 0\n")


def test_negative_pool_size_flag() -> None:
    [f] = _found("BK261", "", buildkitd_flags="--containerd-cni-pool-size=-4")
    assert "(from --buildkitd-flags)" in f.message


# -- BK262 invalid-bridge-subnet --------------------------------------------------------


def test_subnet_without_prefix_is_an_error_in_bridge_mode() -> None:
    [f] = _found("BK262", '[worker.oci]\nnetworkMode = "bridge"\nbridgeSubnet = "10.10.0.0"\n')
    assert f.severity is Severity.ERROR
    assert "prefix length" in f.message


def test_bad_subnet_outside_bridge_mode_is_a_warning() -> None:
    [f] = _found("BK262", '[worker.oci]\nbridgeSubnet = "10.10.0.300/16"\n')
    assert f.severity is Severity.WARNING
    assert "only in bridge mode" in f.message


def test_cidr_subnets_pass() -> None:
    text = '[worker.oci]\nnetworkMode = "bridge"\nbridgeSubnet = "10.20.0.0/16"\n[worker.containerd]\nbridgeSubnet = "fd00:1::/64"\n'
    assert not _found("BK262", text)


# -- BK263 invalid-bridge-name ----------------------------------------------------------


def test_bridge_name_longer_than_15_bytes() -> None:
    [f] = _found("BK263", '[worker.oci]\nnetworkMode = "bridge"\nbridgeName = "buildkit-bridge-0"\n')
    assert f.severity is Severity.ERROR
    assert "17 bytes" in f.message


def test_bridge_name_counts_bytes_not_characters() -> None:
    assert _found("BK263", '[worker.oci]\nbridgeName = "brücke-brücke-x"\n')  # 15 characters, 17 bytes


def test_bridge_name_with_a_slash_or_quote() -> None:
    assert _found("BK263", '[worker.oci]\nbridgeName = "br/0"\n')
    assert _found("BK263", "[worker.oci]\nbridgeName = 'br\"0'\n")


def test_fifteen_byte_bridge_name_passes() -> None:
    assert not _found("BK263", '[worker.oci]\nnetworkMode = "bridge"\nbridgeName = "buildkit-bridge"\n')


# -- BK264 rootless-bridge-network ------------------------------------------------------


def test_bridge_mode_on_a_rootless_worker() -> None:
    [f] = _found("BK264", '[worker.oci]\nrootless = true\nnetworkMode = "bridge"\n')
    assert "RootlessKit" in f.message
    assert f.span.start.line == 2


def test_rootless_from_the_flag_is_named_in_the_message() -> None:
    [f] = _found("BK264", '[worker.oci]\nnetworkMode = "cni"\n', buildkitd_flags="--rootless")
    assert "`--rootless` (from --buildkitd-flags)" in f.message


def test_host_mode_on_a_rootless_worker_passes() -> None:
    assert not _found("BK264", '[worker.oci]\nrootless = true\nnetworkMode = "host"\n')


def test_bridge_mode_without_a_rootless_setting_passes() -> None:
    assert not _found("BK264", '[worker.oci]\nnetworkMode = "bridge"\n')


# -- BK265 cni-mode-needs-files ---------------------------------------------------------


def test_cni_mode_in_the_file_says_the_config_is_needed_at_start() -> None:
    # Start-up vector corpus/real/197: `stat /etc/buildkit/dns-cni.conflist: no such file or directory`.
    [f] = _found("BK265", '[worker.oci]\nnetworkMode = "cni"\ncniConfigPath = "/etc/buildkit/dns.conflist"\n')
    assert f.severity is NEEDED_AT_START.severity and NEEDED_AT_START.phrase in f.message
    assert "/etc/buildkit/dns.conflist" in f.message and "/opt/cni/bin" in f.message
    assert "bridge" in f.message


def test_cni_mode_from_the_flag_is_a_warning() -> None:
    [f] = _found("BK265", "", buildkitd_flags="--oci-worker-net=cni")
    assert f.severity is Severity.WARNING
    assert "/etc/buildkit/cni.json" in f.message
    assert f.span == FILE_START


def test_other_modes_need_no_cni_files() -> None:
    assert not _found("BK265", '[worker.oci]\nnetworkMode = "bridge"\n', buildkitd_flags="--debug")


# -- BK266 cni-config-extension ---------------------------------------------------------


def test_cni_config_path_that_looks_like_a_directory() -> None:
    [f] = _found("BK266", '[worker.oci]\ncniConfigPath = "/etc/cni/net.d"\n')
    assert f.severity is Severity.INFO
    assert ".conflist" in f.message


def test_upper_case_conflist_is_not_read_as_a_list() -> None:
    [f] = _found("BK266", '[worker.oci]\ncniConfigPath = "/etc/cni/x.CONFLIST"\n')
    assert "lower-case" in f.message


def test_usual_cni_config_names_pass() -> None:
    for name in ("a.conflist", "a.conf", "cni.json"):
        assert not _found("BK266", f'[worker.oci]\ncniConfigPath = "/etc/buildkit/{name}"\n')


# -- BK267 unused-network-settings ------------------------------------------------------


def test_bridge_keys_in_host_mode_are_unused() -> None:
    found = _found("BK267", '[worker.oci]\nnetworkMode = "host"\nbridgeSubnet = "10.20.0.0/16"\n')
    assert [f.message for f in found] == ["`worker.oci.bridgeSubnet` has no effect in `host` network mode"]


def test_mode_set_by_a_flag_is_named() -> None:
    [f] = _found("BK267", '[worker.oci]\nbridgeName = "bk1"\n', buildkitd_flags="--oci-worker-net=cni")
    assert "`--oci-worker-net=cni`" in f.message


def test_keys_of_the_active_mode_are_used() -> None:
    text = '[worker.oci]\nnetworkMode = "bridge"\nbridgeName = "bk1"\nbridgeSubnet = "10.20.0.0/16"\n'
    assert not _found("BK267", text)
    assert not _found("BK267", '[worker.oci]\ncniConfigPath = "/etc/buildkit/cni.json"\n')  # auto reads it
