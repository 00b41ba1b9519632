"""The decoder replays go-toml v2's statement-by-statement decoding (issue 9, classes 1-5).

The loader's verdicts themselves are the load vectors (tests/vectors/load); these tests pin
what the decoder hands to rules: which Go value a statement lands in, what it ignores, and
where it crashes.
"""

from __future__ import annotations

from bklint.linter.parse import parse
from bklint.rules.schema.decode import Decoded, decode
from bklint.rules.schema.values import DiskSpace, parse_duration


def decoded(text: str) -> Decoded:
    doc = parse(text).doc
    assert doc is not None
    return decode(doc)


def kinds(text: str) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(i.kind, i.path) for i in decoded(text).issues if i.kind != "case"]


def test_empty_header_on_a_value_is_accepted() -> None:
    """Class 1: a header with no key below it never assigns anything."""
    assert kinds("[worker.oci.max-parallelism]\n") == []
    assert kinds("[worker.oci.labels.foo]\n") == []
    assert kinds("[history.maxAge]\n") == []


def test_key_below_a_header_on_a_value_is_a_type_error() -> None:
    assert kinds("[worker.oci.max-parallelism]\nx = 1\n") == [("type", ("worker", "oci", "max-parallelism"))]


def test_empty_array_table_on_a_string_list_is_accepted() -> None:
    """Class 2."""
    assert kinds("[dns]\n[[dns.nameservers]]\n") == []
    assert kinds("[dns.nameservers]\n") == [("type", ("dns", "nameservers"))]


def test_array_table_below_a_policy_is_ignored() -> None:
    """Class 3: the element is dropped again because `x` is not a GCPolicy field."""
    result = decoded("[[worker.oci.gcpolicy.x]]\n")
    assert [(i.kind, i.path) for i in result.issues] == [("unknown", ("worker", "oci", "gcpolicy", "x", 0))]
    assert result.count("worker", "oci", "gcpolicy") == 0


def test_table_of_another_spelling_lands_in_the_last_policy() -> None:
    """Class 4: `[worker.oci.GCPolicy]` after `[[worker.oci.gcpolicy]]` is the last element."""
    text = '[[worker.oci.gcpolicy]]\nall = true\n[[worker.oci.gcpolicy]]\nall = false\n[worker.oci.GCPolicy]\nkeepDuration = "24h"\nfoo = 1\n'
    result = decoded(text)
    assert [(i.kind, i.path) for i in result.issues if i.kind != "case"] == [
        ("unknown", ("worker", "oci", "GCPolicy", "foo"))
    ]
    assert result.value("worker", "oci", "gcpolicy", 1, "keepDuration") == parse_duration("24h")
    assert result.value("worker", "oci", "gcpolicy", 0, "keepDuration") is None


def test_first_array_table_of_a_spelling_empties_the_slice() -> None:
    text = '[worker.oci]\ngcpolicy = [{ all = true }, { all = false }]\n[[worker.oci.GCPolicy]]\nkeepDuration = "1h"\n'
    result = decoded(text)
    assert result.count("worker", "oci", "gcpolicy") == 1
    assert result.value("worker", "oci", "gcpolicy", 0, "all") is None
    assert [i.kind for i in result.issues if i.kind != "case"] == ["case-duplicate"]


def test_dotted_keys_into_an_existing_registry_entry_crash() -> None:
    """Class 5: one Go map entry, set through a copy: a nil *bool cannot be allocated."""
    merged = 'Registry."r.example".http = true\nregistry."r.example".insecure = true\n'
    assert kinds(merged) == [("crash", ("registry", "r.example", "insecure"))]
    assert kinds("registry = { r.http = true, r.insecure = true }\n") == [
        ("crash", ("registry", "r", "insecure"))
    ]
    table_then_dotted = '[registry."r"]\nmirrors = ["m"]\n[Registry]\n"r".http = true\n'
    assert kinds(table_then_dotted) == [("crash", ("Registry", "r", "http"))]


def test_dotted_keys_through_a_set_pointer_or_a_slice_do_not_crash() -> None:
    result = decoded('registry."r".http = true\nregistry."r".HTTP = false\n')
    assert [i.kind for i in result.issues] == ["case", "case-duplicate"]
    assert result.value("registry", "r", "http") is False
    assert kinds('registry."r".http = true\nregistry."r".mirrors = ["m"]\n') == []


def test_headers_below_a_value_crash() -> None:
    for text in ("[worker.oci.max-parallelism.x]\n", "[worker.oci.labels.a.b]\n", '[registry."r".http.x]\n'):
        assert [k for k, _ in kinds(text)] == ["crash"], text


def test_tables_of_two_spellings_merge() -> None:
    result = decoded('[registry."r"]\nhttp = true\n[Registry."r"]\ninsecure = true\n')
    assert [i.kind for i in result.issues] == ["case"]
    assert result.value("registry", "r", "http") is True
    assert result.value("registry", "r", "insecure") is True


def test_inline_value_replaces_a_registry_entry() -> None:
    result = decoded('[registry."r"]\nhttp = true\n[Registry]\n"r" = { insecure = true }\n')
    assert result.value("registry", "r", "http") is None
    assert result.value("registry", "r", "insecure") is True
    assert [i.kind for i in result.issues if i.kind != "case"] == ["case-duplicate"]


def test_size_fields_set_from_a_header() -> None:
    result = decoded("[worker.oci.reservedSpace]\nbytes = 1024\nsize = 1\n")
    assert result.value("worker", "oci", "reservedSpace") == DiskSpace(1024, 0)
    assert [(i.kind, i.path) for i in result.issues] == [
        ("unknown", ("worker", "oci", "reservedSpace", "size"))
    ]


def test_labels_merge_across_spellings() -> None:
    result = decoded('worker.oci.labels.a = "1"\nworker.oci.Labels.b = "2"\n')
    assert result.value("worker", "oci", "labels") == {"a": "1", "b": "2"}


def test_a_header_on_a_key_of_a_skipped_table_reaches_the_loader() -> None:
    """buildkitd's decoder does not record the keys of a table it skips, so a header whose
    name such a key took is not refused there (buildx's parse refuses it): it lands in the
    ignored table and is reported as ignored, as the loader lists it (vector-mutant miss)."""
    for text, path in [
        ('[gha]\nsign = { command = ["cosign"] }\n[gha.sign]\n', ("gha", "sign")),
        ("[gha]\nsign = 1\n[gha.sign.x]\ny = 1\n", ("gha", "sign", "x")),
        ("[gha]\nsign = [1]\n[[gha.sign]]\n", ("gha", "sign")),
        ("[gha]\nsign.x = {a = 1}\n[gha.sign.x]\n", ("gha", "sign", "x")),
    ]:
        assert ("unknown", path) in kinds(text), text


def test_a_header_on_a_key_the_loader_recorded_is_refused_by_it_too() -> None:
    # The loader fails on these (the name was taken where it records names): nothing from
    # the refused header (line 3) on is decoded.
    for text in [
        '[worker.oci]\nlabels = {a = "1"}\n[worker.oci.labels]\nb = 2\n',
        "[worker.oci]\nfoo = {a = 1}\n[worker.oci.foo]\nb = 2\n",
        "[gha]\n[gha.sign]\n[[gha.sign]]\ny = 1\n",
    ]:
        refused = text.split("\n")[2]
        assert all(text.count("\n", 0, i.anchor[0]) < 2 for i in decoded(text).issues), (refused, kinds(text))
