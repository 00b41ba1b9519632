"""The daemon-flag parser (bklint.rules.daemon_flags), the effective config, and BK501–BK519.

Flag strings are taken from real workflows and scripts (setup-buildx-action
``buildkitd-flags`` inputs, ``docker buildx create --buildkitd-flags`` lines) and from the
reference.
"""

from __future__ import annotations

import pytest

from bklint.linter.run import lint_flags as run_flags
from bklint.linter.settings import Settings
from bklint.rules.base import FILE_START, Finding, Severity
from bklint.rules.daemon_flags.command_line import parse_flags, split_flags
from bklint.rules.daemon_flags.flag_values import go_parse_int, parse_keepstorage
from bklint.rules.daemon_flags.overlay import effective
from bklint.rules.daemon_flags.table import FLAGS, lookup
from bklint.rules.schema.values import DiskSpace
from tests.conftest import lint


def lint_flags(flags: str) -> list[Finding]:
    """Every rule on a flags string alone (no config file), as for a workflow input."""
    return run_flags(flags, None, Settings())


def _found(code: str, text: str = "", **settings: object) -> list[Finding]:
    return [f for f in lint(text, **settings).findings if f.code == code]


def _flags(flags: str, text: str = "") -> list[str]:
    return sorted(
        f.code for f in lint(text, buildkitd_flags=flags).findings if f.code.startswith(("BK26", "BK5"))
    )


# -- splitting and parsing ---------------------------------------------------------------


def test_setup_buildx_action_default_flags() -> None:
    parsed = parse_flags(
        "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host"
    )
    assert [(u.spec.name, u.value) for u in parsed.uses] == [
        ("allow-insecure-entitlement", "security.insecure"),
        ("allow-insecure-entitlement", "network.host"),
    ]
    assert not parsed.unknown and not parsed.positional and not parsed.missing_value


def test_multi_line_yaml_block_is_split_on_newlines() -> None:
    parsed = parse_flags(
        "--allow-insecure-entitlement security.insecure\n--allow-insecure-entitlement network.host\n"
    )
    assert [u.value for u in parsed.uses] == ["security.insecure", "network.host"]


def test_equals_separate_value_single_dash_and_boolean_forms() -> None:
    parsed = parse_flags(
        "-debug --oci-worker-gc-keepstorage=204800 --oci-worker-net host --oci-worker-gc=false"
    )
    assert [(u.spec.name, u.value) for u in parsed.uses] == [
        ("debug", "true"),
        ("oci-worker-gc-keepstorage", "204800"),
        ("oci-worker-net", "host"),
        ("oci-worker-gc", "false"),
    ]


def test_a_boolean_flag_never_takes_the_next_word() -> None:
    parsed = parse_flags("--debug false")
    assert [(u.spec.name, u.value) for u in parsed.uses] == [("debug", "true")]
    assert [w.text for w in parsed.positional] == ["false"]


def test_a_string_flag_takes_the_next_word_even_if_it_looks_like_a_flag() -> None:
    parsed = parse_flags("--root --debug")
    assert [(u.spec.name, u.value) for u in parsed.uses] == [("root", "--debug")]


def test_shell_quoting_as_buildx_splits() -> None:
    split = split_flags(
        """--oci-worker-labels 'team=build x' "--root=/var/lib/my \\"bk\\"" a\\ b # comment"""
    )
    assert [t.text for t in split.tokens] == [
        "--oci-worker-labels",
        "team=build x",
        '--root=/var/lib/my "bk"',
        "a b",
    ]
    assert split.error is None


def test_hash_inside_a_word_is_not_a_comment() -> None:
    assert [t.text for t in split_flags("--root=/a#b").tokens] == ["--root=/a#b"]


def test_unclosed_quote_is_a_split_error() -> None:
    assert split_flags("--root '/var/lib").error == "EOF found when expecting closing quote"
    assert split_flags("--debug \\").error == "EOF found after escape character"


def test_token_offsets_point_into_the_flags_string() -> None:
    text = "--debug  --oci-worker-net cni"
    [debug, net] = parse_flags(text).uses
    assert text[debug.start : debug.end] == "--debug"
    assert text[net.start : net.end] == "--oci-worker-net cni"


def test_double_dash_ends_the_flags() -> None:
    parsed = parse_flags("--debug -- --oci-worker-net=cni")
    assert [u.spec.name for u in parsed.uses] == ["debug"]
    assert parsed.stopped is not None


def test_help_and_version_aliases() -> None:
    assert [u.spec.name for u in parse_flags("-v -h").uses] == ["version", "help"]


def test_windows_service_flags_are_unknown_on_linux() -> None:
    assert lookup("register-service") is None
    assert lookup("register-service", windows=True) is FLAGS["register-service"]


def test_every_worker_flag_maps_to_keys() -> None:
    for spec in FLAGS.values():
        if spec.how != "none":
            assert spec.keys, spec.name
    assert FLAGS["allow-insecure-entitlement"].how == "replace"
    assert FLAGS["oci-worker-labels"].how == "merge"
    assert FLAGS["oci-cni-config-path"].how == "blank"
    assert FLAGS["containerd-cni-config-path"].how == "set"
    assert FLAGS["oci-max-parallelism"].since == "v0.24.0"
    assert FLAGS["log-level"].since == "v0.30.0"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4", 4),
        ("0x10", 16),
        ("010", 8),
        ("1_000", 1000),
        ("-1", -1),
        ("x", None),
        ("1_", None),
        ("4.0", None),
        ("9223372036854775808", None),
    ],
)
def test_integers_parse_as_go_parseint_base_0(text: str, value: int | None) -> None:
    assert go_parse_int(text) == value


def test_keepstorage_is_decimal_megabytes_and_missing_parts_are_zero() -> None:
    assert parse_keepstorage("10000") == (DiskSpace(bytes=10_000_000_000), DiskSpace(), DiskSpace())
    assert parse_keepstorage("1,2,3")[2] == DiskSpace(bytes=3_000_000)
    assert isinstance(parse_keepstorage("10000mb"), str)
    assert isinstance(parse_keepstorage("1,2,3,4"), str)  # SplitN(…, 3): "3,4" is not a number


# -- the effective config ---------------------------------------------------------------


def test_flags_win_over_the_file_and_remember_what_they_replaced() -> None:
    result = lint(
        '[worker.oci]\nnetworkMode = "bridge"\nmax-parallelism = 2\n', buildkitd_flags="--oci-worker-net=host"
    )
    assert result.context is not None
    eff = effective(result.context)
    net = eff.get("worker", "oci", "networkMode")
    assert net is not None and net.value == "host" and net.flag is not None and net.replaced is not None
    assert eff.value("worker", "oci", "max-parallelism") == 2
    assert eff.note("worker", "oci", "max-parallelism") == ""
    assert eff.note("worker", "oci", "networkMode") == " (from --buildkitd-flags)"
    assert eff.span(result.context, "worker", "oci", "networkMode") == FILE_START


def test_entitlement_flags_replace_and_label_flags_merge() -> None:
    text = 'insecure-entitlements = ["security.insecure"]\n[worker.oci.labels]\na = "1"\nb = "2"\n'
    result = lint(text, buildkitd_flags="--allow-insecure-entitlement network.host --oci-worker-labels b=3")
    assert result.context is not None
    eff = effective(result.context)
    assert eff.value("insecure-entitlements") == ["network.host"]
    assert eff.value("worker", "oci", "labels") == {"a": "1", "b": "3"}


def test_oci_cni_config_path_flag_blanks_the_path_but_the_containerd_one_works() -> None:
    result = lint(
        '[worker.oci]\ncniConfigPath = "/etc/x.conflist"\n',
        buildkitd_flags="--oci-cni-config-path=/a.conflist --containerd-cni-config-path=/b.conflist",
    )
    assert result.context is not None
    eff = effective(result.context)
    assert eff.value("worker", "oci", "cniConfigPath") == ""
    assert eff.value("worker", "containerd", "cniConfigPath") == "/b.conflist"


def test_debug_then_log_level_as_buildkitd_applies_them() -> None:
    result = lint('[log]\nlevel = "warn"\n', buildkitd_flags="--log-level=info --debug")
    assert result.context is not None
    assert effective(result.context).value("log", "level") == "info"


def test_rootless_flag_sets_both_workers() -> None:
    result = lint("", buildkitd_flags="--rootless")
    assert result.context is not None
    eff = effective(result.context)
    assert eff.rootless("oci") is True and eff.rootless("containerd") is True
    assert effective(lint("").context).rootless("oci") is None  # type: ignore[arg-type]


def test_lint_flags_needs_no_toml_file() -> None:
    findings = lint_flags("--oci-worker-net=foo --oci-max-parallelism=x")
    assert sorted(f.code for f in findings) == ["BK260", "BK505"]
    assert all(f.span == FILE_START and f.message.endswith("(from --buildkitd-flags)") for f in findings)
    assert all(f.flags_span is not None for f in findings)


def test_real_world_good_flags_are_clean() -> None:
    for flags in (
        "--debug",
        "--cdi-disabled",
        "--log-level=info",
        "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host",
        "--allow-insecure-entitlement=security.insecure --allow-insecure-entitlement=network.host "
        "--oci-worker-net=host --oci-worker-gc-keepstorage=204800",
        "--oci-worker-gc --oci-worker-gc-keepstorage=1024 --oci-max-parallelism=1",
        "--config=/etc/buildkit/buildkitd.toml",
    ):
        assert lint_flags(flags) == [], flags


# -- BK501 flags-syntax-error -----------------------------------------------------------


def test_unclosed_quote_fails_buildx() -> None:
    [f] = _found("BK501", buildkitd_flags="--debug --root '/var/lib/buildkit")
    assert "failed to parse buildkit flags" in f.message and f.severity is Severity.ERROR
    assert not _found("BK501", buildkitd_flags="--debug --root '/var/lib/buildkit'")


# -- BK502 unknown-flag / BK503 not-a-daemon-flag ---------------------------------------


def test_unknown_flag_with_did_you_mean() -> None:
    [f] = _found("BK502", buildkitd_flags="--oci-worker-gc-keep-storage=10000")
    assert "flag provided but not defined: -oci-worker-gc-keep-storage" in f.message
    assert "`--oci-worker-gc-keepstorage`" in f.message
    assert f.span == FILE_START and f.message.endswith("(from --buildkitd-flags)")


def test_config_key_given_as_a_flag_points_to_the_key() -> None:
    [f] = _found("BK502", buildkitd_flags="--max-used-space 10GB\n--oci-worker-gc-keepstorage 2000")
    assert "maxUsedSpace" in f.message


def test_known_flags_are_not_unknown() -> None:
    assert not _found(
        "BK502", buildkitd_flags="--oci-cni-binary-dir=/opt/cni/bin --containerd-worker-addr /x.sock"
    )


def test_buildx_options_in_the_daemon_flags() -> None:
    [f] = _found("BK503", buildkitd_flags="--driver-opt network=host --debug")
    assert "docker buildx create --driver-opt" in f.message
    assert not _found("BK502", buildkitd_flags="--driver-opt network=host")
    assert not _found("BK503", buildkitd_flags="--debug")


# -- BK504 flag-missing-value -----------------------------------------------------------


def test_flag_without_its_value() -> None:
    [f] = _found("BK504", buildkitd_flags="--debug --oci-max-parallelism")
    assert "flag needs an argument" in f.message
    assert not _found("BK504", buildkitd_flags="--debug --oci-max-parallelism 4")


# -- BK505 invalid-flag-value -----------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        "--oci-max-parallelism=x",
        "--debug=yes",
        "--oci-worker=maybe",
        "--oci-worker-gc-keepstorage 10000mb",
        "--oci-worker-labels team",
        "--log-format=JSON",
        "--log-level=verbose",
        "--oci-worker-snapshotter=overlay",
    ],
)
def test_values_buildkitd_cannot_parse(flags: str) -> None:
    [f] = _found("BK505", buildkitd_flags=flags)
    assert "refuses to start" in f.message


def test_parseable_values_pass() -> None:
    flags = (
        "--oci-max-parallelism=0x4 --debug=1 --oci-worker=auto --oci-worker-gc-keepstorage=1,2,3 "
        "--oci-worker-labels team=build --log-format=json --log-level=WARN --oci-worker-snapshotter=native"
    )
    assert not _found("BK505", buildkitd_flags=flags)


def test_proxy_snapshotter_accepts_any_snapshotter_name() -> None:
    text = '[worker.oci]\nproxySnapshotterPath = "/run/sn.sock"\n'
    assert not _found("BK505", text, buildkitd_flags="--oci-worker-snapshotter=mysnap")


# -- BK506 invalid-entitlement-flag -----------------------------------------------------


def test_comma_joined_entitlements_are_one_invalid_name() -> None:
    [f] = _found("BK506", buildkitd_flags="--allow-insecure-entitlement security.insecure,network.host")
    assert "invalid entitlement : security.insecure,network.host" in f.message
    assert "one name per flag" in f.message


def test_valid_entitlements_pass() -> None:
    assert not _found(
        "BK506",
        buildkitd_flags="--allow-insecure-entitlement device --allow-insecure-entitlement=network.host",
    )


# -- BK507 ignored-flag-argument --------------------------------------------------------


def test_boolean_flag_with_a_separate_false_stays_on() -> None:
    [f] = _found("BK507", buildkitd_flags="--oci-worker-gc false")
    assert "`--oci-worker-gc=false`" in f.message and "turns it on" in f.message


def test_stray_word_drops_later_flags_on_old_releases() -> None:
    [f] = _found("BK507", buildkitd_flags="stray --debug", target_version="v0.30")
    assert "before v0.31" in f.message


def test_no_stray_words_pass() -> None:
    assert not _found("BK507", buildkitd_flags="--oci-worker-gc=false --debug")


# -- BK508 config-flag-overrides-file ---------------------------------------------------


def test_user_config_flag_makes_the_file_ignored() -> None:
    [f] = _found("BK508", "debug = true\n", buildkitd_flags="--debug\n--config=/tmp/buildkitd.toml")
    assert "this file is ignored" in f.message


def test_the_buildx_config_path_is_fine() -> None:
    assert not _found("BK508", buildkitd_flags="--config=/etc/buildkit/buildkitd.toml")


# -- BK509 oci-cni-config-path-flag -----------------------------------------------------


def test_oci_cni_config_path_in_cni_mode_is_fatal() -> None:
    text = '[worker.oci]\nnetworkMode = "cni"\ncniConfigPath = "/etc/buildkit/cni.conflist"\n'
    [f] = _found("BK509", text, buildkitd_flags="--oci-cni-config-path=/etc/buildkit/cni.conflist")
    assert f.severity is Severity.ERROR
    assert "oci-cni-worker-path" in f.message and 'failed to read cni config ""' in f.message
    assert "/etc/buildkit/cni.conflist" in f.message  # the file's value is lost too


def test_oci_cni_config_path_in_auto_mode_falls_back_to_host() -> None:
    [f] = _found("BK509", buildkitd_flags="--oci-cni-config-path /x.json")
    assert f.severity is Severity.WARNING and "host networking" in f.message


def test_containerd_cni_config_path_works() -> None:
    assert not _found("BK509", buildkitd_flags="--containerd-cni-config-path /x.conflist")


# -- BK510 no-process-sandbox-flag-without-rootless -------------------------------------


def test_no_process_sandbox_flag_without_rootless() -> None:
    [f] = _found("BK510", buildkitd_flags="--oci-worker-no-process-sandbox")
    assert f.severity is Severity.WARNING and "NoProcessSandbox" in f.message
    [g] = _found(
        "BK510", "[worker.oci]\nrootless = false\n", buildkitd_flags="--oci-worker-no-process-sandbox"
    )
    assert g.severity is Severity.ERROR


def test_no_process_sandbox_flag_with_rootless_passes() -> None:
    assert not _found(
        "BK510", "[worker.oci]\nrootless = true\n", buildkitd_flags="--oci-worker-no-process-sandbox"
    )
    assert not _found("BK510", buildkitd_flags="--rootless --oci-worker-no-process-sandbox")


# -- BK511 entitlements-replaced-by-flags -----------------------------------------------


def test_file_entitlements_lost_to_the_flags() -> None:
    text = 'insecure-entitlements = ["security.insecure"]\n'
    [f] = _found("BK511", text, buildkitd_flags="--allow-insecure-entitlement network.host")
    assert "`security.insecure` is not allowed" in f.message
    assert f.span.start.line == 0 and f.span.start.column > 0  # on the file's list


def test_flags_that_repeat_the_file_list_pass() -> None:
    text = 'insecure-entitlements = ["security.insecure"]\n'
    flags = "--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host"
    assert not _found("BK511", text, buildkitd_flags=flags)


# -- BK512 flag-overrides-key -----------------------------------------------------------


def test_overridden_file_value_is_pointed_at() -> None:
    [f] = _found("BK512", '[worker.oci]\nnetworkMode = "bridge"\n', buildkitd_flags="--oci-worker-net=host")
    assert f.severity is Severity.INFO and f.span.start.line == 1
    assert "overridden by `--oci-worker-net=host`" in f.message


def test_keepstorage_flag_zeroes_the_parts_it_leaves_out() -> None:
    text = '[worker.oci]\nmaxUsedSpace = "50GB"\n'
    [f] = _found("BK512", text, buildkitd_flags="--oci-worker-gc-keepstorage=10000")
    assert "unset (0)" in f.message


def test_same_value_in_flag_and_file_passes() -> None:
    assert not _found(
        "BK512", '[worker.oci]\nnetworkMode = "host"\n', buildkitd_flags="--oci-worker-net=host"
    )


# -- BK513 keepstorage-flag-ignored -----------------------------------------------------


def test_keepstorage_flag_with_gcpolicy_rules_has_no_effect() -> None:
    text = '[[worker.oci.gcpolicy]]\nkeepDuration = "48h"\n'
    [f] = _found("BK513", text, buildkitd_flags="--oci-worker-gc-keepstorage=20000")
    assert "gcpolicy" in f.message


def test_keepstorage_flag_with_gc_off() -> None:
    assert _found("BK513", buildkitd_flags="--oci-worker-gc=false --oci-worker-gc-keepstorage=20000")


def test_keepstorage_flag_shaping_the_default_policy_passes() -> None:
    assert not _found("BK513", buildkitd_flags="--oci-worker-gc --oci-worker-gc-keepstorage=20000")


# -- BK514 exiting-flag -----------------------------------------------------------------


def test_version_flag_stops_the_builder() -> None:
    [f] = _found("BK514", buildkitd_flags="-v")
    assert "exits" in f.message and "--debug" in f.message
    assert not _found("BK514", buildkitd_flags="--debug")


# -- BK515 worker-rootless-flag ---------------------------------------------------------


def test_worker_rootless_flag() -> None:
    [f] = _found("BK515", buildkitd_flags="--oci-worker-rootless")
    assert "mapped root in a user namespace" in f.message
    assert not _found("BK515", buildkitd_flags="--rootless")


# -- BK516 deprecated-trace-flag --------------------------------------------------------


def test_trace_flag_is_deprecated() -> None:
    [f] = _found("BK516", buildkitd_flags="--trace")
    assert "--log-level=trace" in f.message
    assert not _found("BK516", buildkitd_flags="--trace", target_version="v0.29")
    assert not _found("BK516", buildkitd_flags="--log-level=trace")


# -- BK517 repeated-flag ----------------------------------------------------------------


def test_single_value_flag_given_twice() -> None:
    [f] = _found("BK517", buildkitd_flags="--oci-worker-net=host --oci-worker-net=bridge")
    assert "`--oci-worker-net=bridge`" in f.message
    assert not _found(
        "BK517", buildkitd_flags="--addr unix:///run/buildkit/buildkitd.sock --addr tcp://127.0.0.1:1234"
    )


# -- BK518 flag-newer-than-target -------------------------------------------------------


def test_flag_newer_than_the_target_release() -> None:
    [f] = _found("BK518", buildkitd_flags="--log-level=debug", target_version="v0.29")
    assert "v0.30.0" in f.message
    assert not _found("BK518", buildkitd_flags="--log-level=debug", target_version="v0.30")
    assert not _found("BK518", buildkitd_flags="--log-level=debug")


# -- BK519 addr-flag-drops-socket -------------------------------------------------------


def test_addr_without_the_default_socket() -> None:
    [f] = _found("BK519", buildkitd_flags="--addr tcp://0.0.0.0:1234")
    assert "buildctl dial-stdio" in f.message


def test_addr_keeping_the_default_socket_passes() -> None:
    flags = "--addr unix:///run/buildkit/buildkitd.sock --addr tcp://0.0.0.0:1234"
    assert not _found("BK519", buildkitd_flags=flags)


def test_flag_codes_summary_for_a_realistic_bad_block() -> None:
    flags = "--allow-insecure-entitlement security.insecure\n--oci-worker-gc-keepstorage 10000mb\n--max-used-space 10GB\n"
    assert _flags(flags) == ["BK502", "BK505"]
