"""Change→diagnostics latency of `bklint lsp` on a 1,600-line buildkitd.toml (400 registries).

Drives the server as a subprocess over real stdio JSON-RPC, one incremental edit at a time
(a key typo toggled on and off in a different registry each time), and times each edit
from the didChange write to the publishDiagnostics of that version. For comparison, in
the same run: the engine's own ``lint_text`` on the same texts (the floor the server adds
to), and `taplo lsp stdio` (a Rust TOML server) on the same edits when it is installed.
Also reports the server's resident memory from /proc/<pid>/status.

    python bench/lsp_latency.py [--edits 200] [--no-taplo]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "data"))
from big_config import big_config

TARGET_P95_MS = 30.0
TARGET_RSS_MB = 80.0


class Client:
    """A minimal synchronous LSP client: enough to time notifications against replies."""

    def __init__(self, cmd: list[str], cwd: str) -> None:
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, payload: dict[str, Any]) -> float:
        data = json.dumps({"jsonrpc": "2.0", **payload}).encode()
        stdin = self.proc.stdin
        assert stdin is not None
        started = time.perf_counter()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        stdin.flush()
        return started

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.proc.returncode}")
            _, msg = self.messages.get(timeout=timeout)
            if msg.get("id") == self.next_id and "method" not in msg:
                return msg.get("result")
            self._answer(msg)

    def _answer(self, msg: dict[str, Any]) -> None:
        """Reply to server→client requests (configuration, registrations) so nothing blocks."""
        if "id" in msg and "method" in msg:
            result: Any = None
            if msg["method"] == "workspace/configuration":
                result = [None for _ in msg["params"]["items"]]
            self.send({"id": msg["id"], "result": result})

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def wait_diagnostics(self, uri: str, version: int | None, timeout: float = 60) -> float:
        """Arrival time of the publishDiagnostics for ``uri`` (of ``version`` if the server sends it)."""
        deadline = time.perf_counter() + timeout
        while True:
            at, msg = self.messages.get(timeout=max(deadline - time.perf_counter(), 0.01))
            self._answer(msg)
            if msg.get("method") != "textDocument/publishDiagnostics":
                continue
            params = msg["params"]
            if params["uri"] != uri:
                continue
            if version is None or params.get("version") in (None, version):
                return at

    def rss_mb(self) -> tuple[float, float]:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        values = {}
        for line in status.splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def edits(text: str, count: int) -> list[tuple[int, int, int, str, str]]:
    """(line, start, end, new text, document after) for ``count`` keystroke-sized edits."""
    lines = text.split("\n")
    http_lines = [i for i, line in enumerate(lines) if line.startswith("  http = ")]
    out = []
    current = list(lines)
    for n in range(count):
        line = http_lines[(n * 37) % len(http_lines)]
        typo = current[line].startswith("  http")
        new = "htpp" if typo else "http"
        current[line] = f"  {new}{current[line][6:]}"
        out.append((line, 2, 6, new, "\n".join(current)))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def drive(
    cmd: list[str], workdir: str, text: str, plan: list[tuple[int, int, int, str, str]], versioned: bool
) -> tuple[list[float], Client]:
    client = Client(cmd, workdir)
    root = Path(workdir).as_uri()
    client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "bench"}],
            "capabilities": {
                "textDocument": {"publishDiagnostics": {"versionSupport": True}, "synchronization": {}},
                "workspace": {"configuration": True},
            },
        },
        timeout=15,
    )
    client.notify("initialized", {})
    uri = (Path(workdir) / "buildkitd.toml").as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}},
    )
    client.wait_diagnostics(uri, 1 if versioned else None)
    times = []
    for i, (line, start, end, new, _) in enumerate(plan, start=2):
        sent = client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": i},
                "contentChanges": [
                    {
                        "range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}},
                        "text": new,
                    }
                ],
            },
        )
        arrived = client.wait_diagnostics(uri, i if versioned else None)
        times.append((arrived - sent) * 1000)
    return times, client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-taplo", action="store_true")
    args = parser.parse_args()

    text = big_config()
    plan = edits(text, args.warmup + args.edits)
    rows: list[tuple[str, list[float], str]] = []

    from bklint.linter.incremental import ParseCache
    from bklint.linter.run import lint_text
    from bklint.linter.settings import Settings

    settings = Settings()
    raw: list[float] = []
    warm: list[float] = []
    cache = ParseCache()
    for i, (*_, after) in enumerate(plan):
        t0 = time.perf_counter()
        lint_text(after, "buildkitd.toml", settings)
        t1 = time.perf_counter()
        lint_text(after, "buildkitd.toml", settings, cache)
        t2 = time.perf_counter()
        if i >= args.warmup:
            raw.append((t1 - t0) * 1000)
            warm.append((t2 - t1) * 1000)

    with tempfile.TemporaryDirectory() as workdir:
        Path(workdir, "buildkitd.toml").write_text(text)
        times, client = drive([sys.executable, "-m", "bklint.linter", "lsp"], workdir, text, plan, versioned=True)
        rss, hwm = client.rss_mb()
        client.close()
        server = times[args.warmup :]
        rows.append(("bklint lsp: change → diagnostics", server, f"RSS {rss:.1f} MB (peak {hwm:.1f} MB)"))
        rows.append(("engine lint_text, full parse (baseline)", raw, ""))
        rows.append(("engine lint_text, incremental (server's path)", warm, ""))
        taplo = shutil.which("taplo")
        if taplo and not args.no_taplo:
            try:
                ttimes, tclient = drive([taplo, "lsp", "--no-auto-config", "stdio"], workdir, text, plan, versioned=False)
                trss, thwm = tclient.rss_mb()
                tclient.close()
                rows.append(("taplo lsp stdio: change → diagnostics", ttimes[args.warmup :], f"RSS {trss:.1f} MB (peak {thwm:.1f} MB)"))
            except Exception as exc:  # taplo is only a reference point
                reason = str(exc) or "no answer to initialize within 15 s"
                rows.append((f"taplo lsp stdio: not measured ({reason})", [], ""))

    lines = text.count("\n")
    print(f"{lines} lines, {text.count('[registry.')} registries, {args.edits} edits (+{args.warmup} warm-up), one at a time\n")
    print(f"{'':48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'× full':>7}  memory")
    raw_p50 = statistics.median(raw)
    for name, values, extra in rows:
        if not values:
            print(name)
            continue
        p50, p95 = statistics.median(values), percentile(values, 95)
        print(f"{name:48} {p50:8.1f} {p95:8.1f} {max(values):8.1f} {p50 / raw_p50:7.2f}  {extra}")
    p95 = percentile(server, 95)
    print(
        f"\ntargets: p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'MISSED'} ({p95:.1f}); "
        f"RSS ≤ {TARGET_RSS_MB:.0f} MB: {'met' if hwm <= TARGET_RSS_MB else 'MISSED'} (peak {hwm:.1f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
