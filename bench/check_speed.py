"""How fast is `bklint check`? Ratios against `python -c pass`, measured in the same run.

    python bench/check_speed.py [--runs N] [--files N]

Run it with the interpreter of a clean, non-editable install (an editable install's `.pth`
finder and a global site-packages add start-up time that users do not pay):

    python3 -m venv /tmp/bv && /tmp/bv/bin/pip install . && /tmp/bv/bin/python bench/check_speed.py

1. Cold start: `bklint check` on a typical 25-line config (a fresh process each time)
   against `python -c pass` on the same interpreter — target <= 4.0x; and, for comparison,
   on `examples/buildkitd.toml`, whose CA and client keypair are verified with
   `cryptography` (imported only then).
2. Cost per extra file: one invocation over 1,000 typical configs against one over a
   single config — target <= 2 ms per file; and the same over 1,000 real configs (the
   corpus of tests/data/corpus/real, repeated) in nested folders, whose findings and fixes
   vary more (a `debug = true`, a fix that needs a tomlkit round trip).

Wall-clock numbers on a shared 2-core machine are noisy: each figure is the median of
interleaved runs, and only ratios are meant to be compared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "buildkitd.toml"
CORPUS = ROOT / "tests" / "data" / "corpus" / "real"
TYPICAL = """\
debug = false
[log]
  level = "info"
[grpc]
  address = ["unix:///run/buildkit/buildkitd.sock"]
[worker.oci]
  max-parallelism = 4
  gc = true
  reservedSpace = "10GB"
  maxUsedSpace = "60GB"
  [[worker.oci.gcpolicy]]
    keepDuration = "48h"
    filters = ["type==source.local", "type==exec.cachemount"]
  [[worker.oci.gcpolicy]]
    all = true
    maxUsedSpace = "60GB"
[worker.containerd]
  enabled = false
[registry."docker.io"]
  mirrors = ["mirror.gcr.io"]
[registry."registry.internal:5000"]
  http = true
"""
COLD_TARGET = 4.0
PER_FILE_TARGET_MS = 2.0


def timed(cmd: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median_interleaved(cmds: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the OS caches (and write the .pyc files) once
        timed(cmd, cwd)
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(timed(cmd, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def bklint_command(py: str) -> list[str]:
    """The `bklint` console script beside the interpreter (what users run), else `-m`."""
    script = Path(py).parent / "bklint"
    return [str(script)] if script.exists() else [py, "-m", "bklint.linter"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    py = sys.executable
    check = [*bklint_command(py), "check"]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one = work / "one" / "buildkitd.toml"
        many = work / "many"
        one.parent.mkdir()
        many.mkdir()
        one.write_text(TYPICAL)
        for i in range(args.files):
            (many / f"b{i:04d}.buildkitd.toml").write_text(TYPICAL)
        real = work / "real"
        corpus = sorted(CORPUS.glob("*.toml"))
        for i in range(args.files):  # ten to a folder
            folder = real / f"d{i // 10:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"c{i:04d}.buildkitd.toml").write_bytes(corpus[i % len(corpus)].read_bytes())

        baseline, typical, example, several, varied = (
            "python -c pass",
            "bklint check (typical config)",
            "bklint check (examples/, certs verified)",
            f"bklint check ({args.files} files)",
            f"bklint check ({args.files} real configs)",
        )
        cmds = {
            baseline: [py, "-c", "pass"],
            typical: [*check, str(one)],
            example: [*check, str(EXAMPLE)],
            several: [*check, str(many)],
            varied: [*check, str(real)],
        }
        med = median_interleaved(cmds, args.runs, ROOT)

    base = med[baseline]
    width = max(len(k) for k in med)
    print(f"{' '.join(check)} ({py})")
    print(f"{'command'.ljust(width)}  median     ratio to python -c pass")
    for name, value in med.items():
        print(f"{name.ljust(width)}  {value * 1000:7.1f} ms  {value / base:5.2f}x")
    print()
    cold = med[typical] / base
    per_file_ms = (med[several] - med[typical]) / (args.files - 1) * 1000
    per_real_ms = (med[varied] - med[typical]) / (args.files - 1) * 1000
    print(f"cold start ratio, typical config: {cold:.2f}x (target <= {COLD_TARGET}x)  {'OK' if cold <= COLD_TARGET else 'OVER'}")
    print(f"cold start ratio, example with a CA and a client keypair: {med[example] / base:.2f}x (loads `cryptography`)")
    print(
        f"cost per extra file: {per_file_ms:.2f} ms (target <= {PER_FILE_TARGET_MS} ms)  "
        f"{'OK' if per_file_ms <= PER_FILE_TARGET_MS else 'OVER'}"
    )
    print(
        f"cost per extra file, real configs in nested folders: {per_real_ms:.2f} ms (target <= {PER_FILE_TARGET_MS} ms)  "
        f"{'OK' if per_real_ms <= PER_FILE_TARGET_MS else 'OVER'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
