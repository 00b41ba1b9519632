"""BK101–BK106: keys buildkitd ignores or matches only loosely."""

from __future__ import annotations

from tests.conftest import codes, lint


def messages(text: str, code: str) -> list[str]:
    return [f.message for f in lint(text).findings if f.code == code]


def test_unknown_key_suggests_the_key_with_other_separators_as_a_safe_rename() -> None:
    [finding] = [f for f in lint("[worker.oci]\nmax_parallelism = 4\n").findings if f.code == "BK101"]
    assert "did you mean `max-parallelism`" in finding.message
    assert finding.fix is not None and finding.fix.applicability == "safe"
    assert finding.fix.edits[0].content == "max-parallelism"


def test_unknown_key_guesses_are_unsafe_and_known_mistakes_get_advice() -> None:
    [guess] = [f for f in lint("[worker.oci]\nsnapshoter = \"native\"\n").findings if f.code == "BK101"]
    assert guess.fix is not None and guess.fix.applicability == "unsafe"
    assert "`selinux`" in messages("[worker.oci]\nselinuxEnabled = true\n", "BK101")[0]
    assert "insecure = true" in messages('[registry."r.io"]\ninsecure-registry = true\n', "BK101")[0]
    assert "credentials" in messages('[registry."r.io"]\nusername = "me"\n', "BK101")[0]


def test_no_guess_names_a_key_the_table_does_not_have_or_one_a_word_before_it_qualifies() -> None:
    # Real configs (corpus 042, 170): `networkMode` is no top-level key, and `cdiEnabled` is
    # about CDI, not about enabling the worker.
    assert "did you mean" not in messages("[network]\nhostGatewayHost = \"host-gateway\"\n", "BK101")[0]
    assert "did you mean" not in messages("[worker.oci]\ncdiEnabled = true\n", "BK101")[0]
    assert "did you mean `networkMode`" in messages('[worker.oci]\nnetwork = "host"\n', "BK101")[0]


def test_no_rename_onto_a_key_that_is_already_set_or_of_another_shape() -> None:
    [dup] = [f for f in lint("[worker.oci]\nmax_parallelism = 4\nmax-parallelism = 2\n").findings if f.code == "BK101"]
    assert dup.fix is None
    [table] = [f for f in lint("[worker.oci.network]\nmode = \"cni\"\n").findings if f.code == "BK101"]
    assert table.fix is None


def test_known_keys_are_not_reported() -> None:
    assert codes('[worker.oci]\nmax-parallelism = 4\n[registry."docker.io"]\nmirrors = ["mirror.gcr.io"]\n') == []


def test_each_dotted_statement_of_an_unknown_table_is_reported_on_its_line() -> None:
    result = lint("[worker.oci]\nttl.regular = 1\nttl.shared = 2\n")
    assert [(f.code, f.span.start.line) for f in result.findings] == [("BK101", 1), ("BK101", 2)]


def test_unquoted_dotted_registry_and_frontend_names_are_quoted_by_the_fix() -> None:
    [reg] = [f for f in lint("[registry.docker.io]\nmirrors = [\"m\"]\n").findings if f.code == "BK102"]
    assert reg.fix is not None and reg.fix.edits[0].content == '"docker.io"'
    assert "BK102" in codes("[frontend.dockerfile.v0]\nenabled = false\n")
    assert "BK102" not in codes('[registry."docker.io"]\nmirrors = ["m"]\n')


def test_a_key_in_the_wrong_table_names_the_right_one() -> None:
    [msg] = messages("max-parallelism = 4\n", "BK103")
    assert "`[worker.oci]`" in msg and "`[worker.containerd]`" in msg
    assert "BK101" not in codes("max-parallelism = 4\n")
    assert "`[[worker.oci.gcpolicy]]`" in messages("[worker.oci]\nkeepDuration = \"48h\"\n", "BK103")[0]


def test_case_insensitive_matches_are_information_with_a_safe_fix() -> None:
    [finding] = lint("[worker.oci]\nMax-Parallelism = 4\n").findings
    assert finding.code == "BK104" and finding.fix is not None and finding.fix.edits[0].content == "max-parallelism"
    assert codes("[worker.oci]\nmax-parallelism = 4\n") == []


def test_two_spellings_of_one_key_keep_the_last() -> None:
    [finding] = [f for f in lint("[worker.oci]\ngc = true\nGC = false\n").findings if f.code == "BK105"]
    assert finding.span.start.line == 2 and finding.related


def test_registry_table_must_be_lowercase_for_buildx() -> None:
    assert "BK106" in codes('[Registry."r.io"]\nmirrors = ["m"]\n')
    assert "BK106" not in codes('[registry."r.io"]\nmirrors = ["m"]\n')


def test_a_suggestion_never_leads_to_a_type_error() -> None:
    """`gc` is a boolean in `[worker.*]`: a `[gc]` table must not be sent there."""
    (gc,) = [f for f in lint("[gc]\nenabled = true\n").findings if f.code in ("BK101", "BK103")]
    assert "worker" not in gc.message
    moved = [f for f in lint('[registry."docker.io"]\nnetworkMode = "host"\n').findings if f.code == "BK103"]
    assert moved and "[worker.oci]" in moved[0].message


def test_dns_list_in_a_worker_points_to_dns_nameservers() -> None:
    (dns,) = [f for f in lint('[worker.oci]\ndns = ["8.8.8.8"]\n').findings if f.code == "BK101"]
    assert "`[dns] nameservers" in dns.message


def test_fuzzy_suggestions_stop_after_the_limit_but_exact_respellings_do_not() -> None:
    """A hostile file with thousands of unknown keys must not pay difflib for each one."""
    from bklint.rules.catalog.keys.diagnosis import FUZZY_LIMIT

    many = "".join(f"[worker.oci.x{i}]\n" for i in range(FUZZY_LIMIT))
    text = many + "[worker.oci]\nmax_parallelizm = 4\nmax_parallelism = 4\n"
    messages = [f.message for f in lint(text).findings if f.code == "BK101"]
    assert not any("parallelizm" in m and "did you mean" in m for m in messages)
    assert any("max_parallelism" in m and "did you mean `max-parallelism`" in m for m in messages)
