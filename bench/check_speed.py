"""How fast is `bklint check`? Ratios against baselines measured in the same run.

    python bench/check_speed.py [--runs N]

1. Cold start: `bklint check` on a typical config (a fresh process each time) against
   `python -c "import tomlkit, pydantic"` — target ≤ 1.3×; and on `examples/buildkitd.toml`,
   whose CA and client keypair are verified with `cryptography` (imported only then).
2. Cost per extra file: one invocation over 1,000 typical configs against one over a single
   config — target ≤ 2 ms per file.
3. For comparison: `taplo check` (PyPI package `taplo`) on the same file.

Wall-clock numbers on a shared 2-core machine are noisy: each figure is the median of
interleaved runs, and only ratios are meant to be compared.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "buildkitd.toml"
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


def timed(cmd: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median_interleaved(cmds: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the OS caches once
        timed(cmd, cwd)
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(timed(cmd, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    py = sys.executable
    bklint = [py, "-m", "bklint.linter", "check"]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one = work / "one"
        many = work / "many"
        one.mkdir()
        many.mkdir()
        (one / "buildkitd.toml").write_text(TYPICAL)
        for i in range(args.files):
            (many / f"b{i:04d}.buildkitd.toml").write_text(TYPICAL)

        cmds = {
            "baseline: import tomlkit, pydantic": [py, "-c", "import tomlkit, pydantic"],
            "bklint check (examples/, certs verified)": [*bklint, str(EXAMPLE)],
            "bklint check (typical config)": [*bklint, str(one)],
            f"bklint check ({args.files} files)": [*bklint, str(many)],
        }
        taplo = shutil.which("taplo")
        if taplo:
            cmds["taplo check (example)"] = [taplo, "check", str(EXAMPLE)]
        med = median_interleaved(cmds, args.runs, ROOT)

    base = med["baseline: import tomlkit, pydantic"]
    per_file = (med[f"bklint check ({args.files} files)"] - med["bklint check (typical config)"]) / (args.files - 1)
    width = max(len(k) for k in med)
    print(f"{'command'.ljust(width)}  median     ratio to baseline")
    for name, value in med.items():
        print(f"{name.ljust(width)}  {value * 1000:7.1f} ms  {value / base:5.2f}x")
    print()
    cold = med["bklint check (typical config)"] / base
    print(f"cold start ratio, typical config: {cold:.2f}x (target <= 1.30x)  {'OK' if cold <= 1.3 else 'OVER'}")
    certs = med["bklint check (examples/, certs verified)"] / base
    print(f"cold start ratio, example with a CA and a client keypair: {certs:.2f}x (loads `cryptography`)")
    print(f"cost per extra file: {per_file * 1000:.2f} ms (target <= 2 ms)  {'OK' if per_file <= 0.002 else 'OVER'}")
    if "taplo check (example)" in med:
        ratio = med["bklint check (examples/, certs verified)"] / med["taplo check (example)"]
        print(f"bklint vs taplo on the example: {ratio:.2f}x (taplo checks TOML syntax only)")
    else:
        print("taplo not installed (pip install taplo) — comparison skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
