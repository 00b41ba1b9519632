"""Hostile files from issue 11's reliability run, through the real command line.

Each runs `bklint check` in its own process under a 2 GiB address-space cap: no traceback,
a normal exit code, output under 10 MB and a generous deadline (the point is to catch a
blow-up, not to time a normal run). All inputs are under 100 KB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lsprotocol import types

from bklint.linter.settings import Settings
from bklint.lsp.analysis import analyse
from tests.conftest import VECTORS
from tests.fuzz.limits import bounded

ADDRESS_SPACE = 2 * 1024**3
MAX_OUTPUT = 10 * 1024**2
DEADLINE = 60.0


def _dotted_key(size: int) -> str:
    parts, total = [], 0
    while total < size:
        parts.append(f"k{len(parts)}")
        total += len(parts[-1]) + 1
    return "[worker.oci]\n" + ".".join(parts) + " = 1\n"


def _many_errors(count: int) -> str:
    good = '[registry."r{i}.example.com"]\n  mirrors = ["m{i}.example.com"]\n  http = true\n'
    return "".join(good.format(i=i) + ("  bad = = =\n" if i < count else "") for i in range(60))


HOSTILE: dict[str, Callable[[], bytes | str]] = {
    "header-1000-segments": lambda: "[" + ".".join(["a"] * 1000) + "]\nx = 1\n",
    "integer-5000-digits": lambda: "[worker.oci]\nmax-parallelism = " + "9" * 5000 + "\n",
    "lone-surrogate-as-bytes": lambda: b'[registry."r.io"]\nca = ["\xed\xa0\x80.pem"]\n',
    "nul-escape-paths": lambda: '[registry."r.io"]\nca = ["a\\u0000"]\ntlsconfigdir = ["\\u0000"]\n',
    "dotted-key-20k": lambda: _dotted_key(20_000),
    "dotted-key-50k-one-error": lambda: _dotted_key(50_000) + "x = = 1\n",
    "dotted-key-90k": lambda: _dotted_key(90_000),
    "25-errors-6k": lambda: _many_errors(25),
    "long-array-5000-findings": lambda: (VECTORS / "load" / "file-long-array" / "buildkitd.toml").read_bytes(),
    "35k-line-one-non-ascii": lambda: '[worker.oci]\nplatforms = ["é", ' + '"linux/arch", ' * 2500 + '"x"]\n',
    "deep-arrays": lambda: "a = " + "[" * 20_000 + "]" * 20_000 + "\n",
    "deep-inline-tables": lambda: "a = " + "{b = " * 10_000 + "1" + "}" * 10_000 + "\n",
    "unclosed-brackets": lambda: "[" * 50_000,
    "many-tables": lambda: "".join(f"[t{i}]\n" for i in range(4_000)),
    "many-aot-renames": lambda: "[worker.oci]\n" + "[[worker.oci.GCPolicy]]\nkeepBytes = 1\n" * 2_000,
    "many-registries": lambda: "".join(f'[registry."r{i}.io"]\nmirrors = ["r{i}.io", "r{i}.io"]\n' for i in range(1_500)),
    "control-characters": lambda: bytes(range(32)) * 2_000,
    "utf16": lambda: "[worker.oci]\nmax-parallelism = 4\n".encode("utf-16") * 1_000,
    "noqa-everywhere": lambda: "debug = true  # noqa: BK401, BK999, XX1\n" * 2_000,
    "long-string-escapes": lambda: 'root = "' + "\\u00e9\\n\\t" * 8_000 + '"\n',
    "crlf-and-bare-cr": lambda: "[worker.oci]\r\nmax_parallelism = 4\r" * 3_000,
}


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, make in HOSTILE.items():
        data = make()
        (folder / f"{name}.buildkitd.toml").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits are a Linux check")
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_through_the_cli(hostile_dir: Path, name: str) -> None:
    path = hostile_dir / f"{name}.buildkitd.toml"
    assert path.stat().st_size < 110_000
    run = subprocess.run(
        [sys.executable, "-m", "bklint.linter", "check", str(path)],
        capture_output=True,
        timeout=DEADLINE,
        preexec_fn=_limit,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=hostile_dir,
    )
    err = run.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert run.returncode in (0, 1), err[-2000:]
    assert len(run.stdout) <= MAX_OUTPUT
    assert b"BK902" not in run.stdout, "a rule failed on this file"


@pytest.mark.parametrize("name", ["35k-line-one-non-ascii", "long-array-5000-findings", "dotted-key-50k-one-error"])
def test_hostile_file_in_the_server(name: str) -> None:
    """The server's path for one keystroke: lint, then every finding's range in UTF-16."""
    data = HOSTILE[name]()
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    with bounded(DEADLINE, f"{name} in the server"):
        a = analyse("file:///w/buildkitd.toml", "/w/buildkitd.toml", 1, 1, text, Settings(), types.PositionEncodingKind.Utf16)
    assert len(a.diagnostics) == len(a.findings)
    assert not any(d.code == "BK902" for d in a.diagnostics)
