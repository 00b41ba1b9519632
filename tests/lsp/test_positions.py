"""Column conversion: exact in every encoding, and proportional to the positions converted.

Issue 11 item 6: each conversion rescanned its line, so a 35 KB line with one non-ASCII
character and 2,000 findings cost 1.2 s per keystroke (89 KB: 7.3 s).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from bklint.lsp import positions
from bklint.lsp.positions import Lines
from bklint.rules.base import Position
from tests.fuzz.limits import bounded
from tests.fuzz.strategies import budget
from tests.lsp.conftest import CONFIG, capabilities, open_doc

UTF8, UTF16, UTF32 = (types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf32)
ALPHABET = st.sampled_from(["a", "=", " ", "\t", "é", "€", "🐳", "\U0010ffff", "\ud800", "\udfff", "\u2028", "\x0c"])


def units(text: str, encoding: str) -> int:
    """Reference: the length of ``text`` in the encoding's units."""
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


@budget(200)
@given(line=st.lists(ALPHABET, max_size=40).map("".join), data=st.data())
@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_conversion_matches_the_encoded_length(encoding: str, line: str, data: st.DataObject) -> None:
    text = f"first\n{line}\nlast"
    lines = Lines(text, encoding)
    body = line
    column = data.draw(st.integers(0, len(body) + 3))
    shown = units(body[:column], encoding)
    assert lines.to_client(Position(1, column)) == types.Position(line=1, character=shown)
    assert lines.from_client(types.Position(line=1, character=shown)) == Position(1, min(column, len(body)))
    # Any unit offset maps to a column, inside a character included (never out of the line).
    offset = data.draw(st.integers(0, units(body, encoding) + 3))
    back = lines.from_client(types.Position(line=1, character=offset)).column
    assert 0 <= back <= len(body)
    assert units(body[:back], encoding) <= offset or encoding == UTF16
    assert lines.offset(Position(1, column)) == len("first\n") + min(column, len(body))


def test_a_bare_cr_ends_a_line_for_the_client_not_for_the_engine() -> None:
    lines = Lines("a = 1\r[x]\r\nb = 2\né = 3\r", UTF16)
    assert lines.line(0) == "a = 1\r[x]"
    assert lines.to_client(Position(0, 7)) == types.Position(line=1, character=1)
    assert lines.to_client(Position(1, 2)) == types.Position(line=2, character=2)
    assert lines.to_client(Position(2, 5)) == types.Position(line=3, character=5)
    assert lines.from_client(types.Position(line=1, character=1)) == Position(0, 7)
    assert lines.from_client(types.Position(line=1, character=99)) == Position(0, 9)
    assert lines.from_client(types.Position(line=9, character=0)) == Position(2, 6)  # the end


def test_each_line_is_indexed_once_however_many_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[int] = []
    real = positions.ColumnUnits.__init__

    def counting(self: positions.ColumnUnits, text: str, utf8: bool = False) -> None:
        scans.append(len(text))
        real(self, text, utf8)

    monkeypatch.setattr(positions.ColumnUnits, "__init__", counting)
    line = "é" + "x = 1, " * 5000
    lines = Lines(f"[a]\n{line}\n", UTF16)
    for column in range(0, len(line), 17):
        lines.to_client(Position(1, column))
        lines.from_client(types.Position(line=1, character=column))
    assert scans == [len(line)]


def test_two_thousand_positions_on_an_89kb_line_stay_cheap() -> None:
    """The reported case, with a deadline far above its cost now (it took 7.3 s before)."""
    line = "é" + "k = 'v', " * 10_000
    lines = Lines(line, UTF16)
    with bounded(5.0, "2,000 conversions on an 89 KB line"):
        for i in range(2_000):
            lines.range(positions.Span(Position(0, i * 40), Position(0, i * 40 + 3)))


@pytest_lsp.fixture(config=CONFIG)
async def utf8_client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    """A client that asks for UTF-8 columns (as Neovim can)."""
    lsp_client.set_configuration({}, section="bklint")
    caps = capabilities(pull=False)
    caps.general = types.GeneralClientCapabilities(position_encodings=[UTF8])
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=from_fs_path(str(tmp_path)), initialization_options={})
    )
    assert result.capabilities.position_encoding == UTF8
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_utf8_client_gets_byte_columns(utf8_client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(utf8_client, tmp_path / "buildkitd.toml", '[worker.oci]\n"é🐳" = 1; max_parallelism = 4\n')
    doc.replace_all('[worker.oci]\n  # é🐳\n  max_parallelism = 4 # é\n[é]\n')
    [unknown, table] = sorted(await doc.diagnostics(), key=lambda d: d.range.start.line)
    assert unknown.range.start == types.Position(line=2, character=2)
    assert table.range == types.Range(start=types.Position(line=3, character=1), end=types.Position(line=3, character=3))
