"""Editor text no file can hold (issue 11 item 3): a lone surrogate or a NUL in a path is a finding.

An LSP message may carry a JSON ``"\\ud800"`` escape, so an editor buffer can hold an unpaired
surrogate; a TOML ``\\u0000`` escape puts a NUL in a path string. Neither has a file behind it,
and neither may raise ``UnicodeEncodeError``/``ValueError`` out of the lint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.cli import main
from bklint.linter.run import lint_text
from bklint.linter.settings import Settings
from bklint.rules.buildx_certs import read_dir, read_file


def lint_codes(text: str) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in lint_text(text, "buildkitd.toml", Settings()).findings]


@pytest.mark.parametrize(
    "config",
    [
        '[registry."r.io"]\nca = ["certs/\ud800.pem"]\n',
        '[[registry."r.io".keypair]]\nkey = "\udfff.key"\ncert = "c\ud83d.crt"\n',
        '[registry."r.io"]\ntlsconfigdir = ["/etc/\udc00d"]\n',
        '[grpc.tls]\ncert = "\ud800"\nkey = "\ud800"\nca = "\ud800"\n',
    ],
    ids=["ca", "keypair", "tlsconfigdir", "grpc-tls"],
)
def test_lone_surrogate_in_a_path_is_a_finding(config: str) -> None:
    """The parser refuses the string (BK001) or the path is an unreadable file (BK304)."""
    found = lint_codes(config)
    assert any(code in ("BK001", "BK304") for code, _ in found), found
    assert "BK902" not in {code for code, _ in found}
    assert all("unpaired UTF-16 surrogate" in message for code, message in found if code == "BK304")


@pytest.mark.parametrize("path", ["certs/\ud800.pem", "/etc/\udc00d", "a\x00b", "\x00"])
def test_a_path_no_file_can_have_is_unreadable_not_an_error(path: str) -> None:
    """The one place a config path meets the OS (buildx_certs._stat) refuses it with a reason."""
    for info in (read_file(path), read_dir(path)):
        assert info.status == "unreadable"
        assert "surrogate" in info.reason or "NUL" in info.reason


def test_lone_surrogate_in_a_document_over_256k_characters() -> None:
    text = 'root = "\ud800"\n' + "# é\n" * 300_000  # > 1 MiB as UTF-8
    found = lint_codes(text)
    assert "BK010" in [code for code, _ in found]
    assert "BK902" not in [code for code, _ in found]


def test_lone_surrogate_in_a_bridge_name() -> None:
    codes = {code for code, _ in lint_codes('[worker.oci]\nbridgeName = "\ud800\ud800\ud800\ud800\ud800\ud800"\n')}
    assert codes & {"BK001", "BK263"} and "BK902" not in codes


def test_nul_escape_in_paths_is_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "buildkitd.toml"
    config.write_text(
        '[registry."r.io"]\nca = ["a\\u0000b"]\ntlsconfigdir = ["d\\u0000"]\n'
        '[[registry."r.io".keypair]]\nkey = "\\u0000"\ncert = "c\\u0000"\n'
    )
    assert main(["check", str(config), "--output-format", "concise"]) == 1
    out = capsys.readouterr().out
    assert out.count("BK304") == 4 and "a file name cannot hold a NUL character" in out
    assert main(["certs", str(config)]) == 1
    assert "Traceback" not in capsys.readouterr().err
