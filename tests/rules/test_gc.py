"""GC rules (BK230–BK239): a bad and a good config each, the filter parser, and fixes."""

from __future__ import annotations

import pytest

from bklint.linter.fix import apply_edits, fix_data
from bklint.linter.settings import Settings
from bklint.rules.base import Severity
from bklint.rules.catalog.gc.filters import FilterError, parse_filter
from tests.conftest import lint

RULE = "[[worker.oci.gcpolicy]]\n"
CASES = {
    "BK230": ('[worker.oci]\nmaxUsedSpace = "150%"\n', '[worker.oci]\nmaxUsedSpace = "80%"\n'),
    "BK231": (
        RULE + 'reservedSpace = "50GB"\nmaxUsedSpace = "20GB"\n',
        RULE + 'reservedSpace = "10GB"\nmaxUsedSpace = "20GB"\n',
    ),
    "BK232": ('[worker.oci]\nminFreeSpace = "100%"\n', '[worker.oci]\nminFreeSpace = "20%"\n'),
    "BK233": (RULE + "all = true\n", RULE + 'all = true\nmaxUsedSpace = "50GB"\n'),
    "BK234": (
        RULE + 'filters = ["type=regular"]\nmaxUsedSpace = 1000\n',
        RULE + 'filters = ["type==regular", "inuse", "description~=/^pull/"]\nmaxUsedSpace = 1000\n',
    ),
    "BK235": (
        RULE + 'filters = ["type==source.local,type==exec.cachemount"]\nmaxUsedSpace = 1000\n',
        RULE + 'filters = ["type==source.local", "type==exec.cachemount"]\nmaxUsedSpace = 1000\n',
    ),
    "BK236": ("[worker.oci]\ngc = false\n" + RULE + "maxUsedSpace = 1000\n", "[worker.oci]\ngc = false\n"),
    "BK237": (
        '[worker.oci]\nmaxUsedSpace = "50GB"\n' + RULE + "maxUsedSpace = 1000\n",
        '[worker.oci]\nmaxUsedSpace = "50GB"\n',
    ),
    "BK238": (
        RULE + 'keepDuration = "336h"\nreservedSpace = "80GB"\n',
        RULE
        + 'keepDuration = "336h"\nreservedSpace = "80GB"\n'
        + RULE
        + 'all = true\nmaxUsedSpace = "120GB"\n',
    ),
    "BK239": ('[worker.oci]\nmaxUsedSpace = "20GB"\n', '[worker.oci]\nmaxUsedSpace = "20GiB"\n'),
}


def _codes(text: str) -> list[str]:
    return [f.code for f in lint(text).findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_config_is_reported(code: str) -> None:
    assert code in _codes(CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_config_is_not_reported(code: str) -> None:
    assert code not in _codes(CASES[code][1])


def test_percentages_are_compared_only_with_percentages() -> None:
    assert "BK231" not in _codes(RULE + 'reservedSpace = "50%"\nmaxUsedSpace = "20GB"\n')
    assert "BK231" in _codes(RULE + 'reservedSpace = "50%"\nmaxUsedSpace = "20%"\n')


def test_keep_bytes_counts_as_reserved_space() -> None:
    assert "BK231" in _codes(RULE + 'keepBytes = "50GB"\nmaxUsedSpace = "20GB"\n')


def test_negative_keep_duration_with_a_size_is_information() -> None:
    text = RULE + 'keepDuration = "-1h"\nmaxUsedSpace = 1000\n'
    [finding] = [f for f in lint(text).findings if f.code == "BK233"]
    assert finding.severity == Severity.INFO


def test_unknown_filter_field_and_type_are_warnings() -> None:
    text = RULE + 'filters = ["Type==regular", "type==cachemount"]\nmaxUsedSpace = 1000\n'
    found = [f for f in lint(text).findings if f.code == "BK234"]
    assert len(found) == 2
    assert all(f.severity == Severity.WARNING for f in found)
    assert "case-sensitive" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "type==regular",
        "type == regular",
        "inuse",
        "type!=internal,shared",
        'description~="^a b"',
        "id~=/x|y/",
        "",
    ],
)
def test_filter_parser_accepts_containerd_syntax(text: str) -> None:
    parse_filter(text)


@pytest.mark.parametrize(
    "text", ["type=regular", "type==regular ", "type==", "type==a ,type==b", "type==|a|", "=="]
)
def test_filter_parser_rejects_what_containerd_rejects(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (
            "BK235",
            RULE + 'filters = ["type==a.b,type==c"]\nmaxUsedSpace = 1\n',
            'filters = ["type==a.b", "type==c"]',
        ),
        ("BK239", '[worker.oci]\nmaxUsedSpace = "512MB"\n', 'maxUsedSpace = "512MiB"'),
    ],
)
def test_fix_removes_the_finding_without_new_errors(code: str, text: str, expected: str) -> None:
    fix = next(f.fix for f in lint(text).findings if f.code == code and f.fix is not None)
    assert fix is not None
    fixed = apply_edits(text, fix.edits)
    assert expected in fixed
    after = lint(fixed).findings
    assert code not in [f.code for f in after]
    assert not [f for f in after if f.code.startswith("BK0")]


def test_binary_unit_fix_keeps_the_byte_count() -> None:
    text = '[worker.oci]\nmaxUsedSpace = "512MB"\n'
    fix = next(f.fix for f in lint(text).findings if f.code == "BK239")
    assert fix is not None and fix.applicability == "safe"
    before = lint(text).context
    after = lint(apply_edits(text, fix.edits)).context
    assert before is not None and after is not None and before.decoded and after.decoded
    assert before.decoded.value("worker", "oci", "maxUsedSpace") == after.decoded.value(
        "worker", "oci", "maxUsedSpace"
    )


def test_tiny_bare_integer_sizes_are_flagged_and_survive_migration() -> None:
    """`gckeepstorage = 9313  # 9GB` is 9313 bytes; renaming it to reservedSpace keeps the bug."""
    text = "[worker.oci]\ngckeepstorage = 9313  # 9GB\n[worker.containerd]\nreservedSpace = 20_000\n"
    assert [f.code for f in lint(text).findings].count("BK229") == 2
    outcome = fix_data(text.encode(), "buildkitd.toml", Settings(), lambda f: f.code == "BK402")
    migrated = outcome.data.decode()
    assert "reservedSpace = 9313" in migrated
    assert [f.code for f in lint(migrated).findings].count("BK229") == 2
    assert "BK229" not in {f.code for f in lint('[worker.oci]\nreservedSpace = 512000000\nmaxUsedSpace = "1GB"\n').findings}
