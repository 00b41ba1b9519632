"""`--output-format github` prints workflow commands that GitHub turns into annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.cli import main
from bklint.linter.report.github import annotation, escape_data, escape_property
from bklint.rules.base import Finding, Severity, Span

BAD = """\
[worker.oci]
max-parallelism = "4"
bogus = 1
"""


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ci").mkdir(exist_ok=True)
    (tmp_path / "ci" / "buildkitd.toml").write_text(BAD)
    code = main(["check", "--isolated", *args])
    return code, capsys.readouterr().out


def test_each_finding_is_one_workflow_command_with_its_severity(tmp_path, monkeypatch, capsys):
    code, out = run(tmp_path, monkeypatch, capsys, "--output-format", "github", "ci/buildkitd.toml")
    assert code == 1
    assert out.splitlines() == [
        "::error file=ci/buildkitd.toml,line=2,col=19,endLine=2,endColumn=21,title=bklint (BK004)::"
        "`worker.oci.max-parallelism` expects an integer, not a string; buildkitd refuses to start "
        "and `docker buildx create` fails [wrong-type]",
        "::warning file=ci/buildkitd.toml,line=3,col=1,endLine=3,endColumn=5,title=bklint (BK101)::"
        "unknown key `worker.oci.bogus`; buildkitd ignores it without a warning [unknown-key]",
    ]


def test_clean_files_print_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "buildkitd.toml").write_text("[worker.oci]\nmax-parallelism = 4\n")
    assert main(["check", "--isolated", "--output-format", "github", "buildkitd.toml"]) == 0
    assert capsys.readouterr().out == ""


def test_environment_variable_chooses_the_format(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BKLINT_OUTPUT_FORMAT", "github")
    _, out = run(tmp_path, monkeypatch, capsys, "ci/buildkitd.toml")
    assert out.startswith("::error file=ci/buildkitd.toml,")


def test_command_line_beats_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BKLINT_OUTPUT_FORMAT", "github")
    _, out = run(tmp_path, monkeypatch, capsys, "--output-format", "concise", "ci/buildkitd.toml")
    assert out.startswith("ci/buildkitd.toml:2:19: BK004")


def test_output_file_receives_the_report(tmp_path, monkeypatch, capsys):
    code, out = run(
        tmp_path, monkeypatch, capsys, "--output-format", "github", "--output-file", "annotations.txt", "ci/buildkitd.toml"
    )
    assert code == 1
    assert out == ""
    written = (tmp_path / "annotations.txt").read_text().splitlines()
    assert [line.split(" ", 1)[0] for line in written] == ["::error", "::warning"]


def test_messages_escape_percent_and_newlines():
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"


def test_properties_also_escape_colon_and_comma():
    assert escape_property("C:\\a,b%") == "C%3A\\a%2Cb%25"
    finding = Finding("BK101", "unknown-key", Severity.INFO, "x", Span.at(0, 0, 0, 3))
    line = annotation("dir,with:odd/buildkitd.toml", finding)
    assert line.startswith("::notice file=dir%2Cwith%3Aodd/buildkitd.toml,line=1,col=1,")


def test_multi_line_findings_carry_lines_only():
    finding = Finding("BK001", "invalid-toml", Severity.ERROR, "m", Span.at(1, 4, 3, 2))
    assert annotation("buildkitd.toml", finding) == (
        "::error file=buildkitd.toml,line=2,endLine=4,title=bklint (BK001)::m [invalid-toml]"
    )
    # A span ending at the start of the next line ends on its own line.
    whole_line = Finding("BK001", "invalid-toml", Severity.ERROR, "m", Span.at(1, 0, 2, 0))
    assert "line=2,endLine=2," in annotation("buildkitd.toml", whole_line)
