"""Where a rule withholds its fix, or shapes it, so that ``--fix --unsafe-fixes`` cannot break a file."""

from __future__ import annotations

from bklint.linter.fix import fix_bytes
from bklint.linter.settings import Settings
from bklint.rules.base import Finding
from tests.conftest import lint


def _fixes(text: str, code: str, **settings: object) -> list[Finding]:
    return [f for f in lint(text, **settings).findings if f.code == code and f.fix is not None]


def _fix_all(text: str) -> str:
    outcome = fix_bytes(text.encode(), "buildkitd.toml", Settings(), unsafe=True)
    assert outcome.error is None, outcome.error
    return outcome.data.decode()


def test_two_tables_meant_for_the_same_registry_are_not_both_renamed_to_it():
    # Renamed together, both would become [registry."ghcr.io"]: a table defined twice.
    text = '[registry."https://ghcr.io"]\nhttp = true\n[registry."GHCR.io"]\ninsecure = true\n[registry."ghcr.io/"]\nca = []\n'
    assert len(_fixes(text, "BK207") + _fixes(text, "BK209")) == 1
    fixed = _fix_all(text)
    assert fixed.count('[registry."ghcr.io"]') == 1
    assert '[registry."GHCR.io"]' in fixed and '[registry."ghcr.io/"]' in fixed


def test_a_registry_is_renamed_in_every_table_and_dotted_key_that_names_it():
    text = (
        '[registry."Harbor.local"]\nhttp = false\n'
        '[[registry."Harbor.local".keypair]]\nkey = "/k.pem"\ncert = "/c.pem"\n'
        '[[registry."Harbor.local".keypair]]\nkey = "/k2.pem"\ncert = "/c2.pem"\n'
    )
    assert _fix_all(text) == text.replace("Harbor.local", "harbor.local")


def test_no_rename_to_a_name_that_cannot_match_either():
    text = '[registry."https://myregistry"]\nhttp = true\n'
    (finding,) = [f for f in lint(text).findings if f.code == "BK207"]
    assert finding.fix is None and "did you mean" not in finding.message


def test_comma_inside_a_quoted_filter_value_is_not_split():
    # `type=='a,b'` is one value: writing it unquoted in its own element would split it again.
    text = "[[worker.oci.gcpolicy]]\nfilters = [\"type=='a,b',type==regular\"]\nmaxUsedSpace = \"1GiB\"\n"
    assert not _fixes(text, "BK235")


def test_lowercasing_bridge_is_not_offered_where_bridge_does_not_exist():
    text = '[worker.oci]\nnetworkMode = "Bridge"\n'
    assert not _fixes(text, "BK260", target_version="v0.12")
    assert _fixes(text, "BK260", target_version="v0.13")


def test_every_binary_unit_is_written_in_one_fix():
    text = "".join(f'[[worker.oci.gcpolicy]]\nreservedSpace = "{n}GB"\n' for n in range(1, 13))
    (finding,) = _fixes(text, "BK239")
    assert finding.fix is not None and len(finding.fix.edits) == 12
    assert "GB" not in _fix_all(text).replace("GiB", "")


def test_mirror_v2_with_a_query_keeps_its_finding_without_a_no_op_fix():
    text = '[registry."docker.io"]\nmirrors = ["mirror.local/v2?ns=docker.io"]\n'
    (finding,) = [f for f in lint(text).findings if f.code == "BK211"]
    assert finding.fix is None
