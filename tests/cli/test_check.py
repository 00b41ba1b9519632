"""`bklint check` from the command line: formats, exit codes, selection, stdin, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bklint.linter.cli import main

BAD = "[worker.oci]\nmax_parallelism = 4\ngc = \"false\"\n"
GOOD = '[worker.oci]\nmax-parallelism = 4\n[registry."docker.io"]\nmirrors = ["mirror.gcr.io"]\n'


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "buildkitd.toml"
    path.write_text(BAD)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_concise_format_is_path_row_col_code_message(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["check", "--output-format", "concise", str(bad)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{bad}:2:1: BK101 [*] unknown key `worker.oci.max_parallelism`")
    assert lines[1].startswith(f"{bad}:3:6: BK004 ")


def test_full_format_shows_a_code_frame_and_the_fix(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["check", str(bad)], capsys)
    assert "2 | max_parallelism = 4" in out
    assert "  | ^^^^^^^^^^^^^^^ BK101" in out
    assert "= fix: rename to `max-parallelism`" in out
    assert "Found 2 problems" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_json_format_is_ruff_shaped(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["check", "--output-format", "json", str(bad)], capsys)
    items = json.loads(out)
    first = items[0]
    assert set(first) == {"filename", "code", "name", "severity", "message", "location", "end_location", "fix", "url"}
    assert first["location"] == {"row": 2, "column": 1}
    assert first["end_location"] == {"row": 2, "column": 16}
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"][0]["content"] == "max-parallelism"
    assert items[1]["code"] == "BK004" and items[1]["fix"]["applicability"] == "unsafe"


def test_exit_codes(tmp_path: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "ok.buildkitd.toml"
    good.write_text(GOOD)
    assert run(["check", str(good)], capsys)[0] == 0
    assert run(["check", str(bad)], capsys)[0] == 1
    assert run(["check", "--exit-zero", str(bad)], capsys)[0] == 0
    assert run(["check", "--select", "NOPE1", str(bad)], capsys)[0] == 2


def test_failure_threshold_decides_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "buildkitd.toml"
    path.write_text("[worker.oci]\nmax_parallelism = 4\n")  # a warning only
    assert run(["check", str(path)], capsys)[0] == 1
    assert run(["check", "--failure-threshold", "error", str(path)], capsys)[0] == 0


def test_select_and_ignore_take_codes_prefixes_and_names(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(["check", "--output-format", "concise", "--select", "BK1", str(bad)], capsys)
    assert "BK101" in out and "BK004" not in out
    _, out = run(["check", "--output-format", "concise", "--ignore", "unknown-key", str(bad)], capsys)
    assert "BK101" not in out and "BK004" in out
    _, out = run(["check", "--output-format", "concise", "--select", "BK0", "--ignore", "BK004", str(bad)], capsys)
    assert out == "All checks passed (1 file).\n"


def test_directories_find_config_names_and_skip_vcs_and_venvs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "buildkitd.toml").write_text(BAD)
    (tmp_path / "a" / "ci.buildkitd.toml").write_text(BAD)
    (tmp_path / "a" / "other.toml").write_text(BAD)
    for skipped in (".git", ".venv", "node_modules"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "buildkitd.toml").write_text(BAD)
    _, out = run(["check", "--output-format", "concise", "--quiet", str(tmp_path)], capsys)
    files = {line.split(":")[0] for line in out.splitlines()}
    assert files == {str(tmp_path / "a" / "buildkitd.toml"), str(tmp_path / "a" / "ci.buildkitd.toml")}


def test_stdin_with_a_filename() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bklint.linter", "check", "-", "--stdin-filename", "x/buildkitd.toml",
         "--output-format", "concise"],
        input=BAD, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("x/buildkitd.toml:2:1: BK101")


def test_colour_only_when_asked_and_no_color_wins(bad: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = run(["check", "--color", "always", str(bad)], capsys)
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out = run(["check", "--color", "auto", str(bad)], capsys)
    assert "\x1b[" not in out


def test_output_file_and_env_format(bad: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.json"
    monkeypatch.setenv("BKLINT_OUTPUT_FORMAT", "json")
    code, out = run(["check", "-o", str(report), str(bad)], capsys)
    assert code == 1 and out == ""
    assert json.loads(report.read_text())[0]["code"] == "BK101"


def test_config_file_is_found_upward_and_cli_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.bklint]\nignore = ["BK101"]\nseverity = { BK004 = "warning" }\n')
    sub = tmp_path / "deploy" / "builder"
    sub.mkdir(parents=True)
    (sub / "buildkitd.toml").write_text(BAD)
    _, out = run(["check", "--output-format", "json", str(sub)], capsys)
    items = json.loads(out)
    assert [(i["code"], i["severity"]) for i in items] == [("BK004", "warning")]
    _, out = run(["check", "--output-format", "json", "--isolated", str(sub)], capsys)
    assert [i["code"] for i in json.loads(out)] == ["BK101", "BK004"]
    other = tmp_path / "strict.toml"
    other.write_text('select = ["BK101"]\n')
    _, out = run(["check", "--output-format", "json", "--config", str(other), str(sub)], capsys)
    assert [i["code"] for i in json.loads(out)] == ["BK101"]


def test_per_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bklint.toml").write_text('[per-file-ignores]\n"legacy.buildkitd.toml" = ["BK1"]\n')
    (tmp_path / "legacy.buildkitd.toml").write_text(BAD)
    (tmp_path / "buildkitd.toml").write_text(BAD)
    _, out = run(["check", "--output-format", "concise", str(tmp_path)], capsys)
    assert "legacy.buildkitd.toml:3:6: BK004" in out
    assert "legacy.buildkitd.toml:2:1: BK101" not in out
    assert f"{tmp_path / 'buildkitd.toml'}:2:1: BK101" in out


def test_noqa_on_line_table_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "buildkitd.toml"
    path.write_text(
        "[worker.oci]  # noqa: BK101\nmax_parallelism = 4\nfoo = 1\n"
        '[registry."docker.io"]\nmirror = ["m"]  # noqa: BK101, BK004\n'
    )
    _, out = run(["check", "--output-format", "concise", str(path)], capsys)
    assert out.splitlines() == [
        f"{path}:5:17: BK901 [*] unused `noqa`: nothing to suppress for BK004",
        "Found 1 problem (1 fixable with `bklint check --fix`).",
    ]
    path.write_text("# bklint: noqa: BK101\n[worker.oci]\nmax_parallelism = 4\n")
    assert run(["check", str(path)], capsys)[0] == 0


def test_rule_and_rules_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["rule", "BK102"], capsys)
    assert code == 0 and out.startswith("# BK102 unquoted-dotted-name") and '[registry."docker.io"]' in out
    code, out = run(["rules", "--output-format", "json"], capsys)
    listed = json.loads(out)
    assert {"BK001", "BK101", "BK901"} <= {r["code"] for r in listed}
    assert all(r["explanation"] and r["summary"] and r["name"] for r in listed)


def test_shipped_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).parents[2] / "examples" / "buildkitd.toml"
    cwd = os.getcwd()
    try:
        os.chdir(example.parents[1])
        code, out = run(["check", "examples/buildkitd.toml"], capsys)
    finally:
        os.chdir(cwd)
    assert code == 0, out


def test_an_unknown_target_version_is_a_usage_error(bad: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--target-version", "banana", str(bad)], capsys)[0] == 2
    (tmp_path / "bklint.toml").write_text('target-version = "0.x"\n')
    assert run(["check", str(bad)], capsys)[0] == 2


def test_a_fix_that_turns_out_impossible_is_not_offered() -> None:
    from bklint.linter.report import ReportOptions, render
    from bklint.rules.base import Fix
    from tests.conftest import lint

    result = lint("[worker.oci]\nmax_parallelism = 4\n")
    result.findings[0].fix = Fix("never mind", None, "safe", compute=lambda: None)
    assert "[*]" not in render("concise", [result], ReportOptions())
    assert '"fix": null' in render("json", [result], ReportOptions())
