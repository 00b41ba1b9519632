"""Fixes that rewrite a string keep every character of it, escaped the way TOML needs.

Before the one writer (``rules/toml_text.py``) each rule quoted strings its own way; the
BK243 fix wrote the newline of ``"/run/bk\\n.sock"`` as a raw line break.
"""

from __future__ import annotations

import pathlib
import re

import pytest

from bklint.linter.fix import fix_bytes
from bklint.linter.settings import Settings
from bklint.rules.tomllib_compat import tomllib
from tests.conftest import REPO


def _fixed(text: str) -> dict[str, object]:
    outcome = fix_bytes(text.encode(), "buildkitd.toml", Settings(), unsafe=True)
    assert outcome.error is None, outcome.error
    assert outcome.changed, outcome.result.findings
    return tomllib.loads(outcome.data.decode())


@pytest.mark.parametrize("odd", ["\\n", '\\"', "\\\\", "\\t", "\\u0001", "🐳"])
def test_unix_prefix_fix_keeps_escapes(odd: str) -> None:
    # BK243 prefixes a bare socket path with unix://
    got = _fixed(f'[grpc]\naddress = ["/run/bk{odd}.sock"]\n')
    wanted = tomllib.loads(f'x = "/run/bk{odd}.sock"')["x"]
    assert got == {"grpc": {"address": [f"unix://{wanted}"]}}


def test_literal_string_stays_literal_when_it_can() -> None:
    got = fix_bytes(b"[grpc]\naddress = ['/run/b\\k.sock']\n", "buildkitd.toml", Settings()).data
    assert got == b"[grpc]\naddress = ['unix:///run/b\\k.sock']\n"


def test_no_module_but_the_writer_quotes_toml_by_hand() -> None:
    """The drift this module replaced: hand-made escapes of quotes and backslashes."""
    hand_made = re.compile(r"""replace\(\s*["']\\\\\\\\["']|replace\(\s*'"'\s*,""")
    offenders = []
    for folder in ("linter", "rules", "lsp"):
        for path in sorted(pathlib.Path(REPO, folder).rglob("*.py")):
            if path.name == "toml_text.py":
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if hand_made.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, "quote TOML with bklint.rules.toml_text:\n" + "\n".join(offenders)
