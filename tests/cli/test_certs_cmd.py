"""`bklint certs`: the printed rewrite and copy plan, and safe writing with --out."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bklint.linter.cli import main

CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CONFIG = """\
# registry certificates for the builder
[registry."r.example:5000"]  # our registry
ca = ['certs/ca.pem']  # literal string kept literal

[[registry."r.example:5000".keypair]]
key = "certs/client.key"
cert = "certs/client.crt"

[grpc.tls]
cert = "/etc/buildkit/tls.crt"
key = "/etc/buildkit/tls.key"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_bytes(CA)
    (tmp_path / "certs" / "client.key").write_bytes(b"key bytes\n")
    (tmp_path / "certs" / "client.crt").write_bytes(b"cert bytes\n")
    (tmp_path / "buildkitd.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_prints_the_rewritten_config_and_the_plan(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certs", "buildkitd.toml"]) == 0
    out, err = capsys.readouterr()
    assert out == CONFIG.replace("'certs/ca.pem'", "'/etc/buildkit/certs/r.example_5000/ca.pem'").replace(
        '"certs/client.key"', '"/etc/buildkit/certs/r.example_5000/client.key"'
    ).replace('"certs/client.crt"', '"/etc/buildkit/certs/r.example_5000/client.crt"')
    assert f"{project}/certs/ca.pem -> /etc/buildkit/certs/r.example_5000/ca.pem" in err
    assert "BK315 `grpc.tls.cert`: `docker buildx create` does not copy `/etc/buildkit/tls.crt`" in err


def test_json_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certs", "buildkitd.toml", "--output-format", "json", "--prefix", "/opt/bk"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"config", "files", "warnings"}
    assert payload["files"] == [
        {"source": f"{project}/certs/ca.pem", "destination": "/opt/bk/certs/r.example_5000/ca.pem"},
        {"source": f"{project}/certs/client.key", "destination": "/opt/bk/certs/r.example_5000/client.key"},
        {"source": f"{project}/certs/client.crt", "destination": "/opt/bk/certs/r.example_5000/client.crt"},
    ]
    assert "'/opt/bk/certs/r.example_5000/ca.pem'" in payload["config"]
    assert len(payload["warnings"]) == 2  # the two grpc.tls paths


def test_out_writes_the_tree(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "tree"
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 0
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        "buildkitd.toml",
        "certs/r.example_5000/ca.pem",
        "certs/r.example_5000/client.crt",
        "certs/r.example_5000/client.key",
    ]
    assert (out / "certs/r.example_5000/ca.pem").read_bytes() == CA
    assert stat.S_IMODE((out / "certs/r.example_5000/client.key").stat().st_mode) == 0o600
    assert "# our registry" in (out / "buildkitd.toml").read_text()
    assert not [p for p in tmp_path.iterdir() if ".bklint-" in p.name], "temporary folder left behind"


def test_base_dir_replaces_the_working_directory(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.chdir(elsewhere)
    assert main(["certs", str(project / "buildkitd.toml")]) == 1
    assert main(["certs", str(project / "buildkitd.toml"), "--base-dir", str(project)]) == 0


def test_missing_source_writes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "certs" / "client.crt").unlink()
    out = tmp_path / "tree"
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 1
    assert "failed to read cert file: certs/client.crt" in capsys.readouterr().err
    assert not out.exists()


def test_existing_out_dir_keeps_other_files(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "tree"
    out.mkdir()
    (out / "README").write_text("mine")
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 0
    assert (out / "README").read_text() == "mine"
    assert (out / "certs/r.example_5000/ca.pem").read_bytes() == CA


def test_symlinked_folder_inside_out_is_refused(project: Path, tmp_path: Path) -> None:
    out, victim = tmp_path / "tree", tmp_path / "victim"
    out.mkdir()
    victim.mkdir()
    (out / "certs").symlink_to(victim)
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 1
    assert list(victim.iterdir()) == []
    assert not (out / "buildkitd.toml").exists(), "validation happens before any write"


def test_symlinked_file_inside_out_is_refused(project: Path, tmp_path: Path) -> None:
    out, victim = tmp_path / "tree", tmp_path / "victim.txt"
    victim.write_text("keep me")
    out.mkdir()
    (out / "buildkitd.toml").symlink_to(victim)
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 1
    assert victim.read_text() == "keep me"


def test_hostile_registry_names_stay_inside_out(project: Path, tmp_path: Path) -> None:
    (project / "buildkitd.toml").write_text(
        '[registry."../../../../tmp/x"]\nca = ["certs/ca.pem"]\n[registry.".."]\nca = ["certs/client.crt"]\n'
    )
    out = tmp_path / "tree"
    before = {p.name for p in tmp_path.iterdir()}
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["buildkitd.toml", "certs/.._.._.._.._tmp_x/ca.pem", "client.crt"]
    assert {p.name for p in tmp_path.iterdir()} == before | {"tree"}


def test_over_1mib_is_truncated_with_a_warning(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "certs" / "ca.pem").write_bytes(CA + b"#" * (1024 * 1024))
    out = tmp_path / "tree"
    assert main(["certs", "buildkitd.toml", "--out", str(out)]) == 0
    assert (out / "certs/r.example_5000/ca.pem").stat().st_size == 1024 * 1024
    assert "larger than 1 MiB" in capsys.readouterr().err


def test_collisions_are_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "other").mkdir()
    (project / "other" / "ca.pem").write_bytes(b"another CA\n")
    (project / "buildkitd.toml").write_text('[registry."r.example"]\nca = ["certs/ca.pem", "other/ca.pem"]\n')
    assert main(["certs", "buildkitd.toml", "--output-format", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert [w.split(" ")[1] for w in warnings] == ["BK314"]
    assert "`other/ca.pem` overwrites this one" in warnings[0]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "buildkit configuration file not found"),
        (lambda p: (p / "cfg.toml").mkdir(), "is a directory"),
        (
            lambda p: (p / "cfg.toml").write_text('[Registry."r.io"]\nhttp = true\n'),
            'invalid registry config for "r.io"',
        ),
        (
            lambda p: (p / "cfg.toml").write_text("[worker.oci]\nmax-parallelism = '4'\n"),
            "failed to load buildkit",
        ),
        (lambda p: (p / "cfg.toml").write_text("a = [\n"), "invalid TOML"),
    ],
)
def test_refuses_what_buildx_refuses(
    setup: object,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)  # type: ignore[operator]
    assert main(["certs", "cfg.toml", "--out", str(tmp_path / "tree")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "tree").exists()


def test_relative_prefix_is_a_usage_error(project: Path) -> None:
    assert main(["certs", "buildkitd.toml", "--prefix", "etc/buildkit"]) == 2


def test_certs_reports_what_check_reports_through_the_same_filter(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10: certs' warnings are the BK3xx findings, same codes and words as `check`."""
    assert main(["certs", "buildkitd.toml", "--output-format", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    main(["check", "buildkitd.toml", "--output-format", "concise", "--select", "BK305,BK313,BK314,BK315"])
    # The finding lines (concise output ends with a "Found N problems." summary, as ruff's does).
    checked = [line for line in capsys.readouterr().out.splitlines() if line.startswith("buildkitd.toml:")]
    assert warnings == checked and len(warnings) == 2
    (project / "buildkitd.toml").write_text(CONFIG.replace('key = "/etc/buildkit/tls.key"', 'key = "/etc/buildkit/tls.key"  # noqa: BK315'))
    assert main(["certs", "buildkitd.toml", "--output-format", "json"]) == 0
    (left,) = json.loads(capsys.readouterr().out)["warnings"]
    assert "grpc.tls.cert" in left


def test_certs_reads_the_project_configuration_like_check(tmp_path: Path) -> None:
    """An `ignore` in bklint.toml silences the same finding in `certs` as in `check` (one resolver)."""
    (tmp_path / "bklint.toml").write_text('ignore = ["BK315"]\n')
    cfg = tmp_path / "buildkitd.toml"
    cfg.write_text('[grpc.tls]\ncert = "/etc/buildkit/tls.crt"\nkey = "/etc/buildkit/tls.key"\n')
    out = subprocess.run(
        [sys.executable, "-m", "bklint.linter", "certs", str(cfg)], capture_output=True, text=True, cwd=tmp_path
    )
    assert "BK315" not in out.stderr
