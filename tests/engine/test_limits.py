"""Parse and decode guard their own resources: hostile input gets a finding, never a traceback.

The inputs are issue 11's reproducers, generated here rather than committed. Nothing here
times anything: bounded work is shown by running under an address-space cap in a child
process (with a generous timeout), or by counting what was built.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bklint.linter.parse import MAX_KEY_PARTS, MAX_NESTING, parse
from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.decode import decode
from tests.conftest import codes, lint

# Far below what the quadratic parse needed (2.4 GB for 50 KB of dotted key).
_CAP = 768 * 1024 * 1024

_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
data = sys.stdin.buffer.read()
findings = lint_bytes(data, "buildkitd.toml", Settings()).findings
print(json.dumps([f.code for f in findings]))
"""


def lint_capped(text: str) -> list[str]:
    """Lint in a child process that may not map more than ``_CAP`` bytes."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD.format(cap=_CAP)],
        input=text.encode(),
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def dotted_key(size: int) -> str:
    return ".".join(["a"] * (size // 2)) + " = 1\n"


# -- issue 11 item 1: a header of 1,000 parts ----------------------------------------------
def test_header_with_a_thousand_parts_is_refused_with_a_finding() -> None:
    found = lint("[" + ".".join(["a"] * 1000) + "]\nx = 1\n").findings
    assert [f.code for f in found] == ["BK011"]
    assert "dotted parts" in found[0].message


def test_decoder_walks_a_very_deep_unknown_table_without_recursion() -> None:
    # The decoder guards its own stack, whatever the parser lets through: 5,000 implicit
    # tables, then a header.
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


def test_keys_up_to_the_limit_are_checked() -> None:
    text = ".".join(["b"] * MAX_KEY_PARTS) + " = 1\n[" + ".".join(["a"] * MAX_KEY_PARTS) + "]\n"
    assert codes(text) == ["BK101", "BK101"]


# -- issue 11 item 2: an integer of more than 4,300 digits ---------------------------------
def test_integer_beyond_pythons_text_limit_is_a_syntax_error() -> None:
    [finding] = [f for f in lint("x = " + "1" * 5000 + "\n").findings if f.code.startswith("BK0")]
    assert finding.code == "BK001" and "64-bit" in finding.message
    assert (finding.span.start.line, finding.span.start.column) == (0, 4)


@pytest.mark.parametrize("literal", ["1" * 5000, "0x" + "f" * 5000, "0o" + "7" * 5000, "-" + "9" * 20, "1" * 20 + ".5e3"])
def test_huge_number_literals_are_findings(literal: str) -> None:
    found = codes(f"x = {literal}\n")
    assert "BK001" in found or literal.endswith("e3")


# -- issue 11 item 4: long dotted keys, refused before any quadratic work ------------------
@pytest.mark.parametrize("size", [20_000, 50_000, 90_000])
def test_long_dotted_keys_are_refused_within_a_small_memory_cap(size: int) -> None:
    text = dotted_key(size)
    if size == 50_000:
        text += "bad = \n"  # one syntax error too: recovery must not parse again
    assert lint_capped(text) == ["BK011"]


def test_a_refused_key_builds_nothing() -> None:
    outcome = parse(dotted_key(90_000))
    assert outcome.doc is None
    assert [p.kind for p in outcome.problems] == ["limit"]


# -- nesting -------------------------------------------------------------------------------
def test_nesting_up_to_the_limit_parses_without_recursion() -> None:
    text = "foo = " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n"
    assert codes(text) == ["BK101"]
    assert codes("foo = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n") == ["BK011"]


# -- the budget: no input under 100 KB takes more than a few hundred MB --------------------
def _hostile() -> dict[str, str]:
    n = 100_000

    def fill(line: str) -> str:
        return line * (n // len(line))

    return {
        "dotted-64": fill(".".join(f"k{j}" for j in range(MAX_KEY_PARTS)) + " = 1\n"),
        "headers-64": "".join(
            "[" + ".".join(f"h{i}x{j}" for j in range(MAX_KEY_PARTS)) + "]\nx = 1\n" for i in range(250)
        ),
        "deep-inline": "a = " + "{a = " * 9000 + "1" + "}" * 9000 + "\n",
        "garbage": fill("x = = [\n"),
        "open-strings": fill('k = "abc\n'),
        "duplicates": fill("a = 1\n"),
        "one-long-line": "a = [" + ", ".join(["x"] * 30000) + "]\n",
        "unicode-escapes": 'a = "' + "\\u0041" * 15000 + '"\n',
    }


@pytest.mark.parametrize("name", sorted(_hostile()))
def test_hostile_inputs_stay_within_the_memory_cap(name: str) -> None:
    found = lint_capped(_hostile()[name])
    assert found  # every one of them deserves a finding
