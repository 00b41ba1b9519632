"""The built .vsix carries a server that runs with a bare Python.

Unpacks editors/vscode/bklint-<version>.vsix (built by editors/vscode/ci.sh, which .ci/run runs
before pytest; or the file named by $BKLINT_VSIX) and starts its bundled server exactly as the
extension does, with ``python3 -S``: no site-packages, so no pip-installed bklint, pygls or
cryptography can help. The server must answer ``initialize``, publish BK101 for
``max_parallelism`` in ``[worker.oci]`` and answer hover, all over stdio.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

VSCODE = REPO / "editors" / "vscode"
CONFIG = "[worker.oci]\n  max_parallelism = 4\n"


def _vsix() -> Path:
    named = os.environ.get("BKLINT_VSIX")
    if named:
        return Path(named)
    version = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))["version"]
    return VSCODE / f"bklint-{version}.vsix"


@pytest.fixture(scope="module")
def extension(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vsix = _vsix()
    if not vsix.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{vsix} was not built: editors/vscode/ci.sh must run before the tests")
        pytest.skip(f"{vsix} is not built (cd editors/vscode && npm run package)")
    root = tmp_path_factory.mktemp("vsix")
    with zipfile.ZipFile(vsix) as archive:
        archive.extractall(root)
    return root / "extension"


def _bare_python() -> str:
    """The `python3` a user has (any will do), else the one running the tests."""
    return shutil.which("python3") or sys.executable


class Server:
    """A minimal LSP client over pipes: enough to drive the server, with a deadline on every read."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.buffer = b""
        self.next_id = 0
        self.notifications: list[dict[str, Any]] = []
        self.selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if sep:
                length = next(
                    int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
                )
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    message: dict[str, Any] = json.loads(rest[:length])
                    return message
            if not self.selector.select(timeout=max(0.0, deadline - time.monotonic())):
                raise AssertionError(f"no answer from the server in time; stderr: {self.stderr()}")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"the server exited ({self.proc.wait()}); stderr: {self.stderr()}")
            self.buffer += chunk

    def request(self, method: str, params: Any, timeout: float = 120) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message.get("result")
            if "method" in message and "id" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def notification(self, method: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, message in enumerate(self.notifications):
                if message["method"] == method:
                    return self.notifications.pop(i)
            message = self._read(deadline)
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=30)
                self.send({"method": "exit"})
                self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def test_the_vsix_bundles_bklint_and_only_pure_python_libraries(extension: Path) -> None:
    libs = extension / "bundled" / "libs"
    assert (extension / "bundled" / "tool" / "lsp_server.py").is_file()
    names = {p.name.split("-")[0].lower() for p in libs.glob("*.dist-info")}
    assert {"bklint", "pygls", "lsprotocol", "tomlkit", "tomli", "exceptiongroup"} <= names
    # One package for every platform: no compiled modules, and the libraries that only come
    # as native wheels are left out (the server degrades without them).
    assert not [p for p in libs.rglob("*") if p.suffix in (".so", ".pyd", ".dylib")]
    assert not {"cryptography", "pydantic", "pydantic_core", "cffi"} & names
    assert not list(libs.rglob("__pycache__")), "byte code is per Python version; it must not ship"
    assert not (libs / "bin").exists(), "scripts name the build machine's Python"


def test_bare_python_cannot_import_bklint_without_the_bundle(extension: Path, tmp_path: Path) -> None:
    """So the next test proves the bundle, not an installed bklint, serves."""
    done = subprocess.run(
        [_bare_python(), "-S", "-c", "import bklint.linter"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0 and "No module named 'bklint'" in done.stderr


def test_bundled_server_answers_initialize_diagnostics_and_hover_under_python_S(extension: Path, tmp_path: Path) -> None:
    config = tmp_path / "buildkitd.toml"
    config.write_text(CONFIG, encoding="utf-8")
    uri = config.as_uri()
    server = Server([_bare_python(), "-S", str(extension / "bundled" / "tool" / "lsp_server.py")], tmp_path)
    try:
        init = server.request(
            "initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}}
        )
        assert init["serverInfo"]["name"] == "bklint"
        assert init["capabilities"]["hoverProvider"]
        server.send({"method": "initialized", "params": {}})
        server.send(
            {
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": CONFIG}},
            }
        )
        published = server.notification("textDocument/publishDiagnostics")
        assert published["params"]["uri"] == uri
        (bk101,) = [d for d in published["params"]["diagnostics"] if d["code"] == "BK101"]
        assert "max_parallelism" in bk101["message"]
        assert bk101["range"]["start"] == {"line": 1, "character": 2}

        hover = server.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}}
        )
        assert hover is not None and "max-parallelism" in hover["contents"]["value"]
        known = server.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 9}}
        )
        assert known is not None and "worker.oci" in known["contents"]["value"]
    finally:
        server.close()
    assert server.proc.returncode == 0


def test_bundled_launcher_runs_other_bklint_commands(extension: Path, tmp_path: Path) -> None:
    """The extension's "Show rule documentation" runs `lsp_server.py rule CODE` the same way."""
    done = subprocess.run(
        [_bare_python(), "-S", str(extension / "bundled" / "tool" / "lsp_server.py"), "rule", "BK101"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# BK101 ")


def test_bundled_bklint_without_cryptography_says_once_what_it_skipped(extension: Path, tmp_path: Path) -> None:
    """The bundle has no cryptography: the certificate contents are skipped, said once, as info."""
    certs = REPO / "tests" / "data" / "certs"
    for name in ("ca.pem", "expired-ca.pem", "ca.der"):
        shutil.copy(certs / name, tmp_path / name)
    (tmp_path / "buildkitd.toml").write_text(
        '[registry."r.example"]\nca = ["ca.pem", "expired-ca.pem", "ca.der", "missing.pem"]\n', encoding="utf-8"
    )
    launcher = str(extension / "bundled" / "tool" / "lsp_server.py")
    done = subprocess.run(
        [_bare_python(), "-S", launcher, "check", "--output-format", "json", "--base-dir", str(tmp_path), "buildkitd.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = json.loads(done.stdout)
    codes = sorted(f["code"] for f in findings)
    # BK306 (DER, no PEM) and BK301 (missing) need no cryptography; BK309 (expired) does.
    assert codes == ["BK301", "BK306", "BK319"], done.stdout + done.stderr
