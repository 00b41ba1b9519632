"""Each syntax problem says what refuses it, so BK001 decides "only buildx refuses this" from
the parser's verdict and never from the wording of its message."""

from __future__ import annotations

import pytest

from bklint.linter.parse import parse
from bklint.rules.startup import BUILDX_REFUSES
from tests.conftest import lint


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("a = 1__2\n", "value"),
        ("a = 1_\n", "value"),
        ("a = +012\n", "value"),
        ("a = -01.5\n", "value"),
        ("a = 99999999999999999999\n", "value"),
        ("a = .5\n", "value"),
        ("a = 2023-02-30\n", "value"),
        ("a = 1\na = 2\n", "duplicate-key"),
        ("a = underscore\n", "syntax"),
        ('a = "x\x01"\n', "syntax"),
        ("[a]\n[a]\n", "syntax"),
        ("a = 1.2.3\n", "syntax"),
    ],
)
def test_each_problem_carries_what_refuses_it(text: str, kind: str) -> None:
    assert [p.kind for p in parse(text).problems] == [kind]


def bk001(text: str) -> list[str]:
    return [f.message for f in lint(text).findings if f.code == "BK001"]


def test_a_value_buildkitd_skips_under_an_unknown_key_is_refused_by_buildx_only() -> None:
    (message,) = bk001("[worker.oci]\nfrobnicate = 1__2\n")
    assert message.endswith(BUILDX_REFUSES.phrase)


def test_a_duplicate_key_in_an_unknown_table_is_refused_by_buildx_only() -> None:
    (message,) = bk001("[frobnicate]\na = 1\na = 2\n")
    assert message.endswith(BUILDX_REFUSES.phrase)


def test_a_header_on_a_name_taken_in_an_unknown_table_is_refused_by_buildx_only() -> None:
    # buildkitd's decoder skips the unknown table's keys without recording their names.
    (message,) = bk001('[gha]\nsign = { command = ["cosign"] }\n[gha.sign]\n')
    assert message.endswith(BUILDX_REFUSES.phrase)
    (message,) = bk001("[worker.oci]\nfoo = {a = 1}\n[worker.oci.foo]\n")
    assert not message.endswith(BUILDX_REFUSES.phrase)


def test_a_message_that_happens_to_hold_the_words_is_still_refused_by_both() -> None:
    # The bare word is echoed in the message; the old wording match took it for a value
    # buildkitd skips. go-toml refuses a bare word wherever it stands.
    (message,) = bk001("[frobnicate]\na = underscore\n")
    assert "underscore" in message
    assert not message.endswith(BUILDX_REFUSES.phrase)


def test_a_known_key_keeps_the_plain_error() -> None:
    (message,) = bk001("[worker.oci]\nmax-parallelism = 1__2\n")
    assert not message.endswith(BUILDX_REFUSES.phrase)
