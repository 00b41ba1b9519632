"""`bklint effective`: the file, flags merged over it, defaults and default GC policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bklint.linter.cli import main


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *args: str) -> str:
    f = tmp_path / "buildkitd.toml"
    f.write_text(text)
    assert main(["effective", str(f), *args]) == 0
    return capsys.readouterr().out


def test_bare_file_gets_defaults_and_gc_policies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _run(capsys, tmp_path, "", "--disk-size", "100GB")
    assert 'root = "/var/lib/buildkit"  # default' in out
    assert out.count("[[worker.oci.gcpolicy]]") == 4
    assert 'keepDuration = "1440h0m0s"' in out
    assert "reservedSpace = 10000000000  # default GC policy 2 of v0.32" in out
    assert '"type==source.local", "type==exec.cachemount"' in out


def test_flags_merged(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _run(
        capsys,
        tmp_path,
        '[worker.oci]\nnetworkMode = "host"\n',
        "--buildkitd-flags",
        "--oci-worker-net=cni",
        "--disk-size",
        "100GB",
    )
    assert 'networkMode = "cni"  # flag --oci-worker-net=cni' in out
    assert "[[worker.oci.gcpolicy]]" in out


def test_own_gc_policies_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = '[worker.oci]\n[[worker.oci.gcpolicy]]\nkeepDuration = "1h"\nreservedSpace = "5GB"\n'
    out = _run(capsys, tmp_path, text, "--disk-size", "100GB")
    oci = out.split("[[worker.oci.gcpolicy]]")
    assert len(oci) == 2
    assert 'keepDuration = "1h0m0s"  # file' in oci[1]
    assert "default GC policy" not in oci[1]


def test_old_release_joins_filters_and_uses_keep_bytes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _run(capsys, tmp_path, "", "--target-version", "v0.12.5", "--disk-size", "100GB")
    assert '["type==source.local,type==exec.cachemount,type==source.git.checkout"]' in out
    assert "keepBytes = 11000000000" in out


def test_gc_off_has_no_policies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _run(capsys, tmp_path, "[worker.oci]\ngc = false\n")
    assert "[[worker.oci.gcpolicy]]" not in out


def test_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(_run(capsys, tmp_path, "debug = true\n", "--output-format", "json"))
    assert {"key": ["debug"], "value": True, "origin": "file"} in data


def test_missing_file_is_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["effective", str(tmp_path / "nope.toml")]) == 2
