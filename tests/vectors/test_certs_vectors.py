"""`bklint certs --out` against what buildx's `LoadConfigFiles` produced for every certs vector.

For each case: the set of files written equals the set buildx returned, every copied file's
bytes match the recorded SHA-256, and the rewritten buildkitd.toml parses (tomllib) to the
same dict as buildx's re-serialised one — bklint keeps comments and layout, buildx does not.
Where buildx failed, bklint fails too and writes nothing. The one nondeterministic case
(`variants.json`) accepts any recorded variant.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from bklint.linter.cli import main
from bklint.rules.tomllib_compat import tomllib

CERTS = Path(__file__).parent / "certs"
CASES = sorted(p.name for p in CERTS.iterdir() if (p / "expected.json").is_file())


def _variants(case: Path) -> list[dict[str, Any]]:
    expected: dict[str, Any] = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    extra = case / "variants.json"
    if extra.is_file():
        variants: list[dict[str, Any]] = json.loads(extra.read_text(encoding="utf-8"))["variants"]
        return variants
    return [expected]


def _written(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _mismatch(variant: dict[str, Any], got: dict[str, bytes]) -> str | None:
    files: dict[str, str] = variant["files"]
    if set(files) != set(got):
        return f"files {sorted(got)} != buildx's {sorted(files)}"
    for name, content in files.items():
        if name == "buildkitd.toml":
            ours = tomllib.loads(got[name].decode("utf-8"))
            theirs = tomllib.loads(content)
            if ours != theirs:
                return f"rewritten config differs:\n  bklint {ours}\n  buildx {theirs}"
        elif hashlib.sha256(got[name]).hexdigest() != variant["sha256"][name]:
            return f"{name}: content differs from buildx's copy"
    return None


def test_every_case_is_covered() -> None:
    assert len(CASES) >= 69


@pytest.mark.parametrize("case_id", CASES)
def test_certs_vector(
    case_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CERTS / case_id
    variants = _variants(case)
    out = tmp_path / "out"
    # buildx ran with its working directory in the case folder and the argument buildkitd.toml.
    monkeypatch.chdir(case)
    code = main(["certs", "buildkitd.toml", "--out", str(out)])
    err = capsys.readouterr().err
    if "error" in variants[0]:
        assert code == 1, f"buildx failed ({variants[0]['error']}) but bklint succeeded"
        assert not out.exists(), "nothing may be written when buildx would fail"
        assert "error:" in err
        return
    assert code == 0, err
    got = _written(out)
    problems = [_mismatch(v, got) for v in variants]
    assert None in problems, "\n".join(p for p in problems if p)


def test_symlinked_ca_is_followed_and_named_after_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CERTS / "ca-symlink"
    assert (case / "ca-link.pem").is_symlink()
    monkeypatch.chdir(case)
    assert main(["certs", "buildkitd.toml", "--out", str(tmp_path / "o")]) == 0
    copied = tmp_path / "o" / "certs" / "r.example" / "ca-link.pem"
    assert not copied.is_symlink()
    assert copied.read_bytes() == (case / "real" / "ca.pem").read_bytes()


def test_comments_survive_the_rewrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CERTS / "docs-buildkit-full-example-relative"
    monkeypatch.chdir(case)
    assert main(["certs", "buildkitd.toml", "--out", str(tmp_path / "o")]) == 0
    before = (case / "buildkitd.toml").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "o" / "buildkitd.toml").read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [b.strip() for _, b in changed] == [
        'ca=["/etc/buildkit/certs/docker.io/myca.pem"]',
        'key="/etc/buildkit/certs/docker.io/key.pem"',
        'cert="/etc/buildkit/certs/docker.io/cert.pem"',
    ]
