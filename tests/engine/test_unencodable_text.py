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
def test_lone_surrogate_in_a_path_is_an_unreadable_file(config: str) -> None:
    found = lint_codes(config)
    assert found
    assert all("unpaired UTF-16 surrogate" in message for code, message in found if code == "BK304")
    assert any(code == "BK304" for code, _ in found) or config.startswith("[grpc")


def test_lone_surrogate_in_a_document_over_256k_characters() -> None:
    text = 'root = "\ud800"\n' + "# é\n" * 300_000  # > 1 MiB as UTF-8
    found = lint_codes(text)
    assert [code for code, _ in found] == ["BK010"]


def test_lone_surrogate_in_a_bridge_name() -> None:
    assert lint_codes('[worker.oci]\nbridgeName = "\ud800\ud800\ud800\ud800\ud800\ud800"\n')[0][0] == "BK263"


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
