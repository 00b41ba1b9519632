"""`bklint migrate` keeps what buildkitd does with the file, and layout and comments with it.

The check is on the loader's view (``Decoded.entries``), reduced to the settings buildkitd
ends up with: the log level after `debug`/`trace`/`log.level`, the worker GC sizes after
the `gckeepstorage`/`gcpolicy` rules, each gcpolicy's `reservedSpace` after `keepBytes`.
For `[ghacache]` the migrated `cache.gha` must hold what the author wrote under ghacache.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bklint.linter.commands.migrate import migrate_bytes
from bklint.linter.run import lint_bytes
from bklint.linter.settings import Settings
from bklint.rules.schema.decode import Decoded

LOAD = Path(__file__).parents[1] / "vectors" / "load"
VECTORS = sorted(
    p.name
    for p in LOAD.iterdir()
    if p.name.startswith(("deprecated-", "gha-", "docs-buildkit-full-example")) and (p / "buildkitd.toml").exists()
)
_SIZES = ("reservedSpace", "maxUsedSpace", "minFreeSpace")


def _decoded(data: bytes) -> Decoded:
    result = lint_bytes(data, "buildkitd.toml", Settings())
    assert result.context is not None and result.context.decoded is not None
    return result.context.decoded


def effective(decoded: Decoded) -> dict[tuple[Any, ...], Any]:
    """What buildkitd acts on (main.go's log level and getGCPolicy), keyed by canonical path."""
    out = {path: entry.value for path, entry in decoded.entries.items()}
    level = out.pop(("log", "level"), "") or ""
    debug, trace = out.pop(("debug",), False), out.pop(("trace",), False)
    out[("log", "level")] = level or ("trace" if trace else "debug" if debug else "")
    for worker in ("oci", "containerd"):
        keep = out.pop(("worker", worker, "gckeepstorage"), None)
        if decoded.count("worker", worker, "gcpolicy"):
            for key in _SIZES:  # ignored next to a gcpolicy
                out.pop(("worker", worker, key), None)
        elif keep is not None and not any(("worker", worker, k) in out for k in _SIZES):
            out[("worker", worker, "reservedSpace")] = keep
        for i in range(decoded.count("worker", worker, "gcpolicy")):
            kb = out.pop(("worker", worker, "gcpolicy", i, "keepBytes"), None)
            if kb is not None:
                out.setdefault(("worker", worker, "gcpolicy", i, "reservedSpace"), kb)
    return out


def _ghacache_meant(data: bytes) -> dict[tuple[Any, ...], Any]:
    """The `[ghacache]` values as `cache.gha` entries (cmd -> command argv)."""
    doc = lint_bytes(data, "buildkitd.toml", Settings()).doc
    assert doc is not None
    meant: dict[tuple[Any, ...], Any] = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, "command" if k == "cmd" else k))
        else:
            if path[-1] == "command" and isinstance(value, str):
                value = value.split()
            meant[("cache", "gha", *path)] = value

    walk(doc.data.get("ghacache", {}), ())
    return meant


@pytest.mark.parametrize("case", VECTORS)
def test_migrate_keeps_effective_settings(case: str) -> None:
    data = (LOAD / case / "buildkitd.toml").read_bytes()
    before = lint_bytes(data, "buildkitd.toml", Settings())
    if any(f.code.startswith("BK0") for f in before.findings):
        pytest.skip("the loader refuses this vector; nothing to migrate")
    outcome, _ = migrate_bytes(data, "buildkitd.toml", None)
    assert outcome.error is None, outcome.error
    after_findings = lint_bytes(outcome.data, "buildkitd.toml", Settings()).findings
    assert not [f for f in after_findings if f.code.startswith("BK0")], after_findings
    assert not [f for f in after_findings if f.code in ("BK401", "BK402", "BK403", "BK404")], after_findings
    old, new = effective(_decoded(data)), effective(_decoded(outcome.data))
    meant = _ghacache_meant(data)
    for path, value in meant.items():
        assert new.pop(path, None) == value, f"cache.gha does not get {path} = {value!r}"
    assert new == old


def test_migrate_verifies_named_keys_of_the_docs_example() -> None:
    data = (LOAD / "docs-buildkit-full-example" / "buildkitd.toml").read_bytes()
    outcome, _ = migrate_bytes(data, "buildkitd.toml", None)
    new = _decoded(outcome.data)
    assert new.value("cache", "gha", "sign", "command") == []
    assert new.value("cache", "gha", "verify", "required") is False
    assert new.value("cache", "gha", "verify", "policy", "timestampThreshold") == 1
    assert new.value("cache", "gha", "verify", "policy", "tlogThreshold") == 1
    assert new.value("cache", "gha", "verify", "policy", "certificateIssuer") == ""
    # Everything above the ghacache block is untouched, comments included.
    text, migrated = data.decode(), outcome.data.decode()
    cut = text.index("[ghacache.sign]")
    assert migrated[:cut] == text[:cut]


def test_old_config_forward() -> None:
    data = (LOAD / "deprecated-old-v0.10-config" / "buildkitd.toml").read_bytes()
    outcome, _ = migrate_bytes(data, "buildkitd.toml", None)
    text = outcome.data.decode()
    assert "gckeepstorage" not in text and "keepBytes" not in text and "debug = true" not in text
    assert 'level = "debug"' in text
    assert 'mirrors = ["mirror.gcr.io"]' in text


def test_target_v0_12_keeps_gckeepstorage_and_debug() -> None:
    data = (LOAD / "deprecated-old-v0.10-config" / "buildkitd.toml").read_bytes()
    outcome, _ = migrate_bytes(data, "buildkitd.toml", "v0.12")
    assert outcome.data == data


def test_target_v0_12_takes_the_older_spelling() -> None:
    data = b'[worker.oci]\nreservedSpace = "10GB" # floor\n[[worker.oci.gcpolicy]]\nreservedSpace = "1GB"\n'
    outcome, _ = migrate_bytes(data, "buildkitd.toml", "v0.12")
    assert outcome.data == b'[worker.oci]\ngckeepstorage = "10GB" # floor\n[[worker.oci.gcpolicy]]\nkeepBytes = "1GB"\n'


def test_target_v0_11_rewrites_strings_as_integers() -> None:
    data = b'[[worker.oci.gcpolicy]]\nkeepDuration = "48h"\nkeepBytes = "1GB"\n'
    outcome, _ = migrate_bytes(data, "buildkitd.toml", "v0.11")
    assert outcome.data == b"[[worker.oci.gcpolicy]]\nkeepDuration = 172800\nkeepBytes = 1073741824\n"


def test_across_v0_28_integers_and_case() -> None:
    data = b"[Worker.OCI]\r\nMax-Parallelism = 4\r\n[[worker.oci.gcpolicy]]\r\nkeepDuration = 172_800\r\n"
    outcome, notes = migrate_bytes(data, "buildkitd.toml", None)
    assert outcome.error is None
    assert outcome.data == data.replace(b"172_800", b"172800")
    assert any("172_800 written as 172800" in n for n in notes)
    assert any("`Max-Parallelism` was ignored by BuildKit before v0.28" in n for n in notes)
    # For an old target the spellings go-toml v1 ignores are migrated (`OCI`, all upper, it
    # matched); the decimal integer is read alike before and after v0.28.
    old, _ = migrate_bytes(data, "buildkitd.toml", "v0.27")
    assert old.data == b"[worker.OCI]\r\nmax-parallelism = 4\r\n[[worker.oci.gcpolicy]]\r\nkeepDuration = 172800\r\n"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bklint.linter", "migrate", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_cli_print_diff_write(tmp_path: Path) -> None:
    path = tmp_path / "buildkitd.toml"
    original = b"# keep me\r\ndebug = true\r\n[worker.oci]\r\ngckeepstorage = 9000\r\n"
    path.write_bytes(original)
    os.chmod(path, 0o640)

    printed = _cli(str(path), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert "reservedSpace = 9000" in printed.stdout and "migrated: BK402" in printed.stderr
    assert path.read_bytes() == original

    diff = _cli(str(path), "--diff", cwd=tmp_path)
    assert diff.returncode == 1 and "+reservedSpace = 9000" in diff.stdout
    assert path.read_bytes() == original

    written = _cli(str(path), "--write", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    new = path.read_bytes()
    assert new.startswith(b"# keep me\r\n[worker.oci]\r\nreservedSpace = 9000\r\n")
    assert b"\r\n[log]\r\nlevel = \"debug\"\r\n" in new
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert _cli(str(path), "--diff", cwd=tmp_path).returncode == 0


def test_cli_bad_target(tmp_path: Path) -> None:
    path = tmp_path / "buildkitd.toml"
    path.write_text("debug = true\n")
    result = _cli(str(path), "--target-version", "v0.9", cwd=tmp_path)
    assert result.returncode == 2
