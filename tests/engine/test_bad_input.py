"""Bad input gets a clear finding, never a traceback or a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bklint.linter.cli import main
from tests.conftest import codes, lint


def test_broken_toml_is_an_error_at_the_parsers_position() -> None:
    result = lint("[worker.oci]\nmax-parallelism = = 4\n")
    [finding] = result.findings
    assert finding.code == "BK001"
    assert finding.span.start.line == 1


def test_syntax_errors_do_not_hide_the_rest_of_the_file() -> None:
    found = codes("foo = 1__0\n[worker.oci]\nmax_parallelism = 4\n")
    # foo is still reported as ignored (the loader skips its value), then the syntax error.
    assert found == ["BK101", "BK001", "BK101"]


def test_utf8_bom_is_an_error_but_the_file_is_still_checked() -> None:
    assert codes(b"\xef\xbb\xbf[worker.oci]\nmax_parallelism = 4\n") == ["BK002", "BK101"]


def test_utf16_and_invalid_utf8_and_binary() -> None:
    assert codes("[worker.oci]\n".encode("utf-16")) == ["BK003"]
    result = lint(b"# caf\xe9\nroot = 1\n")
    assert [f.code for f in result.findings] == ["BK003"]
    assert result.findings[0].span.start.line == 0
    assert codes(bytes(range(256)) * 40) == ["BK003"]


def test_nul_byte_is_a_syntax_error() -> None:
    assert codes(b"root = \"/x\"\n\x00\n") == ["BK001"]


def test_empty_whitespace_and_comment_only_files_are_fine() -> None:
    for text in ("", "   \n\t\n", "# only a comment\r\n"):
        assert codes(text) == []


def test_crlf_files_are_fine_and_positions_hold() -> None:
    result = lint("[worker.oci]\r\nmax-parallelism = \"4\"\r\n")
    [finding] = result.findings
    assert (finding.code, finding.span.start.line, finding.span.start.column) == ("BK004", 1, 18)


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("{a=", "}")])
def test_5000_deep_nesting(opener: str, closer: str) -> None:
    text = "foo = " + opener * 5000 + ("1" if opener != "[" else "") + closer * 5000 + "\n"
    assert codes(text) == ["BK101"]


def test_absurd_nesting_is_refused_not_crashed() -> None:
    text = "foo = " + "[" * 30000 + "]" * 30000 + "\n"
    assert codes(text) == ["BK011"]


def test_a_file_over_one_mebibyte_is_reported_for_buildx() -> None:
    block = '[registry."r{0}.example.com"]\nmirrors = ["m{0}.example.com"]\n'
    text = "".join(block.format(i) for i in range(20000))
    assert len(text) > 1 << 20
    found = lint(text).findings
    assert [f.code for f in found] == ["BK010"]


def test_a_10_megabyte_file_is_checked(tmp_path: Path) -> None:
    block = '[registry."r{0}.example.com"]\nhttp = true\n'
    path = tmp_path / "buildkitd.toml"
    path.write_text("".join(block.format(i) for i in range(240000)))
    assert path.stat().st_size > 10_000_000
    assert main(["check", "--output-format", "concise", "--select", "BK0,BK1", str(path)]) == 1


def test_fifo_is_not_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "buildkitd.toml"
    os.mkfifo(fifo)
    assert main(["check", "--output-format", "concise", str(fifo)]) == 1
    assert "BK009" in capsys.readouterr().out


def test_directory_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.buildkitd.toml").mkdir()
    assert main(["check", "--output-format", "concise", str(tmp_path / "missing.toml")]) == 1
    out = capsys.readouterr().out
    assert "BK009" in out and "no such file" in out


def test_a_json_file_is_recognised_as_json() -> None:
    [finding] = lint('{\n  "mtu": 1300\n}\n').findings
    assert finding.code == "BK001" and "JSON" in finding.message
