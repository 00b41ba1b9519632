"""Parse and decode guard their own resources: hostile input gets a finding, never a traceback.

The inputs are generated here (issue 11's reproducers), not committed as files.
"""

from __future__ import annotations

from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.decode import decode
from tests.conftest import codes, lint


def test_decoder_walks_a_very_deep_unknown_table_without_recursion() -> None:
    # 5,000 implicit tables, then a header: the decoder must not recurse once per level.
    root = TomlNode("table", "root", "", children={})
    data: dict[str, object] = {}
    node, value = root, data
    for _ in range(5000):
        child = TomlNode("table", "implicit", "a", key_start=0, key_end=1, children={})
        assert node.children is not None
        node.children["a"] = child
        value["a"] = {}
        node, value = child, value["a"]  # type: ignore[assignment]
    header = TomlNode("table", "header", "b", key_start=0, key_end=1, children={}, segments=(("a", 0, 1),))
    header.headers.append((0, 1))
    assert node.children is not None
    node.children["b"] = header
    value["b"] = {}
    decoded = decode(Document("[a]\n", data, root))
    assert [i.kind for i in decoded.issues] == ["unknown"]


def test_header_with_a_thousand_parts_is_a_finding_not_a_traceback() -> None:
    found = codes("[" + ".".join(["a"] * 1000) + "]\nx = 1\n")
    assert found


def test_integer_beyond_pythons_text_limit_is_a_syntax_error() -> None:
    [finding] = lint("x = " + "1" * 5000 + "\n").findings
    assert finding.code == "BK001" and "64-bit" in finding.message
    assert (finding.span.start.line, finding.span.start.column) == (0, 4)
