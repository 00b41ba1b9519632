"""The source map points at the exact characters of every key, header and value."""

from __future__ import annotations

from bklint.linter.parse import parse
from bklint.rules.document import Document


def doc(text: str) -> Document:
    outcome = parse(text)
    assert outcome.doc is not None, outcome.problems
    return outcome.doc


def spans(d: Document, *path: str | int) -> tuple[str, str]:
    node = d.find(*path)
    assert node is not None, path
    key = d.text[node.key_start : node.key_end]
    value = d.text[node.value_start : node.value_end] if node.value_start >= 0 else ""
    return key, value


def test_plain_keys_and_values() -> None:
    d = doc('root = "/var/lib/buildkit"\n[worker.oci]\nmax-parallelism = 4 # four\n')
    assert spans(d, "root") == ("root", '"/var/lib/buildkit"')
    assert spans(d, "worker", "oci", "max-parallelism") == ("max-parallelism", "4")


def test_quoted_and_dotted_keys() -> None:
    d = doc('[registry."docker.io"]\nmirrors = ["a", \'b\']\nregistry2.\'x.y\'.z = true\n')
    assert spans(d, "registry", "docker.io", "mirrors") == ("mirrors", "[\"a\", 'b']")
    assert spans(d, "registry", "docker.io", "mirrors", 1) == ("", "'b'")
    assert spans(d, "registry", "docker.io", "registry2", "x.y", "z") == ("z", "true")
    header = d.find("registry", "docker.io")
    assert header is not None and d.text[slice(*header.headers[0])] == '[registry."docker.io"]'


def test_inline_tables_and_arrays_of_tables() -> None:
    text = (
        "[[worker.oci.gcpolicy]]\nkeepDuration = \"48h\"\n"
        "[[worker.oci.gcpolicy]]\nall = true\n"
        'x = { a = { b = [1, {c = "d"}] } }\n'
    )
    d = doc(text)
    assert spans(d, "worker", "oci", "gcpolicy", 0, "keepDuration") == ("keepDuration", '"48h"')
    assert spans(d, "worker", "oci", "gcpolicy", 1, "all") == ("all", "true")
    assert spans(d, "worker", "oci", "gcpolicy", 1, "x", "a", "b", 1, "c") == ("c", '"d"')


def test_multiline_strings_and_datetimes() -> None:
    text = 'a = """\nline "quoted" ""\n"""\nb = \'\'\'x\'\'\'\nc = 1979-05-27 07:32:00Z\nd = 2\n'
    d = doc(text)
    assert spans(d, "a")[1].endswith('""\n"""')
    assert spans(d, "c") == ("c", "1979-05-27 07:32:00Z")
    assert spans(d, "d") == ("d", "2")


def test_positions_count_code_points_and_crlf() -> None:
    d = doc('# é 😀\r\n[worker.oci]\r\nmax-parallelism = "4"\r\n')
    node = d.find("worker", "oci", "max-parallelism")
    assert node is not None
    assert d.position(node.value_start) == d.span(node.value_start, node.value_end).start
    assert d.position(node.value_start).line == 2 and d.position(node.value_start).column == 18


def test_super_table_declared_after_child() -> None:
    d = doc("[a.b]\nx = 1\n[a]\ny = 2\n")
    node = d.find("a")
    assert node is not None and node.origin == "header"
    assert spans(d, "a", "y") == ("y", "2")


def test_deeply_nested_arrays_parse() -> None:
    text = "foo = " + "[" * 3000 + "]" * 3000 + "\n"
    d = doc(text)
    assert d.find("foo") is not None
