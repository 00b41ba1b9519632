"""buildkitd.default.toml: found by discovery, and `bklint check --buildx-default`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.buildx_default import default_config
from bklint.linter.cli import main


def test_discovery_finds_buildx_default(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "buildkitd.default.toml").write_text("debug = 1\n")
    main(["check", str(tmp_path), "--output-format", "concise"])
    assert "buildkitd.default.toml:1:" in capsys.readouterr().out


def test_location_order(tmp_path: Path) -> None:
    env = {"HOME": "/h", "DOCKER_CONFIG": "/d", "BUILDX_CONFIG": "/b"}
    assert default_config(env)[0] == "/b/buildkitd.default.toml"
    del env["BUILDX_CONFIG"]
    assert default_config(env)[0] == "/d/buildx/buildkitd.default.toml"
    del env["DOCKER_CONFIG"]
    assert default_config(env)[0] == "/h/.docker/buildx/buildkitd.default.toml"


def test_buildx_default_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUILDX_CONFIG", str(tmp_path))
    assert main(["check", "--buildx-default"]) == 0
    assert "no buildx default config" in capsys.readouterr().err
    (tmp_path / "buildkitd.default.toml").write_text("debug = 1\n")
    main(["check", "--buildx-default", "--output-format", "concise"])
    captured = capsys.readouterr()
    assert "($BUILDX_CONFIG)" in captured.err
    assert "buildkitd.default.toml:1:" in captured.out
