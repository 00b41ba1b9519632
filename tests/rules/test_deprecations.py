"""BK401–BK413: deprecated spellings and what a target BuildKit release reads differently."""

from __future__ import annotations

import pytest

from bklint.linter.fix import fix_data
from bklint.linter.run import rules
from bklint.linter.settings import Settings
from bklint.rules.base import Finding, registered
from tests.conftest import codes, lint


def _fixed(text: str, target: str | None = None, unsafe: bool = False) -> str:
    """The text after this family's fixes (other rules' fixes are left out)."""
    settings = Settings()
    settings.rules.target_version = target

    def accept(f: Finding) -> bool:
        return f.code.startswith("BK4") and f.fix is not None and (unsafe or f.fix.applicability == "safe")

    outcome = fix_data(text.encode(), "buildkitd.toml", settings, accept)
    assert outcome.error is None, outcome.error
    return outcome.data.decode()


def _only(code: str, text: str, **settings: object) -> list[str]:
    return [f.message for f in lint(text, **settings).findings if f.code == code]


# --- BK401 ---


def test_debug_is_deprecated_and_fixed_into_log_level() -> None:
    assert "BK401" in codes("debug = true\n")
    assert _fixed("debug = true\n[worker.oci]\nenabled = true\n") == (
        '[worker.oci]\nenabled = true\n\n[log]\nlevel = "debug"\n'
    )


def test_trace_wins_over_debug_and_goes_into_an_existing_log_table() -> None:
    assert _fixed('debug = true\ntrace = true\n[log]\nformat = "json"\n') == '[log]\nformat = "json"\nlevel = "trace"\n'


def test_debug_next_to_log_level_is_dead_and_removal_is_unsafe() -> None:
    text = 'debug = true\n[log]\nlevel = "warn"\n'
    (message,) = _only("BK401", text)
    assert "ignores `debug`" in message
    assert _fixed(text) == text
    assert _fixed(text, unsafe=True) == '[log]\nlevel = "warn"\n'


def test_debug_false_is_just_removed() -> None:
    assert _fixed("debug = false\nroot = \"/x\"\n") == 'root = "/x"\n'


def test_only_a_true_value_is_said_to_log_a_warning_at_start() -> None:
    """cmd/buildkitd/main.go warns on `cfg.Debug`/`cfg.Trace`, i.e. only when true."""
    (silent,) = _only("BK401", "debug = false\n")
    assert "deprecated since v0.30" in silent
    assert "warning" not in silent
    (loud,) = _only("BK401", "trace = true\n")
    assert "logs a warning at start" in loud


def test_debug_is_not_deprecated_for_targets_before_v0_30() -> None:
    assert "BK401" not in codes("debug = true\n", target_version="v0.29")
    assert "BK401" in codes("debug = true\n", target_version="v0.30")


# --- BK402 / BK403 ---


def test_gckeepstorage_renamed_when_alone() -> None:
    assert _fixed('[worker.oci]\ngckeepstorage = "10GB" # c\n') == '[worker.oci]\nreservedSpace = "10GB" # c\n'


def test_gckeepstorage_next_to_reserved_space_is_reported_as_ignored() -> None:
    text = '[worker.containerd]\ngckeepstorage = "10GB"\nmaxUsedSpace = "50GB"\n'
    (message,) = _only("BK402", text)
    assert "ignored here because `maxUsedSpace` is set" in message
    assert _fixed(text) == text
    assert _fixed(text, unsafe=True) == '[worker.containerd]\nmaxUsedSpace = "50GB"\n'


def test_gckeepstorage_kept_for_old_targets() -> None:
    assert "BK402" not in codes('[worker.oci]\ngckeepstorage = "10GB"\n', target_version="v0.16")


def test_keepbytes_per_rule() -> None:
    text = "[[worker.oci.gcpolicy]]\nkeepBytes = 1\n[[worker.oci.gcpolicy]]\nkeepBytes = 2\nreservedSpace = 3\n"
    assert len(_only("BK403", text)) == 2
    assert _fixed(text) == text.replace("keepBytes = 1", "reservedSpace = 1")


# --- BK404 ---


def test_ghacache_reported_once_per_table_not_also_as_unknown() -> None:
    found = codes('[ghacache.sign]\ncmd = ""\n[ghacache.verify]\nrequired = true\n')
    assert found.count("BK404") == 2
    assert "BK101" not in found


def test_ghacache_fix_splits_a_command_string() -> None:
    assert (
        _fixed('[ghacache.sign]\ncmd = "cosign sign-blob -"\n', unsafe=True)
        == '[cache.gha.sign]\ncommand = ["cosign", "sign-blob", "-"]\n'
    )


def test_ghacache_not_fixed_when_cache_gha_exists() -> None:
    text = "[cache.gha.verify]\nrequired = true\n[ghacache.sign]\ncmd = \"\"\n"
    (message,) = _only("BK404", text)
    assert "merge the two by hand" in message
    assert _fixed(text, unsafe=True) == text


# --- BK405 ---


def test_sigstore_legacy_fields() -> None:
    text = '[cache.gha.verify.policy]\ngithubWorkflowRef = "refs/heads/main"\ngithubWorkflowRepository = "o/r"\n'
    assert len(_only("BK405", text)) == 2
    assert _fixed(text, unsafe=True) == text.replace("githubWorkflowRef", "sourceRepositoryRef")


# --- BK410–BK413 ---


def test_unknown_at_target() -> None:
    text = "proxyNetwork = true\n[worker.oci]\nmax-parallelism = 4\n"
    (message,) = _only("BK410", text, target_version="v0.30")
    assert "read only since v0.31" in message
    assert not _only("BK410", text)  # no target, no version judgement
    assert not _only("BK410", text, target_version="v0.31")


def test_older_spelling_for_old_targets() -> None:
    assert _fixed('[worker.oci]\nreservedSpace = "1GB"\n', target="v0.16") == '[worker.oci]\ngckeepstorage = "1GB"\n'
    # Next to maxUsedSpace, gckeepstorage would be ignored: no rename offered.
    text = '[worker.oci]\nreservedSpace = "1GB"\nmaxUsedSpace = "2GB"\n'
    assert _fixed(text, target="v0.16") == text


def test_string_durations_before_v0_12() -> None:
    text = '[history]\nmaxAge = "48h"\n'
    assert _only("BK411", text, target_version="v0.11")
    assert not _only("BK411", text, target_version="v0.12")
    assert _fixed(text, target="v0.11") == "[history]\nmaxAge = 172800\n"
    assert _fixed('[[worker.oci.gcpolicy]]\nkeepBytes = "10%"\n', target="v0.11").endswith('"10%"\n')


@pytest.mark.parametrize(
    ("written", "ignored"),
    [("max-parallelism", False), ("MAX-PARALLELISM", False), ("Max-Parallelism", True), ("max-Parallelism", True)],
)
def test_go_toml_v1_key_matching(written: str, ignored: bool) -> None:
    text = f"[worker.oci]\n{written} = 4\n"
    assert bool(_only("BK412", text, target_version="v0.27")) is ignored
    assert not _only("BK412", text, target_version="v0.28")


def test_lower_first_spelling_is_accepted_by_go_toml_v1() -> None:
    assert not _only("BK412", "[worker.oci]\nnetworkMode = \"host\"\n", target_version="v0.20")
    assert not _only("BK412", "[worker.oci]\nnetworkmode = \"host\"\n", target_version="v0.20")
    assert _only("BK412", "[worker.oci]\nNetworkMode = \"host\"\n", target_version="v0.20")


def test_hex_and_underscore_integers_before_v0_28() -> None:
    text = "[[worker.oci.gcpolicy]]\nkeepDuration = 0x10\n"
    (message,) = _only("BK413", text, target_version="v0.27")
    assert "read as 16" in message and "v0.28 and later refuse it" in message
    assert not _only("BK413", text, target_version="v0.28")
    assert _fixed(text, target="v0.27") == "[[worker.oci.gcpolicy]]\nkeepDuration = 16\n"


def test_every_rule_documents_why_and_fix() -> None:
    rules()
    for code in ("BK401", "BK402", "BK403", "BK404", "BK405", "BK410", "BK411", "BK412", "BK413"):
        doc = registered()[code].docs()
        assert "**Why**" in doc and "**Fix**" in doc, code
