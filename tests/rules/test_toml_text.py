"""The one TOML writer: whatever it writes, a TOML parser reads back as the value given."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bklint.rules import toml_text
from bklint.rules.tomllib_compat import tomllib

# Any Unicode scalar value (no lone surrogates: TOML text is UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def _read(value_text: str) -> object:
    return tomllib.loads(f"k = {value_text}\n")["k"]


@pytest.mark.parametrize(
    "value",
    ["/run/bk\n.sock", 'say "hi"', "C:\\certs\\ca.pem", "tab\there", "\x00\x1f\x7f", "🐳 𝄞 é", "it's", "", "\r\n"],
)
@pytest.mark.parametrize("like", ['"', "'", "'''", '"""'])
def test_strings_read_back_as_written(value: str, like: str) -> None:
    written = toml_text.string(value, like)
    assert "\n" not in written and "\r" not in written
    assert _read(written) == value


def test_literal_style_is_kept_only_when_it_can_hold_the_value() -> None:
    assert toml_text.string("C:\\x", "'") == "'C:\\x'"
    assert toml_text.string("it's", "'") == '"it\'s"'
    assert toml_text.string("a\nb", "'") == '"a\\nb"'
    assert toml_text.string("a\tb", "'") == "'a\tb'"


def test_non_bmp_characters_are_written_as_themselves() -> None:
    assert toml_text.basic_string("🐳") == '"🐳"'


def test_control_characters_use_short_escapes_or_u() -> None:
    assert toml_text.basic_string("\n\t\x01\x7f") == '"\\n\\t\\u0001\\u007f"'


@pytest.mark.parametrize("name", ["docker.io", "max-parallelism", "a b", 'q"uote', "back\\slash", "", "é", "new\nline"])
def test_keys_read_back_as_written(name: str) -> None:
    written = toml_text.key(name)
    assert tomllib.loads(f"{written} = 1\n") == {name: 1}
    assert tomllib.loads(f"[t.{written}]\n") == {"t": {name: {}}}


def test_keys_are_bare_when_they_can_be_and_keep_the_quoting_they_replace() -> None:
    assert toml_text.key("max-parallelism") == "max-parallelism"
    assert toml_text.key("docker.io") == '"docker.io"'
    assert toml_text.key("ghcr.io", '"') == '"ghcr.io"'
    assert toml_text.key("ghcr", '"') == '"ghcr"'
    assert toml_text.key("ghcr", "'") == "'ghcr'"
    assert toml_text.key("ghcr", "g") == "ghcr"


def test_string_array_and_open_string_bodies() -> None:
    assert toml_text.string_array(["cosign", 'a"b']) == '["cosign", "a\\"b"]'
    assert _read(toml_text.string_array(["x\ny", "🐳"])) == ["x\ny", "🐳"]
    assert toml_text.string_body('a"b', '"') == 'a\\"b'
    assert toml_text.string_body("a'b", "'") is None
    assert toml_text.string_body("a\\b", "'") == "a\\b"


@given(TEXT, st.sampled_from(['"', "'"]))
def test_any_string_round_trips(value: str, like: str) -> None:
    assert _read(toml_text.string(value, like)) == value


@given(TEXT, st.sampled_from(["", '"', "'", "x"]))
def test_any_key_round_trips(name: str, like: str) -> None:
    assert tomllib.loads(f"{toml_text.key(name, like)} = 1\n") == {name: 1}


@given(st.lists(TEXT, max_size=5))
def test_any_dotted_key_round_trips(names: list[str]) -> None:
    if not names:
        return
    data: object = tomllib.loads(f"{toml_text.dotted_key(names)} = 1\n")
    for n in names:
        assert isinstance(data, dict) and list(data) == [n]
        data = data[n]
    assert data == 1
