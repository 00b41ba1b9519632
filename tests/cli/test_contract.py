"""The CLI contract (issue 12): usage errors not tracebacks, silent passes that speak, ruff's habits."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bklint.linter.cli import main

BAD = 'debug = true\n[worker.oci]\nmax_parallelism = 4\ngc = "false"\n'  # BK401, BK101 (safe fixes), BK004 (unsafe)
TWO = "debug = true\n[worker.oci]\nmax_parallelism = 4\n"  # BK401, BK101: both safe fixes


def bklint(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bklint", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "buildkitd.toml").write_text(TWO)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- usage errors, never a traceback -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "config", "words"),
    [
        (["check", "--target-version", "v0.9", "buildkitd.toml"], {}, "", "--target-version: bklint knows BuildKit v0.10.0"),
        (["check", "buildkitd.toml"], {}, 'target-version = "v0.9"\n', "target-version: bklint knows BuildKit v0.10.0"),
        (["check", "buildkitd.toml"], {"BKLINT_OUTPUT_FORMAT": "bogus"}, "", "BKLINT_OUTPUT_FORMAT: unknown output format 'bogus'"),
        (["check", "buildkitd.toml", "-o", "/nonexistent/dir/r.txt"], {}, "", "-o /nonexistent/dir/r.txt: No such file"),
        (["schema", "-o", "/nonexistent/x.json"], {}, "", "-o /nonexistent/x.json: No such file"),
        (["check", "buildkitd.toml"], {}, 'select = ["BK999"]\n', "select: unknown rule selector BK999"),
        (["check", "buildkitd.toml"], {}, '[tool.bklint]\nignore = ["nope"]\n', "ignore: unknown rule selector nope"),
        (["migrate", "--target-version", "v0.9", "buildkitd.toml"], {}, "", "--target-version: bklint knows"),
    ],
)
def test_misuse_is_exit_2_with_one_line(project: Path, args: list[str], env: dict[str, str], config: str, words: str) -> None:
    if config:
        (project / ("pyproject.toml" if config.startswith("[tool") else "bklint.toml")).write_text(config)
    proc = bklint(*args, cwd=project, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert words in proc.stderr


def test_unknown_flags_print_the_subcommands_usage(project: Path) -> None:
    proc = bklint("check", "--bogus", cwd=project)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: bklint check") and "unrecognized arguments: --bogus" in proc.stderr


def test_python_dash_m_bklint(project: Path) -> None:
    proc = bklint("--version", cwd=project)
    assert proc.returncode == 0 and proc.stdout.startswith("bklint ")


# --- silent passes speak -----------------------------------------------------------------------


def test_stdin_is_read_when_only_stdin_filename_is_given(project: Path) -> None:
    proc = bklint("check", "--stdin-filename", "buildkitd.toml", "--output-format", "concise", cwd=project, stdin=b"debug = true\n")
    assert proc.returncode == 1
    assert proc.stdout.startswith("buildkitd.toml:1:1: BK401")


def test_an_empty_directory_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["check", str(tmp_path)], capsys)
    assert code == 0 and out == ""
    assert f"warning: no buildkitd configs found under {tmp_path}" in err


def test_an_empty_selection_warns(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["check", "--select=", "buildkitd.toml"], capsys)
    assert code == 0 and "warning: no rules are selected" in err


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [("broken.toml", "[worker.oci\ndebug = true\n", "invalid TOML"), ("daemon.json", '{"debug": true}\n', "JSON")],
)
def test_migrate_write_refuses_what_does_not_parse(project: Path, name: str, text: str, words: str) -> None:
    (project / name).write_text(text)
    proc = bklint("migrate", "--write", name, cwd=project)
    assert proc.returncode == 1 and words in proc.stderr and "nothing migrated" in proc.stderr
    assert (project / name).read_text() == text


def test_migrate_drives_yaml_like_any_kind(project: Path) -> None:
    (project / "ci.yml").write_text(
        "jobs:\n  b:\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n"
        "          driver: remote\n          buildkitd-config-inline: |\n            debug = true\n"
    )
    proc = bklint("migrate", "--write", "ci.yml", cwd=project)
    assert proc.returncode == 0 and "migrated: BK401" in proc.stderr
    assert 'level = "debug"' in (project / "ci.yml").read_text()


# --- ruff's habits -----------------------------------------------------------------------------


def test_summaries_after_fix_and_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text(BAD)
    _, out, _ = cli(["check", "--output-format", "concise", "buildkitd.toml"], capsys)
    assert out.splitlines()[-1] == (
        "Found 3 problems (2 fixable with `bklint check --fix`; 1 hidden fix can be enabled with `--unsafe-fixes`)."
    )
    code, _, err = cli(["check", "--diff", "buildkitd.toml"], capsys)
    assert code == 1 and "Would fix 2 problems." in err
    code, out, _ = cli(["check", "--fix", "--diff", "buildkitd.toml"], capsys)  # --diff wins: nothing written
    assert code == 1 and out.startswith("--- a/buildkitd.toml") and (project / "buildkitd.toml").read_text() == BAD
    code, out, _ = cli(["check", "--fix", "buildkitd.toml"], capsys)
    assert code == 1 and "Found 3 problems (2 fixed, 1 remaining; 1 hidden fix can be enabled with `--unsafe-fixes`)." in out


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text(BAD)
    code, out, _ = cli(["check", "--statistics", "buildkitd.toml"], capsys)
    assert code == 1
    assert out.splitlines() == ["1\tBK004\t    wrong-type", "1\tBK101\t[*] unknown-key", "1\tBK401\t[*] deprecated-debug-trace"]
    (project / "buildkitd.toml").write_text(BAD + "[worker.containerd]\nmax_parallelism = 1\n")
    _, out, _ = cli(["check", "--statistics", "--output-format", "json", "buildkitd.toml"], capsys)
    assert json.loads(out)[0] == {"code": "BK101", "name": "unknown-key", "count": 2, "fixable": True}


def test_quiet_and_silent(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["check", "-q", "--output-format", "concise", "buildkitd.toml"], capsys)
    assert code == 1 and len(out.splitlines()) == 2 and "Found" not in out
    code, out, err = cli(["check", "-s", "buildkitd.toml", "missing-dir"], capsys)
    assert code == 1 and out == "" and err == ""


def test_show_files_and_show_settings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "x.buildkitd.toml").write_text(TWO)
    (project / "bklint.toml").write_text('ignore = ["BK401"]\n')
    code, out, _ = cli(["check", "--show-files", "."], capsys)
    assert code == 0 and out.splitlines() == ["./buildkitd.toml", "./sub/x.buildkitd.toml"]
    code, out, _ = cli(["check", "--show-settings", "--target-version", "v0.20", "buildkitd.toml"], capsys)
    assert code == 0
    assert f"# config file: {project / 'bklint.toml'}" in out
    assert "ignore = ['BK401']" in out and "target-version = 'v0.20'" in out


def test_exclude_and_extend_exclude(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for d in ("vendored", "build", "keep"):
        (project / d).mkdir()
        (project / d / "buildkitd.toml").write_text(TWO)
    _, out, _ = cli(["check", "--show-files", "--exclude", "vendored,build", "."], capsys)
    assert out.splitlines() == ["./buildkitd.toml", "./keep/buildkitd.toml"]
    (project / "bklint.toml").write_text('extend-exclude = ["keep/*"]\n')
    _, out, _ = cli(["check", "--show-files", "."], capsys)
    assert "./keep/buildkitd.toml" not in out and "./build/buildkitd.toml" in out
    # A file named on the command line is checked even when excluded, as in ruff.
    _, out, _ = cli(["check", "--show-files", "keep/buildkitd.toml"], capsys)
    assert out.splitlines() == ["keep/buildkitd.toml"]


def test_gitignore_is_respected_in_discovery(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("build/\n*.local.buildkitd.toml\n!keep.local.buildkitd.toml\n")
    for rel in ("build/buildkitd.toml", "a.local.buildkitd.toml", "keep.local.buildkitd.toml", "sub/buildkitd.toml"):
        (project / rel).parent.mkdir(exist_ok=True)
        (project / rel).write_text(TWO)
    (project / "sub" / ".gitignore").write_text("buildkitd.toml\n")  # nested file, its own folder
    _, out, _ = cli(["check", "--show-files", "."], capsys)
    assert out.splitlines() == ["./buildkitd.toml", "./keep.local.buildkitd.toml"]
    _, out, _ = cli(["check", "--show-files", "--no-respect-gitignore", "."], capsys)
    assert len(out.splitlines()) == 5
    (project / "bklint.toml").write_text("respect-gitignore = false\n")
    _, out, _ = cli(["check", "--show-files", "sub"], capsys)  # from a subfolder: the root's rules apply too
    assert out.splitlines() == ["sub/buildkitd.toml"]


def test_add_noqa(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text(BAD)
    code, _, err = cli(["check", "--add-noqa", "buildkitd.toml"], capsys)
    assert code == 0 and "Added 3 noqa directives." in err
    assert (project / "buildkitd.toml").read_text() == (
        'debug = true  # noqa: BK401\n[worker.oci]\nmax_parallelism = 4  # noqa: BK101\ngc = "false"  # noqa: BK004\n'
    )
    code, out, _ = cli(["check", "buildkitd.toml"], capsys)
    assert code == 0 and "All checks passed" in out
    # A comment that would land inside a multi-line string would be text: refused, nothing written.
    risky = '[worker.oci]\nmax_parallelism = """\n4\n"""\n'
    (project / "buildkitd.toml").write_text(risky)
    code, _, err = cli(["check", "--add-noqa", "buildkitd.toml"], capsys)
    assert code == 1 and "cannot be added here" in err and (project / "buildkitd.toml").read_text() == risky


def test_fix_only_exit_non_zero_on_fix_fixable_unfixable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["check", "--fix", "--unfixable", "BK401", "--output-format", "concise", "buildkitd.toml"], capsys)
    text = (project / "buildkitd.toml").read_text()
    assert code == 1 and "debug = true" in text and "max-parallelism" in text
    assert "BK401 `debug`" in out  # reported, without [*]
    code, out, _ = cli(["check", "--fix-only", "buildkitd.toml"], capsys)
    assert code == 0 and "debug = true" not in (project / "buildkitd.toml").read_text()
    assert "1 fixed, 0 remaining" in out
    (project / "buildkitd.toml").write_text(TWO)
    code, _, _ = cli(["check", "--fix", "--fixable", "BK4", "--exit-non-zero-on-fix", "buildkitd.toml"], capsys)
    assert code == 1 and "max_parallelism" in (project / "buildkitd.toml").read_text()


def test_same_path_twice_is_checked_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(["check", "--output-format", "json", "buildkitd.toml", "./buildkitd.toml", "."], capsys)
    assert len(json.loads(out)) == 2


def test_force_color(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = cli(["check", "buildkitd.toml"], capsys)
    assert "\x1b[" in out
    _, out, _ = cli(["check", "--color", "never", "buildkitd.toml"], capsys)
    assert "\x1b[" not in out


def test_watch_checks_again_on_change(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import watchfiles

    def one_change(*roots: str, **kw: object) -> object:
        (project / "buildkitd.toml").write_text("[worker.oci]\nmax-parallelism = 4\n")
        yield {(watchfiles.Change.modified, str(project / "buildkitd.toml"))}

    monkeypatch.setattr(watchfiles, "watch", one_change)
    code, out, err = cli(["check", "--watch", "--output-format", "concise", "."], capsys)
    assert "BK401" in out and out.rstrip().endswith("All checks passed (1 file).")
    assert "changed; checking again" in err and code == 0


def test_rule_all_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["rule", "--all"], capsys)
    assert code == 0 and out.count("\n# BK") + out.startswith("# BK") > 100
    code, out, _ = cli(["rule", "BK101", "--output-format", "json"], capsys)
    item = json.loads(out)
    assert item["code"] == "BK101" and item["name"] == "unknown-key" and item["fix"] == "available"
    _, out, _ = cli(["rule", "--all", "--output-format", "json"], capsys)
    assert len(json.loads(out)) > 100


# --- CI report formats -------------------------------------------------------------------------


def test_gitlab_code_quality(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text(BAD)
    _, out, _ = cli(["check", "--output-format", "gitlab", "buildkitd.toml"], capsys)
    items = json.loads(out)
    assert len(items) == 3
    for item in items:
        assert set(item) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert item["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert item["location"]["path"] == "buildkitd.toml" and isinstance(item["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in items}) == 3  # distinct per finding
    _, again, _ = cli(["check", "--output-format", "gitlab", "buildkitd.toml"], capsys)
    assert [i["fingerprint"] for i in json.loads(again)] == [i["fingerprint"] for i in items]  # stable
    assert [i["severity"] for i in items] == ["minor", "minor", "major"]


def test_junit_xml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text(BAD)
    (project / "ok.buildkitd.toml").write_text("[worker.oci]\nmax-parallelism = 4\n")
    _, out, _ = cli(["check", "--output-format", "junit", "."], capsys)
    root = ET.fromstring(out.encode())
    assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "3"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["./buildkitd.toml", "./ok.buildkitd.toml"]
    failures = suites[0].findall("testcase/failure")
    assert [f.get("type") for f in failures] == ["BK401", "BK101", "BK004"]
    assert suites[1].find("testcase/failure") is None


def test_rdjson(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "buildkitd.toml").write_text('# é\n[worker.oci]\nmax_parallelism = 4  # ü\n')
    _, out, _ = cli(["check", "--output-format", "rdjson", "buildkitd.toml"], capsys)
    report = json.loads(out)
    assert report["source"]["name"] == "bklint"
    (d,) = report["diagnostics"]
    assert d["code"]["value"] == "BK101" and d["severity"] == "WARNING"
    assert d["location"] == {
        "path": "buildkitd.toml",
        "range": {"start": {"line": 3, "column": 1}, "end": {"line": 3, "column": 16}},
    }
    assert d["suggestions"][0]["text"] == "max-parallelism"


def test_stdin_fix_writes_the_fixed_text(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"[worker.oci]\nmax_parallelism = 4\n")))
    code, out, _ = cli(["check", "--fix", "-", "--stdin-filename", "buildkitd.toml"], capsys)
    assert out == "[worker.oci]\nmax-parallelism = 4\n" and code == 0
