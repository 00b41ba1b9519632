"""Driver awareness in setup-buildx-action steps: BK604, and the release a pinned image runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.cli import main

STEP = "jobs:\n  a:\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n"
INLINE = '          buildkitd-config-inline: |\n            [worker.oci]\n              reservedSpace = "10GB"\n'


def _check(capsys: pytest.CaptureFixture[str], tmp_path: Path, with_: str, *args: str) -> list[str]:
    wf = tmp_path / "ci.yml"
    wf.write_text(STEP + with_)
    main(["check", str(wf), "--output-format", "concise", *args])
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    ("driver", "expected"),
    [("docker", "daemon.json"), ("remote", "not supported for remote driver")],
)
def test_driver_that_never_applies_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, driver: str, expected: str
) -> None:
    out = _check(capsys, tmp_path, f"          driver: {driver}\n" + INLINE)
    hits = [line for line in out if "BK604" in line]
    assert len(hits) == 1 and expected in hits[0]
    assert ":7:11:" in hits[0]  # on the config's line


@pytest.mark.parametrize("driver", ["docker-container", "kubernetes"])
def test_drivers_that_apply_the_config(capsys: pytest.CaptureFixture[str], tmp_path: Path, driver: str) -> None:
    out = _check(capsys, tmp_path, f"          driver: {driver}\n" + INLINE)
    assert not any("BK604" in line for line in out)


def test_docker_driver_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _check(capsys, tmp_path, "          driver: docker\n          buildkitd-flags: --debug\n")
    assert any("BK604" in line and "`buildkitd-flags`" in line for line in out)


def test_pinned_image_sets_the_target_version(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    opts = "          driver-opts: |\n            image=moby/buildkit:v0.12.5\n            network=host\n"
    out = _check(capsys, tmp_path, opts + INLINE)
    hits = [line for line in out if "BK410" in line]
    assert len(hits) == 1 and ":11:15:" in hits[0] and "v0.12.5" in hits[0]


def test_explicit_target_version_wins(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    opts = "          driver-opts: image=moby/buildkit:v0.12.5\n"
    out = _check(capsys, tmp_path, opts + INLINE, "--target-version", "v0.20")
    assert not any("BK410" in line for line in out)


def test_floating_tag_is_the_newest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _check(capsys, tmp_path, "          driver-opts: image=moby/buildkit:buildx-stable-1\n" + INLINE)
    assert not any("BK410" in line for line in out)


@pytest.mark.parametrize(
    ("opts", "flags", "reported"),
    [
        ("          driver-opts: |\n            namespace=ci\n            rootless=true\n", "", True),
        ("          driver-opts: rootless=True,namespace=ci\n", "", True),
        ("          driver-opts: rootless=true\n", "          buildkitd-flags: --config /etc/buildkit/buildkitd.toml\n", False),
        ("          driver-opts: rootless=true\n", "          buildkitd-flags: --config=/etc/buildkit/buildkitd.toml --debug\n", False),
        ("          driver-opts: rootless=false\n", "", False),
        ("          driver-opts: rootless=${{ inputs.rootless }}\n", "", False),
        ("          driver-opts: rootless=true\n", "          buildkitd-flags: ${{ inputs.flags }}\n", False),
    ],
)
def test_rootless_kubernetes_never_reads_the_mounted_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, opts: str, flags: str, reported: bool
) -> None:
    out = _check(capsys, tmp_path, "          driver: kubernetes\n" + opts + flags + INLINE)
    hits = [line for line in out if "BK604" in line]
    assert bool(hits) == reported, out
    if reported:
        assert "~/.config/buildkit/buildkitd.toml" in hits[0] and "buildkitd-config-inline" in hits[0]
