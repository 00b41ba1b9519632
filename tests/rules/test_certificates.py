"""Certificate and file rules (BK301–BK318): one bad and one good config per rule.

The PKI in tests/data/certs is throwaway (see make.py there); each test works on a copy in
a temporary folder, which is also the base directory relative paths resolve against.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bklint.rules.base import Severity
from tests.conftest import lint

DATA = Path(__file__).parents[1] / "data" / "certs"


def _load_make() -> object:
    spec = importlib.util.spec_from_file_location("bklint_test_make_certs", DATA / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    for f in DATA.iterdir():
        if f.suffix in (".pem", ".der"):
            shutil.copy(f, tmp_path / f.name)
    ca = (tmp_path / "ca.pem").read_bytes()
    # Text outside PEM blocks is allowed: a valid bundle just over buildx's 1 MiB limit.
    (tmp_path / "big.pem").write_bytes(ca + b"#" * (1024 * 1024) + b"\n")
    (tmp_path / "empty.pem").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo.pem")
    good = tmp_path / "certs.d"
    good.mkdir()
    shutil.copy(tmp_path / "ca.pem", good / "ca.crt")
    shutil.copy(tmp_path / "client.pem", good / "client.cert")
    shutil.copy(tmp_path / "client-key.pem", good / "client.key")
    bad = tmp_path / "bad.d"
    bad.mkdir()
    shutil.copy(tmp_path / "ca.pem", bad / "ca.pem")
    shutil.copy(tmp_path / "client.pem", bad / "client.cert")
    (bad / "notpem.crt").write_text("not a certificate\n")
    make = _load_make()
    now = dt.datetime.now(dt.timezone.utc)
    k = make.key()  # type: ignore[attr-defined]
    soon = make.make_cert(  # type: ignore[attr-defined]
        "soon CA", k, ca=True, not_before=now - dt.timedelta(days=300), not_after=now + dt.timedelta(days=5)
    )
    (tmp_path / "soon.pem").write_bytes(make.pem(soon))  # type: ignore[attr-defined]
    return tmp_path


def reg(body: str, name: str = "r.example") -> str:
    return f'[registry."{name}"]\n{body}\n'


def kp(key: str, cert: str) -> str:
    return f'[registry."r.example"]\n[[registry."r.example".keypair]]\nkey = "{key}"\ncert = "{cert}"\n'


CASES: dict[str, tuple[str, str]] = {
    "BK301": (reg('ca = ["nope/ca.pem"]'), reg('ca = ["ca.pem"]')),
    "BK302": (reg('ca = ["/nonexistent/bklint/ca.pem"]'), reg('ca = ["{base}/ca.pem"]')),
    "BK303": (reg('ca = ["folder"]'), reg('ca = ["ca.pem"]')),
    "BK305": (reg('ca = ["big.pem"]'), reg('ca = ["ca.pem"]')),
    "BK306": (reg('ca = ["ca.der"]'), reg('ca = ["ca.pem"]')),
    "BK307": (kp("client.pem", "client-key.pem"), kp("client-key.pem", "client.pem")),
    "BK308": (kp("other-key.pem", "client.pem"), kp("client-key.pem", "client.pem")),
    "BK309": (reg('ca = ["expired-ca.pem"]'), reg('ca = ["ca.pem"]')),
    "BK310": (reg('ca = ["future-ca.pem"]'), reg('ca = ["ca.pem"]')),
    "BK311": (reg('ca = ["soon.pem"]'), reg('ca = ["ca.pem"]')),
    "BK312": (reg('ca = ["leaf.pem"]'), reg('ca = ["ca.pem"]')),
    "BK313": (
        '[registry."r.example"]\n[[registry."r.example".keypair]]\ncert = "client.pem"\n',
        kp("client-key.pem", "client.pem"),
    ),
    "BK314": (
        reg('ca = ["ca.pem", "sub/ca.pem"]'),
        reg('ca = ["ca.pem", "leaf.pem"]'),
    ),
    "BK315": (reg('tlsconfigdir = ["certs.d"]'), reg('ca = ["certs.d/ca.crt"]')),
    "BK316": (reg('tlsconfigdir = ["bad.d"]'), reg('tlsconfigdir = ["certs.d"]')),
    "BK317": (reg('tlsconfigdir = ["bad.d"]'), reg('tlsconfigdir = ["certs.d"]')),
    "BK318": (kp("client-key-encrypted.pem", "client.pem"), kp("client-key.pem", "client.pem")),
}


def found(text: str, base: Path, **settings: object) -> list[str]:
    return [f.code for f in lint(text.replace("{base}", str(base)), base_dir=str(base), **settings).findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_example_is_reported(code: str, pki: Path) -> None:
    (pki / "sub").mkdir()
    (pki / "sub" / "ca.pem").write_bytes((pki / "leaf.pem").read_bytes())
    assert code in found(CASES[code][0], pki)


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_example_is_clean(code: str, pki: Path) -> None:
    assert code not in found(CASES[code][1], pki)


def test_good_configs_have_no_cert_findings_at_all(pki: Path) -> None:
    text = (
        '[registry."r.example"]\nca = ["ca.pem"]\n'
        '[[registry."r.example".keypair]]\nkey = "client-key.pem"\ncert = "client.pem"\n'
    )
    assert [c for c in found(text, pki) if c.startswith("BK3")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(pki: Path) -> None:
    (pki / "locked.pem").write_bytes((pki / "ca.pem").read_bytes())
    os.chmod(pki / "locked.pem", 0)
    assert "BK304" in found(reg('ca = ["locked.pem"]'), pki)
    assert "BK304" not in found(reg('ca = ["ca.pem"]'), pki)


def test_unreadable_tlsconfigdir_is_a_warning(pki: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root can read anything, so simulate the permission error the scan would meet.
    def denied(path: str) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "scandir", denied)
    findings = lint(reg('tlsconfigdir = ["certs.d"]'), base_dir=str(pki)).findings
    (bk304,) = [f for f in findings if f.code == "BK304"]
    assert bk304.severity is Severity.WARNING


def test_fifo_is_reported_without_being_opened(pki: Path) -> None:
    findings = lint(reg('ca = ["fifo.pem"]'), base_dir=str(pki)).findings
    (bk303,) = [f for f in findings if f.code == "BK303"]
    assert "FIFO" in bk303.message


def test_tlsconfigdir_that_is_a_file(pki: Path) -> None:
    assert "BK303" in found(reg('tlsconfigdir = ["ca.pem"]'), pki)


def test_empty_ca_path_is_an_error(pki: Path) -> None:
    assert "BK301" in found(reg('ca = [""]'), pki)


def test_relative_paths_resolve_against_base_dir(pki: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    text = reg('ca = ["ca.pem"]')
    assert "BK301" in [f.code for f in lint(text, base_dir=str(elsewhere)).findings]
    assert "BK301" not in [f.code for f in lint(text, base_dir=str(pki)).findings]


def test_absolute_missing_path_severity_depends_on_where_it_points(pki: Path) -> None:
    host = lint(reg('ca = ["/nonexistent/bklint/ca.pem"]'), base_dir=str(pki)).findings
    builder = lint(reg('ca = ["/etc/buildkit/certs/r.example/ca.pem"]'), base_dir=str(pki)).findings
    grpc = lint(
        '[grpc.tls]\ncert = "/nonexistent/bklint/tls.crt"\nkey = "/nonexistent/bklint/tls.key"\n'
    ).findings
    assert {f.severity for f in host if f.code == "BK302"} == {Severity.WARNING}
    assert {f.severity for f in builder if f.code == "BK302"} == {Severity.INFO}
    assert [f.code for f in grpc if f.code in ("BK301", "BK302")] == []
    assert {f.code for f in grpc} >= {"BK315"}


def test_key_and_cert_with_the_same_basename_is_an_error(pki: Path) -> None:
    (pki / "a").mkdir()
    (pki / "b").mkdir()
    shutil.copy(pki / "client-key.pem", pki / "a" / "tls.pem")
    shutil.copy(pki / "client.pem", pki / "b" / "tls.pem")
    findings = lint(kp("a/tls.pem", "b/tls.pem"), base_dir=str(pki)).findings
    assert [f.severity for f in findings if f.code == "BK314"] == [Severity.ERROR]


def test_same_file_twice_and_combined_pem_do_not_collide(pki: Path) -> None:
    (pki / "combined.pem").write_bytes(
        (pki / "client.pem").read_bytes() + (pki / "client-key.pem").read_bytes()
    )
    assert "BK314" not in found(reg('ca = ["ca.pem", "./ca.pem"]'), pki)
    assert "BK314" not in found(kp("combined.pem", "combined.pem"), pki)
    assert "BK308" not in found(kp("combined.pem", "combined.pem"), pki)


def test_registries_that_sanitise_to_one_folder_collide(pki: Path) -> None:
    (pki / "b").mkdir()
    shutil.copy(pki / "leaf.pem", pki / "b" / "ca.pem")
    text = reg('ca = ["ca.pem"]', "r.example:5000") + reg('ca = ["b/ca.pem"]', "r.example_5000")
    findings = [f for f in lint(text, base_dir=str(pki)).findings if f.code == "BK314"]
    assert len(findings) == 2
    assert all("changes between runs" in f.message for f in findings)


def test_half_expired_bundle_is_a_warning(pki: Path) -> None:
    findings = lint(reg('ca = ["bundle-half-expired.pem"]'), base_dir=str(pki)).findings
    assert [f.severity for f in findings if f.code == "BK309"] == [Severity.WARNING]


def test_expiry_window_is_an_option(pki: Path) -> None:
    assert "BK311" in found(reg('ca = ["soon.pem"]'), pki, cert_expiry_days=30)
    assert "BK311" not in found(reg('ca = ["soon.pem"]'), pki, cert_expiry_days=2)
    assert "BK311" in found(reg('ca = ["ca.pem"]'), pki, cert_expiry_days=365 * 200)


def test_grpc_tls_pairs(pki: Path) -> None:
    only_cert = f'[grpc.tls]\ncert = "{pki}/client.pem"\n'
    mismatch = f'[grpc.tls]\ncert = "{pki}/client.pem"\nkey = "{pki}/other-key.pem"\n'
    good = f'[grpc.tls]\ncert = "{pki}/client.pem"\nkey = "{pki}/client-key.pem"\nca = "{pki}/ca.pem"\n'
    assert "BK313" in found(only_cert, pki)
    assert "BK308" in found(mismatch, pki)
    assert [c for c in found(good, pki) if c not in ("BK315", "BK269")] == []


def test_ca_holding_a_private_key(pki: Path) -> None:
    findings = lint(reg('ca = ["client-key.pem"]'), base_dir=str(pki)).findings
    (bk307,) = [f for f in findings if f.code == "BK307"]
    assert "copies into the builder" in bk307.message


def test_messages_never_contain_file_contents(pki: Path) -> None:
    texts = [bad for bad, _ in CASES.values()]
    for text in texts:
        for f in lint(text.replace("{base}", str(pki)), base_dir=str(pki)).findings:
            assert "BEGIN" not in f.message
            assert "MII" not in f.message  # base64 of DER
            assert "not a certificate" not in f.message


def test_cryptography_is_not_imported_without_certificates() -> None:
    code = (
        "import sys\n"
        "from bklint.linter.run import lint_bytes\n"
        "from bklint.linter.settings import Settings\n"
        'lint_bytes(b\'[registry."docker.io"]\\nmirrors = ["m.example"]\\n[grpc]\\naddress = ["unix:///x"]\\n\','
        " 'b.toml', Settings())\n"
        "assert 'cryptography' not in sys.modules, 'cryptography was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CONTENT_CODES = {"BK308", "BK309", "BK310", "BK311", "BK312"}


@pytest.fixture
def no_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the VS Code extension's bundled server, which ships no native libraries."""
    from bklint.rules import buildx_certs

    monkeypatch.setattr(buildx_certs, "cryptography_available", lambda: False)


def test_without_cryptography_the_content_checks_say_once_what_they_skipped(pki: Path, no_cryptography: None) -> None:
    text = (
        '[registry."r.example"]\nca = ["expired-ca.pem", "leaf.pem", "future-ca.pem", "soon.pem"]\n'
        '[[registry."r.example".keypair]]\nkey = "other-key.pem"\ncert = "client.pem"\n'
    )
    findings = lint(text, base_dir=str(pki)).findings
    assert [f.code for f in findings if f.code.startswith("BK3")] == ["BK319"]
    (bk319,) = findings
    assert bk319.severity is Severity.INFO
    assert bk319.span.start.line == 1
    assert "`cryptography`" in bk319.message and "every other check ran" in bk319.message
    assert "`expired-ca.pem`, `leaf.pem`, `future-ca.pem` and 3 more" in bk319.message


@pytest.mark.parametrize("code", sorted(set(CASES) - CONTENT_CODES))
def test_without_cryptography_nothing_else_is_lost(code: str, pki: Path, no_cryptography: None) -> None:
    (pki / "sub").mkdir()
    (pki / "sub" / "ca.pem").write_bytes((pki / "leaf.pem").read_bytes())
    assert code in found(CASES[code][0], pki)
    assert code not in found(CASES[code][1], pki)


def test_with_cryptography_nothing_is_said_about_it(pki: Path) -> None:
    assert "BK319" not in found(reg('ca = ["ca.pem", "leaf.pem"]'), pki)
