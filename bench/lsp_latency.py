"""Change→diagnostics latency of `bklint lsp` against tombi on a 1,600-line buildkitd.toml.

Drives both servers as subprocesses over real stdio JSON-RPC with the same client, one
incremental edit at a time, and times each edit from the didChange write to the
publishDiagnostics it causes. Two kinds of edit, reported apart and together: same-length
toggles (a key typo toggled on and off in a different registry each time) and typing that
changes the text's length (a character typed and deleted, a line inserted and removed, in
the registry tables near the top, so everything below them moves).
The two servers get the same edits interleaved (an edit to bklint, then the same edit to
tombi), so load from other processes on a shared machine falls on both alike.

tombi (Rust, PyPI `tombi`) validates the file against bklint's own JSON Schema (`bklint
schema`, chosen through a `tombi.toml` next to the file, offline, no schema catalog). It is
installed into the bench's own environment, `bench/.venv`, on first use — never into the
project's. Also reported: the engine's ``lint_text`` on the same texts (full and
incremental parse), and each server's resident memory from /proc/<pid>/status.

    python bench/lsp_latency.py [--edits 200] [--no-tombi] [--tombi PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
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

# Issue 15: change→diagnostics p95 at most tombi's p95, measured in the same run.
TARGET_RATIO = 1.0
TARGET_RSS_MB = 80.0
TOMBI_VERSION = "1.9.6"
BENCH_VENV = Path(__file__).parent / ".venv"


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


# One edit: start line and column, end line and column, new text, the document after it.
Change = tuple[int, int, int, int, str, str]


def toggles(text: str, count: int) -> list[Change]:
    """``count`` same-length edits: a key typo toggled on and off in a different registry each time."""
    lines = text.split("\n")
    http_lines = [i for i, line in enumerate(lines) if line.startswith("  http = ")]
    out = []
    current = list(lines)
    for n in range(count):
        line = http_lines[(n * 37) % len(http_lines)]
        typo = current[line].startswith("  http")
        new = "htpp" if typo else "http"
        current[line] = f"  {new}{current[line][6:]}"
        out.append((line, 2, line, 6, new, "\n".join(current)))
    return out


def typing(text: str, count: int) -> list[Change]:
    """``count`` edits that change the text's length, as typing does, in the registry tables
    near the top so that everything below moves: a character typed and deleted again, a
    line inserted and removed again (a different table every four edits)."""
    lines = text.split("\n")
    keys = [i + 1 for i, line in enumerate(lines) if line.startswith("[registry.")][:20]
    out = []
    current = list(lines)
    for n in range(count):
        line = keys[(n // 4) % len(keys)]
        step = n % 4
        if step == 0:  # type a character in a key
            current[line] = current[line][:4] + "x" + current[line][4:]
            change: tuple[int, int, int, int, str] = (line, 4, line, 4, "x")
        elif step == 1:  # delete it
            current[line] = current[line][:4] + current[line][5:]
            change = (line, 4, line, 5, "")
        elif step == 2:  # insert a line
            current.insert(line, "  # a note")
            change = (line, 0, line, 0, "  # a note\n")
        else:  # remove it
            del current[line]
            change = (line, 0, line + 1, 0, "")
        out.append((*change, "\n".join(current)))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Session:
    """One server with the big document open; ``edit`` applies one change and times it."""

    def __init__(self, cmd: list[str], workdir: str, text: str, versioned: bool) -> None:
        self.client = Client(cmd, workdir)
        self.versioned = versioned
        root = Path(workdir).as_uri()
        self.client.request(
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
        self.client.notify("initialized", {})
        self.uri = (Path(workdir) / "buildkitd.toml").as_uri()
        self.client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "toml", "version": 1, "text": text}},
        )
        self.client.wait_diagnostics(self.uri, 1 if versioned else None)
        self.version = 1
        self.times: dict[str, list[float]] = {}

    def edit(self, plan: str, line: int, start: int, end_line: int, end: int, new: str) -> None:
        """Apply one change and record its latency under ``plan``."""
        self.version += 1
        change = {
            "range": {"start": {"line": line, "character": start}, "end": {"line": end_line, "character": end}},
            "text": new,
        }
        sent = self.client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]},
        )
        arrived = self.client.wait_diagnostics(self.uri, self.version if self.versioned else None)
        self.times.setdefault(plan, []).append((arrived - sent) * 1000)


def tombi_command(explicit: str | None) -> list[str]:
    """`tombi lsp --offline`, installing tombi into bench/.venv first if need be."""
    if explicit:
        return [explicit, "lsp", "--offline"]
    exe = BENCH_VENV / "bin" / "tombi"
    if not exe.exists():
        print(f"installing tombi {TOMBI_VERSION} into {BENCH_VENV} (the bench's own environment)…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q", f"tombi=={TOMBI_VERSION}"], check=True
        )
    return [str(exe), "lsp", "--offline"]


def tombi_workdir(workdir: str) -> None:
    """bklint's JSON Schema and a tombi.toml that applies it to buildkitd.toml (no catalog, offline)."""
    subprocess.run(
        [sys.executable, "-m", "bklint.linter", "schema", "-o", str(Path(workdir, "bklint.schema.json"))], check=True
    )
    Path(workdir, "tombi.toml").write_text(
        '[schema.catalog]\npaths = []\n\n[[schemas]]\npath = "bklint.schema.json"\ninclude = ["buildkitd.toml"]\n'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-tombi", action="store_true", help="measure bklint alone")
    parser.add_argument("--tombi", metavar="PATH", help="a tombi executable (default: bench/.venv, installed on first use)")
    args = parser.parse_args()

    text = big_config()
    count = args.warmup + args.edits
    # Typing first, on the clean document (each four edits restore it), then the toggles,
    # which leave key typos behind.
    plans = {"typing (length changes)": typing(text, count)}
    plans["same-length toggles"] = toggles(plans["typing (length changes)"][-1][-1], count)

    from bklint.linter.incremental import ParseCache
    from bklint.linter.run import lint_text
    from bklint.linter.settings import Settings

    settings = Settings()
    engine: dict[str, tuple[list[float], list[float]]] = {}
    cache = ParseCache()
    lint_text(text, "buildkitd.toml", settings, cache)
    for kind, plan in plans.items():
        raw, warm = engine[kind] = ([], [])
        for i, (*_, after) in enumerate(plan):
            t0 = time.perf_counter()
            lint_text(after, "buildkitd.toml", settings, cache)
            t1 = time.perf_counter()
            if i >= args.warmup:
                warm.append((t1 - t0) * 1000)
                if i % 5 == 0:  # the full lint is slow: a sample
                    lint_text(after, "buildkitd.toml", settings)
                    raw.append((time.perf_counter() - t1) * 1000)

    with tempfile.TemporaryDirectory() as workdir:
        Path(workdir, "buildkitd.toml").write_text(text)
        sessions = {"bklint": Session([sys.executable, "-m", "bklint.linter", "lsp"], workdir, text, versioned=True)}
        if not args.no_tombi:
            tombi_workdir(workdir)
            sessions["tombi"] = Session(tombi_command(args.tombi), workdir, text, versioned=False)
        for kind, plan in plans.items():
            for line, start, end_line, end, new, _ in plan:
                for session in sessions.values():  # the same edit to each server in turn
                    session.edit(kind, line, start, end_line, end, new)
        memory = {}
        for name, session in sessions.items():
            rss, hwm = session.client.rss_mb()
            memory[name] = (rss, hwm)
            session.client.close()

    print(f"{text.count(chr(10))} lines, {text.count('[registry.')} registries; per kind of edit, {args.edits} edits")
    print(f"(+{args.warmup} warm-up), one at a time, each sent to every server in turn\n")
    print(f"{'':56} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    measured: dict[str, dict[str, list[float]]] = {}
    for kind in plans:
        print(kind)
        rows = []
        for name, session in sessions.items():
            label = "bklint lsp" if name == "bklint" else f"tombi {TOMBI_VERSION} lsp (bklint's JSON Schema)"
            values = measured.setdefault(name, {})[kind] = session.times[kind][args.warmup :]
            rows.append((f"{label}: change → diagnostics", values))
        rows.append(("engine lint_text, incremental (server's path)", engine[kind][1]))
        rows.append(("engine lint_text, full parse (every 5th)", engine[kind][0]))
        for name, values in rows:
            p50, p95 = statistics.median(values), percentile(values, 95)
            print(f"  {name:54} {p50:8.1f} {p95:8.1f} {max(values):8.1f}")
    print()
    ours = measured["bklint"]
    if "tombi" in sessions:
        theirs = measured["tombi"]
        for kind in [*plans, "all edits"]:
            server = ours[kind] if kind in ours else [v for vs in ours.values() for v in vs]
            other = theirs[kind] if kind in theirs else [v for vs in theirs.values() for v in vs]
            ratio50 = statistics.median(server) / statistics.median(other)
            ratio95 = percentile(server, 95) / percentile(other, 95)
            verdict = "met" if ratio95 <= TARGET_RATIO else "MISSED"
            print(f"bklint / tombi, {kind}: p50 {ratio50:.2f}×, p95 {ratio95:.2f}× (target p95 ≤ {TARGET_RATIO:.1f}×: {verdict})")
    for name, (rss, hwm) in memory.items():
        print(f"{name} RSS {rss:.1f} MB (peak {hwm:.1f} MB)")
    hwm = memory["bklint"][1]
    print(f"bklint RSS ≤ {TARGET_RSS_MB:.0f} MB: {'met' if hwm <= TARGET_RSS_MB else 'MISSED'} (peak {hwm:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
